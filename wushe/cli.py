"""`wushe init | upgrade | load-places [FILE] | load-plan FILE | invite --org CODE | recount
| import ENTITY FILE [--dry-run] | digest PERIOD [--scope CODE] [--pdf FILE] [--push]
| backup [--to DIR] | restore ARCHIVE [--yes]`.

The same commands as `python -m models` (its parser and its ``run``), with the charts' PDF
renderer handed in: the domain package imports nothing above it, so the one command that
draws lives here, at the edge."""
from __future__ import annotations

import sys

from charts.digest import digest_pdf
from models.__main__ import build_parser, run


def main(argv: list[str] | None = None) -> int:
    args = build_parser(prog="wushe", description=__doc__).parse_args(argv)
    return run(args, digest_pdf=digest_pdf)


if __name__ == "__main__":
    sys.exit(main())
