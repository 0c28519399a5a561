"""The deployment example in the README is a `.env` an operator copies: every line of it must be
a setting this code knows and accepts (an `ADMIN_COOKIE_SECURE=1` there once stopped the admin)."""
from __future__ import annotations

import re
from pathlib import Path

from models.core.settings import Settings, load_settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _env_blocks() -> list[str]:
    """The ini blocks that set DATABASE_URL (the systemd units are ini blocks too)."""
    return [b for b in re.findall(r"```ini\n(.*?)```", README.read_text("utf-8"), flags=re.S)
            if b.startswith("DATABASE_URL=")]


def test_the_readmes_env_example_is_accepted_as_written(tmp_path):
    [block] = _env_blocks()
    # secrets are placeholders saying how to make one; every other value is taken as written
    block = re.sub(r"^(WEBHOOK_SECRET|ADMIN_SECRET_KEY)=.*$", r"\1=made-by-token-urlsafe", block,
                   flags=re.M)
    env = tmp_path / ".env"
    env.write_text(block, "utf-8")
    names = [line.split("=", 1)[0] for line in block.splitlines()
             if line.strip() and not line.startswith("#")]
    known = {name.upper() for name in Settings.__dataclass_fields__}
    assert [n for n in names if n not in known] == []
    settings = load_settings(env={}, env_file=env)
    settings.require_webhook()
    assert settings.admin_cookie_secure == "on" and settings.admin_trusted_proxies == 1
