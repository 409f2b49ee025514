"""Knowledge as data: the lexicon files beside this module, loaded once.

Every file holds general Chinese knowledge (titles, name suffixes, surnames,
government domains, initiative heads), never the entities of particular
articles. Lines starting with ``#`` are comments.
"""

from __future__ import annotations

from functools import cache

from kg import _files


def _lines(name: str) -> list[str]:
    text = _files.lexicon_text(name)
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _by_length(words) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def titles() -> tuple[str, ...]:
    """Official titles, longest first (党组副书记 before 书记); each deputy's title also as the executive
    deputy's (副所长 → 常务副所长), which Chinese forms the same way for every office."""
    lines = _lines("titles.txt")
    return _by_length({*lines, *("常务" + t for t in lines if t.startswith("副") and len(t) >= 3)})


@cache
def league_prefixes() -> tuple[str, ...]:
    """Bodies whose committees are written like the Party's (团省委, 民革河北省委), longest first."""
    return _by_length(_lines("league_prefixes.txt"))


@cache
def zone_heads() -> dict[str, str]:
    """Head words of development zones -> their full form (高新区 -> 高新技术产业开发区), longest head first."""
    out = {}
    for line in _lines("zone_heads.tsv"):
        head, _, full = line.partition("\t")
        out[head] = full.strip() or head
    return {h: out[h] for h in _by_length(out)}


@cache
def regions() -> tuple[str, ...]:
    """Named regions that span several divisions (京津冀, 长三角), longest first."""
    return _by_length(_lines("regions.txt"))


@cache
def corporate_titles() -> tuple[str, ...]:
    """Titles held only in enterprises (董事长, 总经理), longest first."""
    return _by_length(_lines("corporate_titles.txt"))


@cache
def surnames() -> frozenset[str]:
    return frozenset(_lines("surnames.txt"))


@cache
def org_suffixes() -> dict[str, tuple[str, str]]:
    """suffix -> (entity type, kind) where kind is gov, name or unit."""
    out = {}
    for line in _lines("org_suffixes.tsv"):
        suffix, type_, kind = line.split("\t")
        out[suffix] = (type_, kind)
    return out


@cache
def _org_suffix_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(s) for s in org_suffixes()}, reverse=True))


def org_heads(text: str) -> list[str]:
    """The head words of ``org_suffixes`` that ``text`` ends with, longest first.

    >>> org_heads("河北省科学技术厅")
    ['厅']
    """
    suffixes = org_suffixes()
    return [text[-n:] for n in _org_suffix_lengths() if n <= len(text) and text[-n:] in suffixes]


@cache
def gov_domains() -> dict[str, str]:
    """Short or full domain of a department -> its full form (科技 -> 科学技术)."""
    return dict(tuple(line.split("\t")) for line in _lines("gov_domains.tsv"))  # type: ignore[misc]


@cache
def abbreviations() -> dict[str, str]:
    return dict(tuple(line.split("\t")) for line in _lines("abbreviations.tsv"))  # type: ignore[misc]


@cache
def initiative_suffixes() -> tuple[str, ...]:
    return _by_length(_lines("initiative_suffixes.txt"))


@cache
def policy_document_suffixes() -> tuple[str, ...]:
    return _by_length(_lines("policy_document_suffixes.txt"))


@cache
def generic_modifiers() -> tuple[str, ...]:
    return _by_length(_lines("generic_modifiers.txt"))


@cache
def boundary_words() -> frozenset[str]:
    """Words that end a name walking left from its head (推行|科技特派员制度)."""
    return frozenset(_lines("boundary_words.txt"))


@cache
def place_abbreviations() -> dict[str, str]:
    """One-character short forms of provinces and countries (冀 → 河北省, 美 → 美国).

    Where a character has two readings (澳), the first line wins.
    """
    out: dict[str, str] = {}
    for line in _lines("place_abbreviations.tsv"):
        short, full = line.split("\t")
        out.setdefault(short, full)
    return out


@cache
def name_followers() -> tuple[str, ...]:
    """Words that end a personal name when they follow it, in the file's order (龙奋杰|表示)."""
    return tuple(dict.fromkeys(_lines("name_followers.txt")))


@cache
def weak_surnames() -> frozenset[str]:
    """One-character surnames that are also everyday words (和, 于, 高)."""
    return frozenset(_lines("weak_surnames.txt"))


@cache
def pos_classes() -> dict[str, frozenset[str]]:
    """jieba part-of-speech tags by class: ``stop``, ``proper``, ``initiative``."""
    out = {}
    for line in _lines("pos_classes.tsv"):
        name, tags = line.split("\t")
        out[name] = frozenset(tags.split())
    return out


@cache
def weak_initiative_heads() -> tuple[str, ...]:
    """Initiative heads that need a quoted, numbered or proper name before them (活动, 项目)."""
    return tuple(_lines("weak_initiative_heads.txt"))


@cache
def level_words() -> frozenset[str]:
    """Words that state the level of a body (省, 国家, 中共)."""
    return frozenset(_lines("level_words.txt"))


@cache
def level_prefixes() -> tuple[str, ...]:
    """Level prefixes of a department's name, in the order they are tried (中共中央 before 中央)."""
    return tuple(_lines("level_prefixes.txt"))


@cache
def relation_triggers() -> dict[str, tuple[str, ...]]:
    """Trigger words of the relation rules by kind, in the file's order (the first that matches wins)."""
    out = {}
    for line in _lines("relation_triggers.tsv"):
        kind, words = line.split("\t")
        out[kind] = tuple(words.split())
    return out


@cache
def event_heads() -> tuple[str, ...]:
    """Head words of events that happen at a time and place (会议, 论坛, 仪式, 培训班), longest first."""
    return _by_length(_lines("event_heads.txt"))


@cache
def event_references() -> tuple[str, ...]:
    """Words that refer back to the article's event (会上, 本次会议, 活动), longest first."""
    return _by_length(_lines("event_references.txt"))


@cache
def place_titles() -> dict[str, str]:
    """Titles held in a place's government, by the level of the place (市长 → city, 副省长 → province)."""
    return dict(tuple(line.split("\t")) for line in _lines("place_titles.tsv"))  # type: ignore[misc]
