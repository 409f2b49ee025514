"""Chinese administrative divisions, from a maintained dataset.

The divisions (province → prefecture → county → township, with short forms
such as 唐山 for 唐山市, data to 2023) and the countries come from jionlp's
``china_location`` and ``world_location`` tables, copied into kg's own
``kg/data/china_divisions.txt`` and ``kg/data/countries.tsv`` by
``scripts/build_places.py`` (run by hand to refresh them; kg does not need
jionlp). One Aho–Corasick automaton over every name makes matching one pass
over the text whatever its size (compiled once a process has scanned enough
text; short texts are scanned in Python, with the same matches).

>>> g = gazetteer()
>>> [(p.name, p.level, p.parent) for p in g.lookup("唐山市")]
[('唐山市', 'city', '河北省')]
>>> g.lookup("玉田")[0].name
'玉田县'
"""

from __future__ import annotations

from array import array
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kg import _files, resources

if TYPE_CHECKING:
    import ahocorasick_rs

LEVELS = ("province", "city", "county", "town")
#: How high a division stands: lower is larger (countries and provinces first).
LEVEL_RANK = {"province": 0, "country": 0, "city": 1, "county": 2, "town": 3}
_GENERIC = frozenset(("街道", "城区", "市区", "郊区", "矿区", "新区", "开发区", "高新区", "工业区", "市辖区", "林区"))
#: Suffixes that make a short name out of a full one where the data has none.
_TOWN_SUFFIXES = ("街道", "镇", "乡")
#: The gazetteer's tables in ``kg/data`` (made by ``scripts/build_places.py``).
DIVISIONS = "china_divisions.txt"
COUNTRIES = "countries.tsv"


class Place(NamedTuple):
    """A division or a country (a named tuple: tens of thousands load with the gazetteer)."""

    name: str  # full official name, e.g. 唐山市
    level: str  # province | city | county | town | country
    parent: str  # full name of the enclosing division ('' for provinces)
    province: str  # full name of the province ('' for countries)
    short: str  # the usual short form, e.g. 唐山 ('' if none)


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").split("\n") if line and not line.startswith("#")]


def _read_divisions(path: Path):
    """Yield ``(level, name, short, parents)`` from the division tree (one tab of indent per level)."""
    stack: list[str] = []
    for line in _lines(path):
        depth = len(line) - len(line.lstrip("\t"))
        name, _, short = line[depth:].partition("\t")
        del stack[depth:]
        yield LEVELS[depth], name, short, tuple(stack)
        stack.append(name)


class Gazetteer:
    """Every division and country name, matched on characters.

    Built from ``tables``: plain data (``gazetteer_tables``) that ``kg.resources``
    keeps between runs, so a process reads it instead of parsing the division
    tree (0.1 s). A name's places are made on its first lookup. ``find`` scans
    short texts in Python and compiles the Aho–Corasick automaton (0.08 s) once
    it has been given ``SCAN_LIMIT`` characters: a rebuild that extracts one
    article never compiles it. Both give the same matches (``tests/test_places.py``).
    """

    #: Characters ``find`` scans in Python before it compiles the automaton.
    SCAN_LIMIT = 20_000

    def __init__(self, data_dir: Path | None = None, tables: dict | None = None):
        if tables is None:
            tables = gazetteer_tables(data_dir or _files.data_dir())
        if type(tables) is not dict:
            raise ValueError("not the gazetteer's tables")
        names, rows, index, first, lengths = (tables.get(k) for k in ("names", "rows", "index", "first", "lengths"))
        if not (type(names) is str and type(rows) is str and type(index) is array and type(first) is array):
            raise ValueError("not the gazetteer's tables")
        self._names: list[str] = names.split("\n") if names else []
        self._rows: list[str] = rows.split("\n") if rows else []
        if (
            index.typecode != "I"
            or first.typecode != "I"
            or len(first) != len(self._names) + 1
            or first[-1] != len(index)
            or (index and max(index) >= len(self._rows))
            or type(lengths) is not dict
        ):
            raise ValueError("not the gazetteer's tables")
        self._places: list[Place | None] = [None] * len(self._rows)
        self._index = index  # the rows of each name's places, name after name
        self._first = first  # where each name's rows start in ``_index`` (one more at the end)
        #: name -> its places, or its position in ``_names`` until they are first asked for
        self._by_name: dict[str, tuple[Place, ...] | int] = dict(zip(self._names, range(len(self._names))))
        #: first character -> the lengths of the names that start with it, longest first (``_scan``)
        self._lengths: dict[str, tuple[int, ...]] = {c: tuple(map(ord, n)) for c, n in lengths.items()}
        self._matcher: ahocorasick_rs.AhoCorasick | None = None
        self._scanned = 0

    def compile(self) -> None:
        """Compile the matcher now (before forking workers that share it)."""
        if self._matcher is None:
            import ahocorasick_rs

            kind = ahocorasick_rs.MatchKind.LeftmostLongest
            self._matcher = ahocorasick_rs.AhoCorasick(self._names, matchkind=kind)

    # The matcher does not pickle: it is compiled again when needed.
    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_matcher"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._matcher = None

    def lookup(self, surface: str) -> tuple[Place, ...]:
        """The places a surface form may denote, full-name matches first (a tuple: shared, not copied)."""
        places = self._by_name.get(surface, ())
        if type(places) is int:
            places = self._by_name[surface] = tuple(
                self._place(r) for r in self._index[self._first[places] : self._first[places + 1]]
            )
        return places  # type: ignore[return-value]

    def _place(self, row: int) -> Place:
        place = self._places[row]
        if place is None:
            name, level, parent, province, short = self._rows[row].split("\t")
            place = self._places[row] = Place(name, level, parent, province, short)
        return place

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, surface)`` of the names in ``text``: leftmost first, the longest at each
        start, none overlapping (承德|国家, not 承|德国).

        >>> gazetteer().find("河北省承德国家高新区")
        [(0, 3, '河北省'), (3, 5, '承德')]
        """
        if self._matcher is None:
            self._scanned += len(text)
            if self._scanned <= self.SCAN_LIMIT:
                return self._scan(text)
            self.compile()
        names, matcher = self._names, self._matcher
        assert matcher is not None
        return [(start, end, names[i]) for i, start, end in matcher.find_matches_as_indexes(text)]

    def _scan(self, text: str) -> list[tuple[int, int, str]]:
        """``find`` without the automaton: at each position the longest name that starts there."""
        lengths, names = self._lengths, self._by_name
        found = []
        i, n = 0, len(text)
        while i < n:
            for length in lengths.get(text[i], ()):
                end = i + length
                if end <= n and text[i:end] in names:
                    found.append((i, end, text[i:end]))
                    i = end
                    break
            else:
                i += 1
        return found


def gazetteer_tables(data_dir: Path) -> dict:
    """The gazetteer of the tables in ``data_dir`` as plain data (kept by ``kg.resources``).

    ``names``: every surface form, sorted, one a line; ``rows``: each place once,
    its fields joined by tabs, one a line; ``index``: the rows of each name's
    places (full-name matches first, then by level), name after name; ``first``:
    where each name's rows start in ``index``, and its length at the end;
    ``lengths``: for each first character of a name, the lengths of the names
    that start with it, longest first, as characters (``chr(3)`` for 3).
    """
    by_name: dict[str, list[Place]] = {}

    def add(surface: str, place: Place) -> None:
        bucket = by_name.setdefault(surface, [])
        if place not in bucket:
            bucket.append(place)

    for level, name, short, parents in _read_divisions(data_dir / DIVISIONS):
        if level == "town" and not name.endswith(_TOWN_SUFFIXES):
            continue  # 嘉定工业区 and other non-township units
        if name in _GENERIC:
            continue  # the data has a few units named by a bare common noun
        if level == "city" and parents and parents[0] == name:
            continue  # 北京市 under 北京市
        parent = parents[-1] if parents else ""
        place = Place(name, level, parent, parents[0] if parents else name, short if short != name else "")
        add(name, place)
        if place.short and level != "town" and len(place.short) >= 2 and name.startswith(place.short):
            add(place.short, place)
    for country, official in _read_countries(data_dir / COUNTRIES):
        place = Place(country, "country", "", "", "")
        add(country, place)
        if official != country:
            add(official, place)
    for surface, places in by_name.items():
        places.sort(key=lambda p: (p.name != surface, LEVEL_RANK[p.level]))
    names = sorted(by_name)
    rows: dict[Place, int] = {}
    index, first = array("I"), array("I")
    for name in names:
        first.append(len(index))
        index.extend(rows.setdefault(place, len(rows)) for place in by_name[name])
    first.append(len(index))
    for field in (f for place in rows for f in place):
        if "\t" in field or "\n" in field:
            raise ValueError(f"a gazetteer field holds a tab or a line break: {field!r}")
    by_first: dict[str, set[int]] = {}
    for name in names:
        by_first.setdefault(name[0], set()).add(len(name))
    return {
        "names": "\n".join(names),
        "rows": "\n".join("\t".join(place) for place in rows),
        "index": index,
        "first": first,
        "lengths": {c: "".join(map(chr, sorted(ns, reverse=True))) for c, ns in by_first.items()},
    }


def _read_countries(path: Path):
    for line in _lines(path):
        country, official = line.split("\t")
        yield country, official


def _key(data_dir: Path) -> str:
    """The resource key of the gazetteer's tables: this module and its two files."""
    return resources.file_key(__file__, data_dir / DIVISIONS, data_dir / COUNTRIES)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer, its tables built once per version of its data and of this module (``kg.resources``)."""
    data_dir = _files.data_dir()
    build = partial(gazetteer_tables, data_dir)
    return resources.load("gazetteer-tables", _key(data_dir), build, read=lambda tables: Gazetteer(tables=tables))
