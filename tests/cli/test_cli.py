"""The maintenance commands: one creates or upgrades the schema, one loads a plan."""
from __future__ import annotations

from models.__main__ import main
from models.plans.loading import shipped_plan_files
from models.core.schema import Invite, Plan


def test_init_is_safe_to_run_twice_and_invite_prints_a_deep_link(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    assert main(["--database-url", url, "init"]) == 0
    assert main(["--database-url", url, "init"]) == 0
    assert main(["--database-url", url, "invite", "--org", "511802001001", "--uses", "3"]) == 0
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert link.startswith("https://t.me/") and "?start=" in link
    code = link.split("?start=")[1]
    assert Invite.get(Invite.code == code).max_uses == 3
    assert Plan.select().count() == len(shipped_plan_files())  # loaded once each, side by side


def test_invite_refuses_a_place_that_is_not_a_community(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    main(["--database-url", url, "init"])
    assert main(["--database-url", url, "invite", "--org", "511802"]) == 2
    assert "511802" in capsys.readouterr().err
