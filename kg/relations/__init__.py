"""The relation stage: every rule over every sentence, each relation with the sentence that states it.

Rules read one sentence at a time (``kg.relations.view``: the sentence's
mentions by type, its titles, list separators and trigger words):

* ``patterns``: the rules written as data, one file of patterns per relation
  kind in ``kg/lexicon/relation_patterns/`` (organizes, participatesIn,
  locatedIn, cooperatesWith, partOf, affiliatedWith);
* ``posts``: titles before a name (holdsPosition, and affiliatedWith for 市领导A);
* ``events``: who attends, chairs or speaks at the article's event (participatesIn);
* ``partners``: partners named clause after clause for one subject (cooperatesWith);
* ``structure``: what names state (partOf, locatedIn) and roles of an agency (organizes).

What the whole article says (its main event, the bodies it names, the parts
of names) is computed once per document (``kg.relations.context``).

>>> from kg.textio import make_document
>>> from kg.extract import find_entities
>>> from kg.resolve import resolve_document
>>> doc = find_relations(resolve_document(find_entities(make_document("d", "省科技厅副厅长李从民出席会议。"))))
>>> [(r.relation, r.head.text, r.tail.text, r.title) for r in doc.relations]
[('holdsPosition', '李从民', '省科技厅', '副厅长')]
"""

from __future__ import annotations

from collections.abc import Callable

from kg.model import Document, Relation
from kg.relations.context import DocContext
from kg.relations.events import attendance
from kg.relations.partners import clause_partners
from kg.relations.patterns import pattern_relations
from kg.relations.posts import post_relations
from kg.relations.structure import containment, divisions, issued_documents, roles, visited_bodies
from kg.relations.view import View
from kg.schema import allows

Rule = Callable[[View], list[Relation]]

#: The rules, in the order they run on each sentence.
RULES: tuple[tuple[str, Rule], ...] = (
    ("posts", post_relations),
    ("patterns", pattern_relations),
    ("events", attendance),
    ("partners", clause_partners),
    ("structure", containment),
    ("roles", roles),
    ("issued", issued_documents),
    ("visited", visited_bodies),
)


def find_relations(doc: Document) -> Document:
    """The relation stage: every rule over every sentence; each relation once, and only as the schema allows."""
    ctx = DocContext(doc)
    relations: list[Relation] = []
    for sent in doc.sentences:
        ms = ctx.within(sent)
        if not ms:
            continue
        view = View(ctx, sent, ms)
        for _name, rule in RULES:
            relations.extend(rule(view))
    relations.extend(divisions(ctx))
    seen = set()
    unique = []
    for r in relations:
        key = (r.relation, r.head.key, r.tail.key, r.title, r.sentence.start)
        if key in seen or r.head.key == r.tail.key or not allows(r.relation, r.head.type, r.tail.type):
            continue
        seen.add(key)
        unique.append(r)
    return doc.with_relations(unique)
