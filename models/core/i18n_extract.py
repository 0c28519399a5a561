"""Babel extraction for report-kind data: field prompts, labels and option labels are msgids."""
from __future__ import annotations

import tomllib


def extract_kinds(fileobj, keywords, comment_tags, options):
    """Yield (lineno, funcname, message, comments) for every translatable string in kinds.toml."""
    text = fileobj.read().decode("utf-8")
    spec = tomllib.loads(text)
    lines = text.splitlines()

    def lineno(s: str) -> int:
        needle = f'"{s}"'
        return next((i for i, l in enumerate(lines, start=1) if needle in l), 0)

    for kind in spec.get("kinds", []):
        yield lineno(kind["name"]), "N_", kind["name"], [f"report kind {kind['code']}"]
        for field in kind.get("fields", []):
            for key in ("prompt", "label"):
                yield lineno(field[key]), "N_", field[key], [f"{kind['code']}.{field['name']} {key}"]
            for opt in field.get("options", []):
                yield lineno(opt["label"]), "N_", opt["label"], [f"{kind['code']}.{field['name']} option"]
