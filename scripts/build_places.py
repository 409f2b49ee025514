"""Make the gazetteer's tables in kg/data from jionlp's (run by hand to refresh them).

kg's gazetteer (``kg/places.py``) reads two small files of its own:

- ``kg/data/china_divisions.txt``: every Chinese administrative division from
  province to township, from jionlp's ``china_location.txt``;
- ``kg/data/countries.tsv``: the world's countries, from jionlp's ``world_location.txt``;

plus ``kg/data/LICENSE-jionlp.txt``, the licence they come under (Apache 2.0).
jionlp itself (with jiojio, 170 MB installed) is needed only here:

    pip install -e '.[places-data]'           # jionlp
    python scripts/build_places.py            # rewrite the three files
    python scripts/build_places.py --check    # exit 1 if they differ from what jionlp gives

The files keep what kg reads and nothing it does not: villages and division
codes are dropped, names and short forms are copied as they are. Which names
the gazetteer uses is decided in ``kg/places.py``, not here. The same jionlp
gives the same bytes; a newer one changes which places kg finds, so the
exports change with it (the tables say which jionlp made them).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import sys
import zipfile
from importlib.metadata import distribution, version
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "kg" / "data"
DIVISIONS = "china_divisions.txt"
COUNTRIES = "countries.tsv"
LICENCE = "LICENSE-jionlp.txt"
#: Deepest level kept: 0 province, 1 prefecture, 2 county, 3 township. Villages (4) are left out:
#: too many of their names are common words (和平村) to match in running text.
MAX_DEPTH = 3
#: Characters that would break a line or a field of the output.
_BREAKS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def jionlp_dir() -> Path:
    """jionlp's package folder, found without importing it (its import is slow)."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("build_places: needs jionlp: pip install -e '.[places-data]'")
    return Path(next(iter(spec.submodule_search_locations)))


def _credit(jionlp_version: str, source: str, changes: str) -> list[str]:
    return [
        f"# Source: {source} in jionlp {jionlp_version} by dongrixinyu (https://github.com/dongrixinyu/JioNLP),",
        "# under the Apache License 2.0 (the licence is LICENSE-jionlp.txt beside this file).",
        f"# Changed: {changes}",
        "# Made by scripts/build_places.py; do not edit by hand.",
    ]


def _clean(field: str) -> str:
    if _BREAKS & set(field) or field.startswith("#") or not field:
        raise ValueError(f"build_places: unexpected field {field!r} in jionlp's data")
    return field


def divisions(raw: str, jionlp_version: str) -> str:
    """The division tree, one tab of indent per level: ``NAME`` or ``NAME<TAB>SHORT``."""
    lines = [
        "# Chinese administrative divisions for kg's gazetteer (kg/places.py): province, prefecture,",
        "# county, township. One a line, under its parent, indented by one tab per level below the",
        "# province: NAME, or NAME<TAB>SHORT FORM.",
        *_credit(jionlp_version, "china_location.txt", "villages and division codes left out."),
    ]
    # Read as kg read jionlp's file before: lines cut at "\n" only, "\t\r\n" stripped at both ends.
    for line in io.StringIO(raw):
        depth = len(line) - len(line.lstrip("\t"))
        if depth > MAX_DEPTH:
            continue
        fields = line.strip("\t\r\n").split("\t")
        name = _clean(fields[0])
        short = fields[2] if len(fields) > 2 else ""
        lines.append("\t" * depth + name + (f"\t{_clean(short)}" if short else ""))
    return "\n".join(lines) + "\n"


def countries(text: str, jionlp_version: str) -> str:
    """``NAME<TAB>OFFICIAL NAME`` per country (continent headings such as ``亚洲:`` left out)."""
    lines = [
        "# Countries and regions for kg's gazetteer (kg/places.py): NAME<TAB>OFFICIAL NAME.",
        *_credit(jionlp_version, "world_location.txt", "only the two name columns kept, continent headings left out."),
    ]
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[0] and not fields[0].endswith(":"):
            lines.append(f"{_clean(fields[0])}\t{_clean(fields[1])}")
    return "\n".join(lines) + "\n"


def build() -> dict[str, bytes]:
    """``{file name: bytes}`` of the three files, from the installed jionlp."""
    root = jionlp_dir()
    ver = version("jionlp")
    with zipfile.ZipFile(root / "dictionary" / "china_location.zip") as zf:
        raw = zf.read("china_location.txt").decode("utf-8")
    world = (root / "dictionary" / "world_location.txt").read_text(encoding="utf-8")
    licences = [f for f in distribution("jionlp").files or () if f.name.startswith("LICENSE")]
    if len(licences) != 1:
        sys.exit(f"build_places: expected one LICENSE file in jionlp's metadata, found {len(licences)}")
    return {
        DIVISIONS: divisions(raw, ver).encode("utf-8"),
        COUNTRIES: countries(world, ver).encode("utf-8"),
        LICENCE: Path(licences[0].locate()).read_bytes(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the files in kg/data, write nothing")
    parser.add_argument("--out", type=Path, default=OUT, help="folder to write (default kg/data)")
    args = parser.parse_args(argv)
    stale = []
    for name, data in build().items():
        path = args.out / name
        if args.check:
            if not path.is_file() or path.read_bytes() != data:
                stale.append(name)
            continue
        path.write_bytes(data)
        print(f"wrote {path} ({len(data):,} bytes)")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python scripts/build_places.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
