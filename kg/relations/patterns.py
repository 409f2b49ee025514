"""Relation rules as data: patterns over a sentence's typed mentions, one file per relation kind.

Each file ``kg/lexicon/relation_patterns/<relation>.txt`` holds patterns, one a
line, each after the ``#`` comment that says what it reads, and with a
hand-made example and the pairs it must give::

    # 由A、B共同主办的X: the bodies before a hosting verb organise the initiative after it
    由{BODY+:head}~<organize>的?{I:tail}	由省科技厅、省教育厅共同主办的青年科学家论坛	省科技厅>青年科学家论坛

A pattern is a regular expression over the masked sentence (``kg.relations.view``) with macros:

* ``{P}`` ``{A}`` ``{O}`` ``{L}`` ``{I}``: a Person, Agency, Organization, Place, Initiative;
  ``{BODY}`` an agency or organisation, ``{PARTY}`` a body or a place, ``{ANY}`` any mention;
  ``{EVENT}`` an initiative or a word that refers to the article's event (会议, 会上: see
  ``lexicon.event_references``), which stands for the article's main event;
* ``{X+}``: a list of them, ``A、B和C`` (for initiatives also ``《A》《B》``), resolved once here;
* ``{X:role}``, ``{X+:role}``: what the relation links; roles are ``head`` and ``tail``, or
  ``both`` (every pair of the list, either way round);
* ``<kind>``: a trigger word of ``lexicon/relation_triggers.tsv``; ``{TITLE}``: an official title;
* ``~``: a short gap (up to 8 characters) with no mention and no clause punctuation;
  ``…``: a longer one (up to 30) that may hold places, a venue after 在 and commas, but no other mention;
  ``‥``: up to 24 characters of one clause that may name people and places but no body or initiative.
* consecutive pattern lines share the comment above the first.

A sentence is searched only with the patterns its mentions can fill: each pattern's
slot characters that any match must hold are read from its parsed expression
(``slots_needed``), so a rule costs nothing on sentences that lack its mention types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from kg import lexicon
from kg.model import Mention, Relation
from kg.relations.view import SLOTS, View
from kg.schema import RELATIONS

try:  # the parser of the standard library's re: 3.11 moved it
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover (3.10)
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_CLASSES = {
    "P": SLOTS["Person"],
    "A": SLOTS["Agency"],
    "O": SLOTS["Organization"],
    "L": SLOTS["Place"],
    "I": SLOTS["Initiative"],
    "BODY": SLOTS["Agency"] + SLOTS["Organization"],
    "PARTY": SLOTS["Agency"] + SLOTS["Organization"] + SLOTS["Place"],
    "ANY": "".join(SLOTS.values()),
}
_TYPES = {
    "P": ("Person",),
    "A": ("Agency",),
    "O": ("Organization",),
    "L": ("Place",),
    "I": ("Initiative",),
    "BODY": ("Agency", "Organization"),
    "PARTY": ("Agency", "Organization", "Place"),
    "ANY": tuple(SLOTS),
    "EVENT": ("Initiative",),
    "MAIN": ("Initiative",),
}
_SEPARATOR = "(?:、|，|和|与|及|以及|、以及|联合|会同|携手)"
_ALL_SLOTS = "".join(SLOTS.values())
_MACRO = re.compile(r"\{(?P<cls>[A-Z]+)(?P<plus>\+)?(?::(?P<role>[a-z]+))?\}|<(?P<trigger>[a-z_]+)>|(?P<gap>[~…‥])")
ROLES = ("head", "tail", "both")


def _one(cls: str) -> str:
    if cls == "EVENT":
        refs = "|".join(map(re.escape, lexicon.event_references()))
        return f"(?:{SLOTS['Initiative']}|{refs})"
    if cls == "MAIN":
        return ""
    if cls == "TITLE":
        return "(?:" + "|".join(map(re.escape, lexicon.titles())) + ")"
    if cls not in _CLASSES:
        raise ValueError(f"unknown class {{{cls}}}; known: {', '.join([*_CLASSES, 'EVENT', 'MAIN', 'TITLE'])}")
    return f"[{_CLASSES[cls]}]"


def compile_pattern(source: str) -> re.Pattern:
    """The regular expression of one pattern line (macros expanded)."""

    def expand(m: re.Match) -> str:
        if m["gap"]:
            if m["gap"] == "~":
                return f"[^，,。；;！!？?：:{_ALL_SLOTS}]{{0,8}}?"
            if m["gap"] == "‥":
                bodies = SLOTS["Agency"] + SLOTS["Organization"] + SLOTS["Initiative"]
                return f"[^，,。；;！!？?：:{bodies}]{{0,24}}?"
            # places may stand in it, and a venue after 在 (在金狮国际酒店,分别与…)
            no_mention = f"[^。；;！!？?{_ALL_SLOTS.replace(SLOTS['Place'], '')}]"
            return f"(?:{no_mention}|在{SLOTS['Organization']}){{0,30}}?"
        if m["trigger"]:
            words = lexicon.relation_triggers()[m["trigger"]]
            return "(?:" + "|".join(map(re.escape, words)) + ")"
        one = _one(m["cls"])
        if m["plus"]:
            # initiatives may follow each other unseparated (《A》《B》), and so may places, one inside the other (新疆喀什)
            sep = f"{_SEPARATOR}?" if m["cls"] in ("I", "EVENT", "L") else _SEPARATOR
            body = f"{one}(?:{sep}{one})*(?:等)?"
        else:
            body = one
        role = m["role"]
        if role:
            if role not in ROLES:
                raise ValueError(f"unknown role {role!r} in {source!r}; roles are {', '.join(ROLES)}")
            return f"(?P<{role}__{m['cls']}>{body})"
        return body

    return re.compile(_MACRO.sub(expand, source))


@dataclass(frozen=True)
class Pattern:
    """One rule line: the relation it gives, its source, compiled form, comment and example."""

    relation: str
    source: str
    regex: re.Pattern
    comment: str
    example: str
    expected: tuple[tuple[str, str], ...]
    line: int
    #: sets of slot characters: the sentence must hold one of each for the pattern to match (``slots_needed``)
    needs: tuple[frozenset[str], ...] = ()

    def apply(self, view: View) -> list[Relation]:
        out: list[Relation] = []
        for m in self.regex.finditer(view.masked):
            ends: dict[str, list[Mention]] = {}
            for name, value in m.groupdict().items():
                if value is None:
                    continue
                role, cls = name.split("__")
                members = view.members(m.start(name), m.end(name), _TYPES[cls])
                if cls in ("EVENT", "MAIN") and not members and view.ctx.main_event is not None:
                    members = [view.ctx.main_event]
                ends[role] = members
            pairs: list[tuple[Mention, Mention]] = []
            if "both" in ends:
                group = ends["both"]
                pairs += [(a, b) for i, a in enumerate(group) for b in group[i + 1 :]]
            pairs += [(h, t) for h in ends.get("head", ()) for t in ends.get("tail", ())]
            out += [Relation(self.relation, h, t, view.sent) for h, t in pairs if h.key != t.key]
        return out


@cache
def patterns() -> tuple[Pattern, ...]:
    """Every pattern of every relation kind, in file order."""
    folder = files("kg.lexicon").joinpath("relation_patterns")
    out: list[Pattern] = []
    for relation in RELATIONS:
        path = folder.joinpath(f"{relation}.txt")
        if not path.is_file():
            continue
        comment: list[str] = []
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line:
                comment = []
                continue
            if line.startswith("#"):
                comment.append(line.lstrip("# "))
                continue
            source, example, expected = (line.split("\t") + ["", ""])[:3]
            pairs = tuple(tuple(p.split(">", 1)) for p in expected.split(";") if ">" in p)
            regex = compile_pattern(source)
            out.append(
                Pattern(relation, source, regex, " ".join(comment), example, pairs, n, slots_needed(regex))  # type: ignore[arg-type]
            )  # the next line, if a pattern too, shares this comment
    return tuple(out)


def slots_needed(regex: re.Pattern) -> tuple[frozenset[str], ...]:
    """What any match of ``regex`` holds: sets of slot characters, at least one of each set.

    Read from the parsed expression: a character class, or a group or repeat
    that must occur, in the top-level sequence. A necessary condition only, so
    leaving a pattern out by it never loses a match (most sentences lack one of a
    pattern's mention types, and are not searched with it at all).

    >>> slots_needed(compile_pattern("{P:head}(?:在{L+})?担任{A:tail}")) == (frozenset(SLOTS["Person"]), frozenset(SLOTS["Agency"]))
    True
    """
    slots = frozenset(_ALL_SLOTS)
    return tuple(need for need in _needed(_sre_parse.parse(regex.pattern)) if need and need <= slots)


def _needed(items) -> list[frozenset[str]]:
    c = _sre_parse
    out: list[frozenset[str]] = []
    for op, av in items:
        if op is c.LITERAL:
            out.append(frozenset(chr(av)))
        elif op is c.IN:
            chars = _charset(av)
            if chars:
                out.append(chars)
        elif op is c.SUBPATTERN:
            out += _needed(av[-1])
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            out += _needed(av[2])
        elif op is c.BRANCH:
            firsts = [_needed(alt) for alt in av[1]]
            if all(firsts):
                out.append(frozenset().union(*(f[0] for f in firsts)))
    return out


def _charset(items) -> frozenset[str] | None:
    """The characters of a class made of single characters only (None for ranges, negations, categories)."""
    if any(op is not _sre_parse.LITERAL for op, _ in items):
        return None
    return frozenset(chr(av) for _, av in items)


def pattern_relations(view: View) -> list[Relation]:
    """The relations every pattern finds in one sentence."""
    masked = view.masked
    return [r for p in _patterns_for(tuple(min(masked.count(ch), 2) for ch in _ALL_SLOTS)) for r in p.apply(view)]


@cache
def _patterns_for(counts: tuple[int, ...]) -> tuple[Pattern, ...]:
    """The patterns a sentence may match that holds each slot character ``counts`` times (2: two or more)."""
    held = dict(zip(_ALL_SLOTS, counts))
    return tuple(p for p in patterns() if _enough(p.needs, held))


def _enough(needs: tuple[frozenset[str], ...], held: dict[str, int]) -> bool:
    """Whether slots ``held`` can fill ``needs``: each set once, a set needed n times n times (up to 2)."""
    return all(sum(held[ch] for ch in need) >= min(needs.count(need), 2) for need in set(needs))
