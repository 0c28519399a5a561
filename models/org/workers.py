"""Registration by invite: a code binds a Telegram user to one community."""
from __future__ import annotations

import datetime as dt
import secrets

from models.core.db import database
from models.core.errors import InviteError, NotFound
from models.core.schema import Invite, OrgUnit, Worker, audit, now
from models.core.text import clean


def create_invite(org_unit: OrgUnit, *, role: str = "worker", max_uses: int = 1,
                  days: int | None = 30, requires_approval: bool = False,
                  created_by: str = "system", code: str | None = None) -> Invite:
    if org_unit.level != "community":
        raise NotFound("invites bind to a community or village")
    code = code or secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")
    expires = now() + dt.timedelta(days=days) if days else None
    invite = Invite.create(code=code, org_unit=org_unit, role=role, max_uses=max_uses,
                           expires_at=expires, requires_approval=requires_approval,
                           created_by=created_by)
    audit(created_by, "create", "invite", invite.id, after={"code": code, "org_unit": org_unit.code})
    return invite


def invite_link(invite: Invite, bot_username: str) -> str:
    return f"https://t.me/{bot_username}?start={invite.code}"


def find_worker(tg_user_id: int) -> Worker | None:
    return Worker.get_or_none(Worker.tg_user_id == tg_user_id)


def redeem_invite(code: str, *, tg_user_id: int, display_name: str,
                  username: str | None = None, language: str | None = None) -> Worker:
    """Register (or re-bind) a user with an invite; raises InviteError with a reason code."""
    with database.atomic():
        invite = Invite.get_or_none(Invite.code == code.strip())
        if invite is None or invite.disabled:
            raise InviteError("unknown")
        if invite.expires_at and invite.expires_at < now():
            raise InviteError("expired")
        existing = find_worker(tg_user_id)
        if existing and existing.status == "disabled":
            raise InviteError("disabled")
        if existing and existing.org_unit_id == invite.org_unit_id:
            return existing
        updated = (Invite.update(uses=Invite.uses + 1)
                   .where(Invite.id == invite.id, Invite.uses < Invite.max_uses).execute())
        if not updated:
            raise InviteError("used_up")
        status = "pending" if invite.requires_approval else "active"
        if existing:
            before = {"org_unit": existing.org_unit.code}
            existing.org_unit = invite.org_unit
            existing.role = invite.role
            existing.status = status
            existing.save()
            audit(f"tg:{tg_user_id}", "rebind", "worker", existing.id, before=before,
                  after={"org_unit": invite.org_unit.code})
            return existing
        # a Telegram name is typed text like any answer: no bidi override reaches an official
        worker = Worker.create(tg_user_id=tg_user_id, display_name=clean(display_name)[:100],
                               username=username, role=invite.role, org_unit=invite.org_unit,
                               status=status, language=language)
        audit(f"tg:{tg_user_id}", "register", "worker", worker.id,
              after={"org_unit": invite.org_unit.code, "invite": invite.code, "status": status})
        return worker


def set_status(worker: Worker, status: str, actor: str) -> Worker:
    before = {"status": worker.status}
    worker.status = status
    worker.save()
    audit(actor, "status", "worker", worker.id, before=before, after={"status": status})
    return worker
