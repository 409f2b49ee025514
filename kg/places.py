"""Chinese administrative divisions, from a maintained dataset.

The divisions (province → prefecture → county → township, with short forms
such as 唐山 for 唐山市, data to 2023) and the countries come from jionlp's
``china_location`` and ``world_location`` tables, copied into kg's own
``kg/data/china_divisions.txt`` and ``kg/data/countries.tsv`` by
``scripts/build_places.py`` (run by hand to refresh them; kg does not need
jionlp). One Aho–Corasick automaton over every name makes matching one pass
over the text whatever its size.

>>> g = gazetteer()
>>> [(p.name, p.level, p.parent) for p in g.lookup("唐山市")]
[('唐山市', 'city', '河北省')]
>>> g.lookup("玉田")[0].name
'玉田县'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import ahocorasick_rs

from kg import _files, resources

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
    """Every division and country name, matched on characters."""

    def __init__(self, data_dir: Path | None = None):
        data_dir = data_dir or _files.data_dir()
        self._by_name: dict[str, list[Place]] = {}
        for level, name, short, parents in _read_divisions(data_dir / DIVISIONS):
            if level == "town" and not name.endswith(_TOWN_SUFFIXES):
                continue  # 嘉定工业区 and other non-township units
            if name in _GENERIC:
                continue  # the data has a few units named by a bare common noun
            if level == "city" and parents and parents[0] == name:
                continue  # 北京市 under 北京市
            parent = parents[-1] if parents else ""
            place = Place(name, level, parent, parents[0] if parents else name, short if short != name else "")
            self._add(name, place)
            if place.short and level != "town" and len(place.short) >= 2 and name.startswith(place.short):
                self._add(place.short, place)
        for country, official in _read_countries(data_dir / COUNTRIES):
            place = Place(country, "country", "", "", "")
            self._add(country, place)
            if official != country:
                self._add(official, place)
        for surface, places in self._by_name.items():
            places.sort(key=lambda p: (p.name != surface, LEVEL_RANK[p.level]))
        self._names = sorted(self._by_name)
        self._matcher = self._compile()

    def _compile(self) -> ahocorasick_rs.AhoCorasick:
        return ahocorasick_rs.AhoCorasick(self._names, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    # The matcher does not pickle (kg.resources keeps the gazetteer as a pickle): it is compiled again (0.08 s).
    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_matcher"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._matcher = self._compile()

    def _add(self, surface: str, place: Place) -> None:
        bucket = self._by_name.setdefault(surface, [])
        if place not in bucket:
            bucket.append(place)

    def lookup(self, surface: str) -> list[Place]:
        """The places a surface form may denote, full-name matches first."""
        return list(self._by_name.get(surface, ()))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, surface)`` of the names in ``text``: leftmost first, the longest at each
        start, none overlapping (承德|国家, not 承|德国).

        >>> gazetteer().find("河北省承德国家高新区")
        [(0, 3, '河北省'), (3, 5, '承德')]
        """
        names = self._names
        return [(start, end, names[i]) for i, start, end in self._matcher.find_matches_as_indexes(text)]


def _read_countries(path: Path):
    for line in _lines(path):
        country, official = line.split("\t")
        yield country, official


def _key(data_dir: Path) -> str:
    """The resource key of the gazetteer: this module, its two tables and the matcher's version."""
    return resources.file_key(
        __file__, data_dir / DIVISIONS, data_dir / COUNTRIES, extra=f"ahocorasick-rs {_matcher_version()}"
    )


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built once per version of its data and of this module (``kg.resources``)."""
    return resources.load("gazetteer", _key(_files.data_dir()), Gazetteer)


def _matcher_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ahocorasick-rs")
    except PackageNotFoundError:  # pragma: no cover - installed some other way
        return "unknown"
