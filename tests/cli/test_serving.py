"""``run_admin.py`` serves the admin with gunicorn (``--dev``: Flask's server): it answers
``/healthz`` on the port asked for and stops cleanly on SIGTERM."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str):
    """(status, headers, body) of a GET, or None while nothing listens."""
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except (urllib.error.URLError, ConnectionError):
        return None


@pytest.mark.parametrize("dev,server", [(False, "gunicorn"), (True, "Werkzeug")])
def test_it_serves_healthz_and_stops_cleanly(db_url, tmp_path, dev, server):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "ADMIN_"))}
    env.update(DATABASE_URL=db_url, ADMIN_SECRET_KEY="s" * 32)
    args = [sys.executable, str(ROOT / "run_admin.py"), "--port", str(port),
            "--workers", "2", "--threads", "2"] + (["--dev"] if dev else [])
    proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        answer = None
        for _ in range(300):  # up to a minute to start on a busy machine
            answer = _get(f"http://127.0.0.1:{port}/healthz")
            if answer is not None or proc.poll() is not None:
                break
            time.sleep(0.2)
        assert answer is not None, proc.stderr.read() if proc.poll() is not None else "no answer"
        status, headers, body = answer
        assert status == 200 and json.loads(body)["ok"] is True
        assert server in headers.get("Server", "")
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, -signal.SIGTERM if dev else 0), err
    assert "Traceback" not in err
    assert _get(f"http://127.0.0.1:{port}/healthz") is None  # nothing left listening
