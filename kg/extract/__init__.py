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

from kg.extract.bodies import find_agencies, find_organizations
from kg.extract.clean import clean
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
    merged = clean(doc.text, merge(m for candidates in found.values() for m in candidates))
    doc = doc.with_mentions(merged)
    return replace(doc, inner=tuple(name_parts(doc, merged)))
