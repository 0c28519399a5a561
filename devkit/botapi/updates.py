"""What users do, as the updates the bot polls for: messages, button presses, files and
the bot's membership in groups."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from .records import ChatState, FileRecord, utf16_len, wake
from .users import FakeGroup, FakeUser


class UpdateMaker:
    """Mixin of LocalBotAPI: turns a simulated user's actions into queued updates."""

    # ------------------------------------------------------------------ internals: updates
    def _enqueue(self, update: dict) -> None:
        self.updates.append(update)
        self._by_update_id[update["update_id"]] = update
        self._pending.append(update)
        wake(self._update_waiters)

    def _next_mid(self, chat: ChatState) -> int:
        mid = chat.next_mid
        chat.next_mid += 1
        return mid

    def _register_file(self, data: bytes, kind: str, ext: str, mime: str | None = None,
                       name: str | None = None) -> FileRecord:
        n = next(self._file_ids)
        prefix = {"photos": "AgAC", "documents": "BQAC"}.get(kind, "CAAC")
        rec = FileRecord(
            file_id=f"{prefix}{n:08d}",
            file_unique_id=f"AQAD{n:06d}",
            data=bytes(data),
            file_path=f"{kind}/file_{n}.{ext}",
            mime_type=mime,
            file_name=name,
        )
        self.files[rec.file_id] = rec
        self._files_by_path[rec.file_path] = rec
        return rec

    def _photo_sizes(self, rec: FileRecord) -> list[dict]:
        # the thumbnail is registered as a separate file_id with the same content
        thumb = FileRecord(rec.file_id + "t", rec.file_unique_id + "t", rec.data,
                           rec.file_path.replace(".", "_t.", 1), rec.mime_type)
        self.files[thumb.file_id] = thumb
        self._files_by_path[thumb.file_path] = thumb
        return [
            {"file_id": thumb.file_id, "file_unique_id": thumb.file_unique_id,
             "file_size": len(rec.data), "width": 90, "height": 90},
            {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
             "file_size": len(rec.data), "width": 800, "height": 800},
        ]

    def _user_message(
        self,
        chat: ChatState,
        user: FakeUser,
        *,
        text: str | None = None,
        caption: str | None = None,
        photo: bytes | None = None,
        document: tuple | None = None,
        location: tuple | None = None,
        reply_to: Any = None,
        entities: list | None = None,
        forward_origin: dict | None = None,
    ) -> int:
        msg: dict[str, Any] = {
            "message_id": self._next_mid(chat),
            "from": user.user,
            "chat": chat.as_chat(),
            "date": int(time.time()),
        }
        if forward_origin is not None:
            msg["forward_origin"] = forward_origin
        if text is not None:
            msg["text"] = text
            if entities is not None:
                msg["entities"] = entities
            elif text.startswith("/") and len(text) > 1:
                cmd = text.split(maxsplit=1)[0]
                msg["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(cmd)}]
        if photo is not None:
            rec = self._register_file(photo, "photos", "jpg", "image/jpeg")
            msg["photo"] = self._photo_sizes(rec)
        if document is not None:
            data, name, mime = document
            rec = self._register_file(data, "documents", name.rsplit(".", 1)[-1] or "bin",
                                      mime, name)
            msg["document"] = {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
                               "file_name": name, "mime_type": mime, "file_size": len(data)}
        if caption is not None:
            msg["caption"] = caption
        if location is not None:
            msg["location"] = {"latitude": float(location[0]), "longitude": float(location[1])}
        if reply_to is not None:
            mid = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
            target = chat.messages.get(mid)
            if target is not None:
                msg["reply_to_message"] = {k: v for k, v in target.items()
                                           if k != "reply_to_message"}
        chat.messages[msg["message_id"]] = msg
        return self.add_update({"message": msg})

    def _chat_member(self, status: str) -> dict:
        member: dict[str, Any] = {"status": status, "user": self.bot_user}
        if status == "kicked":
            member["until_date"] = 0
        elif status == "administrator":
            member.update({k: False for k in (
                "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
                "can_delete_stories")})
        return member

    def _bot_membership(self, group: "FakeGroup", by: FakeUser, status: str) -> int:
        old = getattr(group, "bot_status", "left")
        group.bot_status = status
        return self.add_update({
            "my_chat_member": {
                "chat": group._chat.as_chat(),
                "from": by.user,
                "date": int(time.time()),
                "old_chat_member": self._chat_member(old),
                "new_chat_member": self._chat_member(status),
            }
        })

    def _callback(self, chat: ChatState, user: FakeUser, msg: dict, data: str) -> int:
        qid = f"{next(self._cq_ids)}{abs(user.id) % 100000:05d}"
        uid = self.add_update(
            {
                "callback_query": {
                    "id": qid,
                    "from": user.user,
                    "message": msg,
                    "chat_instance": str(chat.id),
                    "data": data,
                }
            }
        )
        self._cq_by_update[uid] = qid
        self._cq_known.add(qid)
        return uid

    async def _wait_call(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or self._closing:
            return False
        fut = asyncio.get_running_loop().create_future()
        self._call_waiters.append(fut)
        try:
            await asyncio.wait_for(fut, remaining)
        except asyncio.TimeoutError:
            return False
        return True

