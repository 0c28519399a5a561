"""One settings loader for every process: environment first, then a `.env` file beside it.

Settings are read once, typed and validated; a missing required value fails loudly with the
variable's name. Secrets are kept out of ``repr`` so they never reach a log line.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import re

from dotenv import dotenv_values
from models.core.paths import ROOT

DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'var' / 'wushe.sqlite3'}"
#: What setWebhook accepts as secret_token (sent back in X-Telegram-Bot-Api-Secret-Token).
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class SettingsError(RuntimeError):
    """A required setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    telegram_bot_token: str = field(default="", repr=False)
    telegram_api_base_url: str = ""
    telegram_file_base_url: str = ""
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str = field(default="", repr=False)
    admin_secret_key: str = field(default="", repr=False)
    # The admin's session ends after this many minutes without a request.
    admin_session_idle_minutes: int = 60
    # The session cookie's Secure flag: on, off, or auto (set whenever the request is HTTPS).
    admin_cookie_secure: str = "auto"
    # Reverse proxies in front of the admin whose X-Forwarded-For/-Proto/-Host are trusted
    # (0: none, the admin is reached directly).
    admin_trusted_proxies: int = 0
    default_locale: str = "zh_Hans"
    timezone: str = "Asia/Shanghai"
    media_dir: str = str(ROOT / "var" / "media")
    bot_username: str = "wushe_bot"
    # Weekly summaries go out on this weekday (0 = Monday) at this local time (``timezone``);
    # quarterly and half-year digests at the same time on the first such weekday after the
    # period ends (models.pushes.deliveries.Schedule).
    push_weekday: int = 0
    push_time: str = "09:00"
    # The bot's daily backup (models.core.backup): off unless BACKUP_DIR is set; at
    # BACKUP_TIME local time, keeping the newest BACKUP_KEEP archives.
    backup_dir: str = ""
    backup_keep: int = 7
    backup_time: str = "03:00"
    # The admin under gunicorn (run_admin.py): processes, and threads in each (gthread).
    admin_workers: int = 2
    admin_threads: int = 4

    def require(self, *names: str) -> "Settings":
        """Fail with the first missing variable's name, for the entry point that needs it."""
        for name in names:
            if not getattr(self, name):
                raise SettingsError(
                    f"{name.upper()} is not set: put it in the environment or in a .env file"
                )
        return self

    def require_webhook(self) -> "Settings":
        """What ``--webhook`` needs: WEBHOOK_URL and a WEBHOOK_SECRET Telegram accepts. Without
        the secret anyone who reaches the port could post updates as any worker."""
        self.require("webhook_url")
        if not self.webhook_secret:
            raise SettingsError(
                "WEBHOOK_SECRET is not set: --webhook needs it (1-256 characters A-Z, a-z, 0-9, "
                "_ or -) so that only Telegram can post updates; put it in the environment or "
                "in a .env file")
        if not WEBHOOK_SECRET.fullmatch(self.webhook_secret):
            raise SettingsError("WEBHOOK_SECRET must be 1-256 characters A-Z, a-z, 0-9, _ or - "
                                "(what Telegram accepts as a secret_token)")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(env: dict[str, str] | None = None, env_file: str | os.PathLike | None = None) -> Settings:
    """Read settings from ``env`` (default: the process environment) over a `.env` file."""
    file_values = {}
    path = Path(env_file) if env_file else Path.cwd() / ".env"
    if path.is_file():
        file_values = {k: v for k, v in dotenv_values(path).items() if v is not None}
    source = {**file_values, **(dict(os.environ) if env is None else env)}
    kwargs = {}
    for name, f in Settings.__dataclass_fields__.items():
        raw = source.get(name.upper())
        if raw is None or raw == "":
            continue
        if f.type in ("int", int):
            try:
                kwargs[name] = int(raw)
            except ValueError:
                raise SettingsError(f"{name.upper()} must be a whole number, got {raw!r}") from None
        else:
            kwargs[name] = raw.strip()
    settings = Settings(**kwargs)
    _check_push_schedule(settings)
    _check_backups(settings)
    _check_admin(settings)
    if settings.admin_workers < 1 or settings.admin_threads < 1:
        raise SettingsError("ADMIN_WORKERS and ADMIN_THREADS must be at least 1")
    return settings


def _check_push_schedule(settings: Settings) -> None:
    if not 0 <= settings.push_weekday <= 6:
        raise SettingsError(f"PUSH_WEEKDAY must be 0 (Monday) to 6 (Sunday), "
                            f"got {settings.push_weekday}")
    if not _is_hh_mm(settings.push_time):
        raise SettingsError(f"PUSH_TIME must be a local time HH:MM such as 09:00, "
                            f"got {settings.push_time!r}")


def _check_backups(settings: Settings) -> None:
    if settings.backup_keep < 1:
        raise SettingsError(f"BACKUP_KEEP must be at least 1, got {settings.backup_keep}")
    if not _is_hh_mm(settings.backup_time):
        raise SettingsError(f"BACKUP_TIME must be a local time HH:MM such as 03:00, "
                            f"got {settings.backup_time!r}")


def _check_admin(settings: Settings) -> None:
    if not 1 <= settings.admin_session_idle_minutes <= 24 * 60:
        raise SettingsError(f"ADMIN_SESSION_IDLE_MINUTES must be 1 to 1440 minutes, "
                            f"got {settings.admin_session_idle_minutes}")
    if settings.admin_cookie_secure not in ("on", "off", "auto"):
        raise SettingsError(f"ADMIN_COOKIE_SECURE must be on, off or auto, "
                            f"got {settings.admin_cookie_secure!r}")
    if not 0 <= settings.admin_trusted_proxies <= 10:
        raise SettingsError(f"ADMIN_TRUSTED_PROXIES must be 0 (no proxy) to 10, "
                            f"got {settings.admin_trusted_proxies}")


def _is_hh_mm(value: str) -> bool:
    hour, sep, minute = value.partition(":")
    return bool(sep and hour.isdigit() and minute.isdigit() and len(minute) == 2
                and int(hour) < 24 and int(minute) < 60)
