"""callback_data for every inline button: a short prefix naming the action, then its arguments.

Buttons are routed by these prefixes, never by their (translated) labels. Answers carry the
field they answer, so a tap on an old message cannot answer a different question. Telegram
allows at most 64 bytes of callback data; ``pack`` refuses anything longer.
"""
from __future__ import annotations

SEP = ":"
MAX_BYTES = 64

KIND = "k"  # k:<kind code>                 choose the kind of a new report
CONTINUE = "rc"  # rc                         continue the unfinished report
RESTART = "rn"  # rn                          discard it and start a new one
ANSWER = "a"  # a:<field>:<option index>     a choice
TOGGLE = "mt"  # mt:<field>:<bitmask>         multi-select: the selection after this tap
MULTI_DONE = "md"  # md:<field>:<bitmask>     multi-select: done with this selection
DATE = "d"  # d:<field>:<ISO date>            a quick date (computed in the plan's timezone)
QUICK = "q"  # q:<field>:<value>              a quick number
SKIP = "s"  # s:<field>                       skip an optional field
DONE = "ok"  # ok:<field>                     done sending photos
BACK = "b"  # b:<field>                       back from this field to the previous one
SUBMIT = "sub"  # sub:<draft uid>
EDIT = "ed"  # ed                             list the fields to edit
EDIT_FIELD = "ef"  # ef:<field>
CARD = "card"  # card                         back to the confirmation card
CANCEL = "x"  # x                             discard the draft
SOURCES = "src"  # src:<1|0>                  show (1) or hide (0) the card's source phrases
LANG = "lang"  # lang:<locale>
FIX = "fix"  # fix:<report uid>[:y]           correct a rejected report (y: discard the draft)

#: Buttons anyone may press, registered or not.
OPEN = (LANG,)


def pack(action: str, *args: object) -> str:
    data = SEP.join([action, *(str(a) for a in args)])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> tuple[str, list[str]]:
    action, *args = (data or "").split(SEP)
    return action, args


def pattern(action: str) -> str:
    """The regex a CallbackQueryHandler uses to receive one action."""
    return rf"^{action}(?:{SEP}|$)"
