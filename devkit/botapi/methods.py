"""The Bot API methods the bot calls (sendMessage, editMessageText, getFile ...), each
answering as Telegram does and recording the bot's output in its chat."""
from __future__ import annotations

import json
import time
from typing import Any

from .records import ChatState, FileRecord, bad_request, wake


class BotMethods:
    """Mixin of LocalBotAPI: one handler per Bot API method, by its lower-case name."""

    # ------------------------------------------------------------------ method handlers
    def _register_handlers(self) -> None:
        h = {
            "getme": lambda p, f: self.bot_user,
            "deletewebhook": self._m_delete_webhook,
            "setwebhook": self._m_set_webhook,
            "getwebhookinfo": self._m_get_webhook_info,
            "logout": lambda p, f: True,
            "close": lambda p, f: True,
            "getupdates": lambda p, f: [],  # handled specially
            "sendmessage": self._m_send_message,
            "editmessagetext": self._m_edit_text,
            "editmessagecaption": self._m_edit_caption,
            "editmessagereplymarkup": self._m_edit_markup,
            "deletemessage": self._m_delete_message,
            "answercallbackquery": self._m_answer_cq,
            "setmycommands": self._m_set_commands,
            "getmycommands": self._m_get_commands,
            "deletemycommands": self._m_delete_commands,
            "sendphoto": self._m_send_photo,
            "senddocument": self._m_send_document,
            "sendmediagroup": self._m_send_media_group,
            "sendlocation": self._m_send_location,
            "sendchataction": self._m_send_chat_action,
            "getfile": self._m_get_file,
            "getchat": self._m_get_chat,
            "getchatmember": self._m_get_chat_member,
            "pinchatmessage": lambda p, f: (self._chat_for(p), True)[1],
            "unpinchatmessage": lambda p, f: (self._chat_for(p), True)[1],
            "leavechat": lambda p, f: (self._chat_for(p), True)[1],
            "setchatmenubutton": lambda p, f: self._m_setting("setChatMenuButton", p),
            "getchatmenubutton": lambda p, f: {"type": "default"},
            "setmydescription": lambda p, f: self._m_setting("setMyDescription", p),
            "setmyshortdescription": lambda p, f: self._m_setting("setMyShortDescription", p),
            "setmyname": lambda p, f: self._m_setting("setMyName", p),
        }
        self._handlers = h

    def _m_setting(self, name: str, params: dict) -> bool:
        self.bot_settings[name] = params
        return True

    def _m_delete_webhook(self, p: dict, f: dict) -> bool:
        self.webhook = None
        wake(self._update_waiters)  # the pusher, if any, stops
        if p.get("drop_pending_updates"):
            self._pending.clear()
            self._redeliver.clear()
        return True

    def _m_set_webhook(self, p: dict, f: dict) -> bool:
        if "url" not in p:
            raise bad_request("bad webhook: URL is empty")
        if not p["url"]:
            return self._m_delete_webhook(p, f)
        self.webhook = dict(p)
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self._start_pushing()
        return True

    def _m_get_webhook_info(self, p: dict, f: dict) -> dict:
        info: dict[str, Any] = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates,
        }
        if self.webhook and self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        if self.webhook and self.webhook.get("max_connections"):
            info["max_connections"] = self.webhook["max_connections"]
        return info

    def _chat_for(self, p: dict) -> ChatState:
        cid = p.get("chat_id")
        if cid is None or cid == "":
            raise bad_request("chat_id is empty")
        chat = None
        if isinstance(cid, int):
            chat = self._chats.get(cid)
        elif isinstance(cid, str) and cid.startswith("@"):
            chat = next((c for c in self._chats.values() if c.username == cid[1:]), None)
        if chat is None:
            if self.auto_create_chats and isinstance(cid, int) and cid > 0:
                return self.user(cid)._chat
            if self.auto_create_chats and isinstance(cid, int):
                return self.group(cid)._chat
            raise bad_request("chat not found")
        return chat

    def _message_for(self, chat: ChatState, p: dict, what: str) -> dict:
        mid = p.get("message_id")
        if p.get("inline_message_id"):
            raise bad_request("inline messages are not supported by LocalBotAPI")
        if mid is None:
            raise bad_request("message identifier is not specified")
        msg = chat.messages.get(int(mid))
        if msg is None:
            raise bad_request(f"message to {what} not found")
        return msg

    def _base_message(self, chat: ChatState, p: dict) -> dict:
        msg: dict[str, Any] = {
            "message_id": self._next_mid(chat),
            "from": self.bot_user,
            "chat": chat.as_chat(),
            "date": int(time.time()),
        }
        rp = p.get("reply_parameters")
        reply_mid = None
        if isinstance(rp, dict):
            reply_mid = rp.get("message_id")
        elif p.get("reply_to_message_id"):
            reply_mid = p.get("reply_to_message_id")
        if reply_mid is not None:
            target = chat.messages.get(int(reply_mid))
            if target is not None:
                msg["reply_to_message"] = {k: v for k, v in target.items()
                                           if k != "reply_to_message"}
            elif not (isinstance(rp, dict) and rp.get("allow_sending_without_reply")):
                raise bad_request("message to be replied not found")
        return msg

    @staticmethod
    def _apply_markup(msg: dict, markup: Any) -> None:
        # Message.reply_markup can only be an InlineKeyboardMarkup
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)

    def _emit(self, chat: ChatState, kind: str, msg: dict | None, p: dict, **extra: Any) -> dict:
        entry: dict[str, Any] = {
            "kind": kind,
            "chat_id": chat.id,
            "message_id": msg["message_id"] if msg else p.get("message_id"),
            "text": (msg.get("text") if msg.get("text") is not None else msg.get("caption"))
            if msg else None,
            "caption": msg.get("caption") if msg else None,
            "reply_markup": p.get("reply_markup"),
            "parse_mode": p.get("parse_mode"),
            "message": msg,
            "params": p,
            "ts": time.monotonic(),
        }
        entry.update(extra)
        chat.outbox.append(entry)
        wake(chat.waiters)
        return entry

    def _m_send_message(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        text = p.get("text")
        if text is None or str(text) == "":
            raise bad_request("message text is empty")
        text = str(text)
        if len(text) > 4096:
            raise bad_request("message is too long")
        msg = self._base_message(chat, p)
        msg["text"] = text
        if p.get("entities"):
            msg["entities"] = p["entities"]
        self._apply_markup(msg, p.get("reply_markup"))
        chat.messages[msg["message_id"]] = msg
        self._emit(chat, "message", msg, p)
        return msg

    def _check_bot_message(self, msg: dict) -> None:
        if msg.get("from", {}).get("id") != self.bot_id:
            raise bad_request("message can't be edited")

    def _m_edit_text(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg = self._message_for(chat, p, "edit")
        self._check_bot_message(msg)
        text = p.get("text")
        if text is None or str(text) == "":
            raise bad_request("message text is empty")
        if "text" not in msg:
            raise bad_request("there is no text in the message to edit")
        new = dict(msg)
        new["text"] = str(text)
        self._apply_markup(new, p.get("reply_markup"))
        return self._store_edit(chat, msg, new, "edit", p, "text", "reply_markup")

    def _store_edit(self, chat: ChatState, old: dict, new: dict, kind: str, p: dict,
                    *keys: str) -> dict:
        """Keep an edited message; Telegram refuses an edit that changes none of ``keys``."""
        if all(new.get(k) == old.get(k) for k in keys):
            raise bad_request("message is not modified: specified new message content and reply "
                              "markup are exactly the same as a current content and reply markup "
                              "of the message")
        new["edit_date"] = int(time.time())
        chat.messages[new["message_id"]] = new
        self._emit(chat, kind, new, p)
        return new

    def _m_edit_caption(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg = self._message_for(chat, p, "edit")
        self._check_bot_message(msg)
        new = dict(msg)
        if p.get("caption"):
            new["caption"] = str(p["caption"])
        else:
            new.pop("caption", None)
        self._apply_markup(new, p.get("reply_markup"))
        return self._store_edit(chat, msg, new, "caption", p, "caption", "reply_markup")

    def _m_edit_markup(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg = self._message_for(chat, p, "edit")
        self._check_bot_message(msg)
        new = dict(msg)
        self._apply_markup(new, p.get("reply_markup"))
        return self._store_edit(chat, msg, new, "edit_markup", p, "reply_markup")

    def _m_delete_message(self, p: dict, f: dict) -> bool:
        chat = self._chat_for(p)
        mid = p.get("message_id")
        if mid is None or chat.messages.pop(int(mid), None) is None:
            raise bad_request("message to delete not found")
        self._emit(chat, "delete", None, p, message_id=int(mid))
        return True

    def _m_answer_cq(self, p: dict, f: dict) -> bool:
        qid = str(p.get("callback_query_id", ""))
        if qid not in self._cq_known or qid in self.callback_answers:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self.callback_answers[qid] = p
        return True

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if scope is None:
            scope = {"type": "default"}
        elif isinstance(scope, str):
            scope = {"type": scope}
        return json.dumps(scope, sort_keys=True)

    def _m_set_commands(self, p: dict, f: dict) -> bool:
        cmds = p.get("commands")
        if not isinstance(cmds, list):
            raise bad_request("commands must be an array")
        for c in cmds:
            if not isinstance(c, dict) or not c.get("command") or not c.get("description"):
                raise bad_request("BOT_COMMAND_INVALID")
        self.commands[(self._scope_key(p.get("scope")), p.get("language_code") or "")] = cmds
        return True

    def _m_get_commands(self, p: dict, f: dict) -> list:
        return self.commands.get((self._scope_key(p.get("scope")), p.get("language_code") or ""), [])

    def _m_delete_commands(self, p: dict, f: dict) -> bool:
        self.commands.pop((self._scope_key(p.get("scope")), p.get("language_code") or ""), None)
        return True

    def _input_file(self, p: dict, f: dict, key: str, kind: str, ext: str,
                    mime: str | None) -> FileRecord:
        value = p.get(key)
        if key in f:
            fname, data, ctype = f[key]
            return self._register_file(data, kind, ext, ctype or mime, fname)
        if isinstance(value, str) and value.startswith("attach://"):
            name = value[len("attach://"):]
            if name not in f:
                raise bad_request(f"file {name} not found in the request")
            fname, data, ctype = f[name]
            return self._register_file(data, kind, ext, ctype or mime, fname)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            rec = self._register_file(value.encode(), kind, ext, mime, value.rsplit("/", 1)[-1])
            return rec
        if value is None:
            raise bad_request(f"there is no {key} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _media_message(
        self, chat: ChatState, p: dict, f: dict, key: str, kind: str
    ) -> tuple[dict, FileRecord]:
        msg = self._base_message(chat, p)
        if kind == "photo":
            rec = self._input_file(p, f, key, "photos", "jpg", "image/jpeg")
            # a photo sent by file_id of a thumbnail/size: reuse the registered record
            msg["photo"] = self._photo_sizes(rec) if not rec.file_id.endswith("t") else [
                {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
                 "file_size": len(rec.data), "width": 90, "height": 90}]
        else:
            rec = self._input_file(p, f, key, "documents", "bin", "application/octet-stream")
            doc: dict[str, Any] = {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
                                   "file_size": len(rec.data)}
            if rec.file_name:
                doc["file_name"] = rec.file_name
            if rec.mime_type:
                doc["mime_type"] = rec.mime_type
            msg[kind if kind in ("video", "audio", "animation") else "document"] = doc
        if p.get("caption"):
            msg["caption"] = str(p["caption"])
        if p.get("caption_entities"):
            msg["caption_entities"] = p["caption_entities"]
        self._apply_markup(msg, p.get("reply_markup"))
        chat.messages[msg["message_id"]] = msg
        return msg, rec

    def _m_send_photo(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg, rec = self._media_message(chat, p, f, "photo", "photo")
        self._emit(chat, "photo", msg, p, file_id=rec.file_id)
        return msg

    def _m_send_document(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg, rec = self._media_message(chat, p, f, "document", "document")
        self._emit(chat, "document", msg, p, file_id=rec.file_id,
                   file_name=rec.file_name)
        return msg

    def _m_send_media_group(self, p: dict, f: dict) -> list:
        chat = self._chat_for(p)
        media = p.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media specified (must be 2-10)")
        group_id = str(next(self._file_ids) * 7919)
        out = []
        for item in media:
            kind = item.get("type", "photo")
            sub = {k: v for k, v in p.items() if k not in ("media",)}
            sub["media"] = item.get("media")
            if item.get("caption"):
                sub["caption"] = item["caption"]
            msg, rec = self._media_message(chat, sub, f, "media", kind)
            msg["media_group_id"] = group_id
            self._emit(chat, kind if kind in ("photo", "document") else "media", msg, sub,
                       file_id=rec.file_id, media_group_id=group_id)
            out.append(msg)
        return out

    def _m_send_location(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        msg = self._base_message(chat, p)
        try:
            msg["location"] = {"latitude": float(p["latitude"]),
                               "longitude": float(p["longitude"])}
        except (KeyError, TypeError, ValueError):
            raise bad_request("wrong latitude/longitude") from None
        self._apply_markup(msg, p.get("reply_markup"))
        chat.messages[msg["message_id"]] = msg
        self._emit(chat, "location", msg, p)
        return msg

    def _m_send_chat_action(self, p: dict, f: dict) -> bool:
        chat = self._chat_for(p)
        action = p.get("action")
        if not action:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(action)
        return True

    def _m_get_file(self, p: dict, f: dict) -> dict:
        rec = self.files.get(str(p.get("file_id", "")))
        if rec is None:
            raise bad_request("invalid file_id")
        return rec.as_file()

    def _m_get_chat(self, p: dict, f: dict) -> dict:
        chat = self._chat_for(p)
        d = chat.as_chat()
        d.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return d

    def _m_get_chat_member(self, p: dict, f: dict) -> dict:
        self._chat_for(p)
        uid = p.get("user_id")
        if uid == self.bot_id:
            user = self.bot_user
        elif uid in self._users:
            user = self._users[uid].user
        else:
            raise bad_request("user not found")
        return {"status": "member", "user": user}

