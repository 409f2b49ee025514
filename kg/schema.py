"""The public schema (DESIGN.md §2), written once: entity types and relation kinds.

Every other place that needs the types or the relations (the graph, the
assembler's endpoint check, the vocabulary, the writers' colours and legends,
the ontology, the SHACL shapes and the named queries) reads them from here.
The schema-dependent parts of ``ontology/*.ttl`` and ``ontology/queries/*.rq``
are generated: they sit between ``# <kg:schema NAME>`` and
``# </kg:schema NAME>`` comment lines, ``python -m kg.schema`` rewrites them and
a test fails when a committed file is out of date. Adding a relation is an
entry in ``RELATION_KINDS``, the rule that finds it and its test.

>>> ENTITY_TYPES
('Person', 'Agency', 'Organization', 'Place', 'Initiative')
>>> allows("partOf", "Place", "Place"), allows("partOf", "Place", "Agency")
(True, False)
>>> relation_kind("holdsPosition").legend
'任职'
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EntityType:
    """A node type: its name in the graph and what every output shows for it."""

    name: str
    #: label in the ontology (``rdfs:label``), Chinese and English
    label_zh: str
    label_en: str
    #: the short Chinese name of the page's legend
    legend: str
    definition: str
    #: classes of public vocabularies it is a subclass of (prefixed names)
    aligned: tuple[str, ...]
    colour: str
    #: vis-network shape on the page, and GEXF ``viz:shape`` for Gephi
    shape: str
    gexf_shape: str


@dataclass(frozen=True)
class RelationKind:
    """An edge type: which entity types it joins and how every output shows it."""

    name: str
    label_zh: str
    label_en: str
    legend: str
    definition: str
    #: the allowed (head types, tail types); several pairs where kinds must not mix (partOf)
    endpoints: tuple[tuple[frozenset[str], frozenset[str]], ...]
    colour: str
    symmetric: bool = False
    #: further ontology statements about the property, as (predicate, object) prefixed names
    ontology: tuple[tuple[str, str], ...] = ()

    @property
    def heads(self) -> frozenset[str]:
        return frozenset().union(*(h for h, _ in self.endpoints))

    @property
    def tails(self) -> frozenset[str]:
        return frozenset().union(*(t for _, t in self.endpoints))


def _types(*names: str) -> frozenset[str]:
    return frozenset(names)


TYPES: tuple[EntityType, ...] = (
    EntityType(
        "Person",
        "人物",
        "person",
        "人物",
        "A named human being, e.g. an official or a researcher.",
        ("foaf:Person", "schema:Person"),
        "#e15759",
        "dot",
        "disc",
    ),
    EntityType(
        "Agency",
        "机关",
        "agency",
        "机关",
        "A government or Party body or public authority, e.g. 河北省科学技术厅.",
        ("org:FormalOrganization", "schema:GovernmentOrganization"),
        "#4e79a7",
        "diamond",
        "diamond",
    ),
    EntityType(
        "Organization",
        "组织",
        "organization",
        "组织",
        "A non-government organization: company, university, institute, hospital, medium, co-operative.",
        ("org:FormalOrganization", "schema:Organization"),
        "#f28e2b",
        "square",
        "square",
    ),
    EntityType(
        "Place",
        "地点",
        "place",
        "地点",
        "A place: province, city, county, town, village, development zone, region or country.",
        ("schema:Place",),
        "#59a14f",
        "triangle",
        "triangle",
    ),
    EntityType(
        "Initiative",
        "举措",
        "initiative",
        "项目",
        "A programme, system (制度), policy or named policy document, campaign, project, fund, "
        "or named event such as a forum, competition or training class.",
        (),
        "#b07aa1",
        "star",
        "disc",
    ),
)

_BODIES = _types("Agency", "Organization")

RELATION_KINDS: tuple[RelationKind, ...] = (
    RelationKind(
        "holdsPosition",
        "任职于",
        "holds position in",
        "任职",
        "A person holds a titled post in an agency or organization, or in a place's government where the "
        "text names no government body (县长 of 正定县); the title is on the statement (kg:title) and the post (kg:Post).",
        ((_types("Person"), _types("Agency", "Organization", "Place")),),
        "#e15759",
        ontology=(("rdfs:subPropertyOf", "kg:affiliatedWith"),),
    ),
    RelationKind(
        "affiliatedWith",
        "隶属于",
        "affiliated with",
        "隶属",
        "A person works for or belongs to an agency or organization, or leads a place (市领导), no title stated.",
        ((_types("Person"), _types("Agency", "Organization", "Place")),),
        "#ff9da7",
        ontology=(("rdfs:subPropertyOf", "schema:affiliation"),),
    ),
    RelationKind(
        "organizes",
        "组织开展",
        "organizes",
        "组织",
        "An agency or organization launches, runs or organizes an initiative.",
        ((_BODIES, _types("Initiative")),),
        "#4e79a7",
        ontology=(("owl:inverseOf", "schema:organizer"),),
    ),
    RelationKind(
        "participatesIn",
        "参与",
        "participates in",
        "参与",
        "A person, organization, agency or place takes part in an initiative.",
        ((_types("Person", "Organization", "Agency", "Place"), _types("Initiative")),),
        "#b07aa1",
    ),
    RelationKind(
        "locatedIn",
        "位于",
        "located in",
        "位于",
        "An organization, agency or initiative is located or held in a place.",
        ((_types("Organization", "Agency", "Initiative"), _types("Place")),),
        "#59a14f",
        ontology=(("rdfs:subPropertyOf", "schema:location"),),
    ),
    RelationKind(
        "partOf",
        "属于",
        "part of",
        "属于",
        "A place lies within a larger place (as schema:containedInPlace), "
        "or an agency or organization is a unit of another (as org:subOrganizationOf).",
        ((_types("Place"), _types("Place")), (_BODIES, _BODIES)),
        "#76b7b2",
        ontology=(
            ("rdfs:subPropertyOf", "dcterms:isPartOf"),
            ("rdfs:seeAlso", "schema:containedInPlace, org:subOrganizationOf"),
        ),
    ),
    RelationKind(
        "cooperatesWith",
        "合作",
        "cooperates with",
        "合作",
        "Two agencies, organizations or places (a city signing with a university) work together.",
        ((_types("Agency", "Organization", "Place"), _types("Agency", "Organization", "Place")),),
        "#f28e2b",
        symmetric=True,
        ontology=(("rdfs:subPropertyOf", "org:linkedTo"),),
    ),
)

#: The type names in display order (a node's ``type``), and the relation names (an edge's ``relation``).
ENTITY_TYPES: tuple[str, ...] = tuple(t.name for t in TYPES)
RELATIONS: tuple[str, ...] = tuple(r.name for r in RELATION_KINDS)

_TYPE_BY_NAME = {t.name: t for t in TYPES}
_RELATION_BY_NAME = {r.name: r for r in RELATION_KINDS}


def entity_type(name: str) -> EntityType:
    """The entity type called ``name``; a ``KeyError`` that lists the known ones otherwise."""
    try:
        return _TYPE_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown entity type {name!r}; the schema has {', '.join(ENTITY_TYPES)}") from None


def relation_kind(name: str) -> RelationKind:
    """The relation kind called ``name``; a ``KeyError`` that lists the known ones otherwise."""
    try:
        return _RELATION_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown relation {name!r}; the schema has {', '.join(RELATIONS)}") from None


def allows(relation: str, head_type: str, tail_type: str) -> bool:
    """Does the schema allow ``relation`` from a ``head_type`` to a ``tail_type``? (False for unknown names.)"""
    kind = _RELATION_BY_NAME.get(relation)
    return kind is not None and any(head_type in h and tail_type in t for h, t in kind.endpoints)


# ---------------------------------------------------------------------------
# the generated parts of ontology/


def _ordered(types: Iterable[str]) -> list[str]:
    """Type names in display order (the schema's order, not a set's)."""
    wanted = set(types)
    return [t for t in ENTITY_TYPES if t in wanted]


def _class_list(types: Iterable[str], sep: str = ", ") -> str:
    return sep.join(f"kg:{t}" for t in _ordered(types))


def _ontology_classes() -> str:
    blocks = []
    for t in TYPES:
        parents = ", ".join(("kg:Entity", *t.aligned))
        blocks.append(
            f"kg:{t.name}\n"
            "    a owl:Class ;\n"
            f'    rdfs:label "{t.label_zh}"@zh, "{t.label_en}"@en ;\n'
            f'    skos:definition "{t.definition}"@en ;\n'
            f"    rdfs:subClassOf {parents} ."
        )
    return "\n\n".join(blocks)


def _ontology_relations() -> str:
    blocks = []
    for r in RELATION_KINDS:
        lines = [
            f"kg:{r.name}",
            "    a owl:ObjectProperty" + (", owl:SymmetricProperty" if r.symmetric else "") + " ;",
            f'    rdfs:label "{r.label_zh}"@zh, "{r.label_en}"@en ;',
            f'    skos:definition "{r.definition}"@en ;',
        ]
        # rdfs:domain and rdfs:range mean every class listed (an intersection): stated only for one class
        if len(r.heads) == 1:
            lines.append(f"    rdfs:domain kg:{next(iter(r.heads))} ;")
        if len(r.tails) == 1:
            lines.append(f"    rdfs:range kg:{next(iter(r.tails))} ;")
        lines += [f"    {p} {o} ;" for p, o in r.ontology]
        lines[-1] = lines[-1][:-2] + " ."
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _shape_of(types: Iterable[str]) -> str:
    """``sh:class kg:X`` for one type, ``sh:or ( [ sh:class kg:X ] … )`` for several."""
    ordered = _ordered(types)
    if len(ordered) == 1:
        return f"sh:class kg:{ordered[0]}"
    return "sh:or ( " + " ".join(f"[ sh:class kg:{t} ]" for t in ordered) + " )"


def _a_list(types: Iterable[str]) -> str:
    """a Person, an Organization, an Agency or a Place: the types as a message names them."""
    names = [("an " if n[0] in "AEIOU" else "a ") + n for n in _ordered(types)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _relation_shapes() -> str:
    blocks = []
    for r in RELATION_KINDS:
        shape = f"kgsh:{r.name[0].upper()}{r.name[1:]}Shape"
        head = [
            shape,
            "    a sh:NodeShape ;",
            f"    sh:targetSubjectsOf kg:{r.name} ;",
        ]
        if len(r.endpoints) == 1:
            heads, tails = r.endpoints[0]
            head += [
                f"    {_shape_of(heads)} ;",
                f'    sh:message "only {_a_list(heads)} is the subject of kg:{r.name}" ;',
                "    sh:property [",
                f"        sh:path kg:{r.name} ;",
                f"        {_shape_of(tails)} ;",
                f'        sh:message "kg:{r.name} points to {_a_list(tails)}" ;',
                "    ] .",
            ]
        else:
            alternatives = [
                f"        [ {_shape_of(h)} ; sh:property [ sh:path kg:{r.name} ; {_shape_of(t)} ] ]"
                for h, t in r.endpoints
            ]
            pairs = ", or ".join(f"{_a_list(h)} to {_a_list(t)}" for h, t in r.endpoints)
            head += ["    sh:or (", *alternatives, "    ) ;", f'    sh:message "kg:{r.name} links {pairs}" .']
        blocks.append("\n".join(head))
    return "\n\n".join(blocks)


def blocks() -> dict[str, str]:
    """Every generated block by name (what lies between its markers, without indentation)."""
    return {
        "ontology-classes": _ontology_classes(),
        "ontology-relations": _ontology_relations(),
        "relation-shapes": _relation_shapes(),
        # lists for Turtle and SPARQL: kg:Person, kg:Agency, … / kg:Person kg:Agency …
        "entity-classes": _class_list(ENTITY_TYPES),
        "entity-classes-seq": _class_list(ENTITY_TYPES, " "),
        "relations": ", ".join(f"kg:{r}" for r in RELATIONS),
        "relations-seq": " ".join(f"kg:{r}" for r in RELATIONS),
    }


_MARKED = re.compile(
    r"^(?P<indent>[ \t]*)# <kg:schema (?P<name>[a-z-]+)>\n.*?^(?P=indent)# </kg:schema (?P=name)>$",
    re.MULTILINE | re.DOTALL,
)

#: The repository's ontology folder (the files ``python -m kg.schema`` rewrites).
ONTOLOGY_SOURCE = Path(__file__).resolve().parent.parent / "ontology"


def render(text: str) -> str:
    """``text`` with every marked block replaced by its generated content (indented as its marker)."""
    generated = blocks()

    def fill(m: re.Match) -> str:
        indent, name = m["indent"], m["name"]
        if name not in generated:
            raise KeyError(f"unknown schema block {name!r}; known: {', '.join(generated)}")
        body = "\n".join(indent + line if line else "" for line in generated[name].split("\n"))
        return f"{indent}# <kg:schema {name}>\n{body}\n{indent}# </kg:schema {name}>"

    return _MARKED.sub(fill, text)


def generated_files(folder: Path = ONTOLOGY_SOURCE) -> list[Path]:
    """The files under ``folder`` that hold at least one marked block."""
    return [
        p for p in sorted(folder.rglob("*")) if p.suffix in (".ttl", ".rq") and _MARKED.search(p.read_text("utf-8"))
    ]


def stale_files(folder: Path = ONTOLOGY_SOURCE) -> list[Path]:
    """The files whose marked blocks differ from what the schema generates."""
    return [p for p in generated_files(folder) if render(p.read_text("utf-8")) != p.read_text("utf-8")]


def main(argv: list[str] | None = None) -> int:
    """``python -m kg.schema``: rewrite the generated blocks of ``ontology/`` (``--check``: only report)."""
    args = sys.argv[1:] if argv is None else argv
    stale = stale_files()
    if "--check" in args:
        for p in stale:
            print(f"out of date: {p}")
        return 1 if stale else 0
    for p in stale:
        p.write_text(render(p.read_text("utf-8")), encoding="utf-8")
        print(f"rewrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
