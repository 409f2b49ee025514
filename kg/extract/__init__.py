"""The entity stage: finders, one list of them, one merge.

A finder is ``find(doc, found) -> list[Mention]``: it reads the document (and,
where it needs them, the candidates of the finders before it, by name in
``found``) and returns candidate mentions. Finders match on characters
(offsets into ``doc.text``), using jieba only to judge word boundaries.
Knowledge comes from ``kg.lexicon`` (titles, suffixes, surnames, government
domains), ``kg.places`` (administrative divisions) and the statistical tagger
in ``kg.ner`` (a character CRF trained on news); no list of particular
entities is involved. ``merge`` then keeps the surest of overlapping
candidates, and the named parts of the kept names are recorded
(``Document.inner``, see ``kg.extract.parts``).

>>> from kg.textio import make_document
>>> doc = make_document("d", "8月13日,省科技厅厅长龙奋杰在石家庄市召开会议。")
>>> sorted((m.text, m.type) for m in find_entities(doc).mentions)
[('省科技厅', 'Agency'), ('石家庄市', 'Place'), ('龙奋杰', 'Person')]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from kg import lexicon
from kg.extract.bodies import find_agencies, find_organizations
from kg.extract.initiatives import find_initiatives
from kg.extract.merge import PRIORITY, merge
from kg.extract.parts import name_parts
from kg.extract.persons import find_persons
from kg.extract.places import find_places
from kg.extract.tagger import find_tagged
from kg.model import Document, Mention

Finder = Callable[[Document, dict[str, list[Mention]]], list[Mention]]

#: The finders in the order they run; each sees what the ones before it found.
FINDERS: tuple[tuple[str, Finder], ...] = (
    ("tagger", find_tagged),
    ("places", find_places),
    ("agencies", find_agencies),
    ("organizations", find_organizations),
    ("persons", find_persons),
    ("initiatives", find_initiatives),
)

__all__ = [
    "FINDERS",
    "PRIORITY",
    "find_agencies",
    "find_entities",
    "find_initiatives",
    "find_organizations",
    "find_persons",
    "find_places",
    "find_tagged",
    "merge",
]


def find_entities(doc: Document) -> Document:
    """Every finder, then one merge of all their candidates; the kept names' parts in ``doc.inner``."""
    found: dict[str, list[Mention]] = {}
    for name, finder in FINDERS:
        found[name] = finder(doc, found)
    merged = _party_committee_titles(doc.text, merge(m for candidates in found.values() for m in candidates))
    doc = doc.with_mentions(merged)
    return replace(doc, inner=tuple(name_parts(doc, merged)))


#: A body's Party committee or group, and the Party titles that may follow it.
_COMMITTEES = ("党委", "党组", "党工委")
_PARTY_TITLES = ("书记", "副书记", "第一书记", "委员", "常委", "成员")


def _party_committee_titles(text: str, mentions: list[Mention]) -> list[Mention]:
    """国务院国资委|党委书记, 四川大学|党委副书记: the Party title belongs to the title, not to a "X党委" body.

    Only where what is left is a body by its own head word (国资委, 大学); 兵团党委 and 自治区党委 stay.
    """
    heads = tuple(lexicon.org_suffixes())
    out = []
    for m in mentions:
        committee = next((c for c in _COMMITTEES if m.text.endswith(c)), "")
        rest = m.text[: -len(committee)] if committee else ""
        if (
            committee
            and m.type in ("Agency", "Organization")
            and text.startswith(_PARTY_TITLES, m.end)
            and len(rest) >= 3
            and rest.endswith(heads)
            and not rest.endswith(_COMMITTEES)
        ):
            type_ = lexicon.org_suffixes()[next(h for h in sorted(heads, key=len, reverse=True) if rest.endswith(h))][0]
            m = replace(
                m, end=m.end - len(committee), text=rest, type=type_ if type_ in ("Agency", "Organization") else m.type
            )
        out.append(m)
    return out
