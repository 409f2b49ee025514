"""The schema is written once (kg/schema.py): the ontology agrees with it and every output follows it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg import schema
from kg.vocab import VOCAB_BASE

ROOT = Path(__file__).resolve().parent.parent


def test_generated_blocks_of_the_ontology_are_up_to_date():
    assert schema.stale_files() == [], "run: python -m kg.schema"
    assert (ROOT / "ontology" / "kg.ttl") in schema.generated_files()


def test_the_ontology_declares_every_type_and_relation_as_the_schema_says():
    g = Graph().parse(ROOT / "ontology" / "kg.ttl")
    kg = lambda name: URIRef(VOCAB_BASE + name)  # noqa: E731
    for t in schema.TYPES:
        assert (kg(t.name), RDF.type, OWL.Class) in g
        assert (kg(t.name), RDFS.subClassOf, kg("Entity")) in g
    for r in schema.RELATION_KINDS:
        assert (kg(r.name), RDF.type, OWL.ObjectProperty) in g
        assert ((kg(r.name), RDF.type, OWL.SymmetricProperty) in g) == r.symmetric
        domains = set(g.objects(kg(r.name), RDFS.domain))
        assert domains == ({kg(next(iter(r.heads)))} if len(r.heads) == 1 else set())


@pytest.mark.parametrize(
    ("relation", "head", "tail", "allowed"),
    [
        ("holdsPosition", "Person", "Agency", True),
        ("holdsPosition", "Agency", "Person", False),
        ("partOf", "Place", "Place", True),
        ("partOf", "Organization", "Agency", True),
        ("partOf", "Organization", "Place", False),  # an organisation in a place is locatedIn
        ("participatesIn", "Place", "Initiative", True),
        ("locatedIn", "Person", "Place", False),
        ("cooperatesWith", "Agency", "Organization", True),
        ("employs", "Agency", "Person", False),  # not in the schema
    ],
)
def test_allowed_endpoints(relation, head, tail, allowed):
    assert schema.allows(relation, head, tail) is allowed


def test_an_unknown_name_says_what_the_schema_has():
    with pytest.raises(KeyError, match="holdsPosition, affiliatedWith"):
        schema.relation_kind("holdPosition")
    with pytest.raises(KeyError, match="Person, Agency"):
        schema.entity_type("Persn")


def test_a_marked_block_is_rewritten_in_place_with_its_indentation():
    text = "a\n    # <kg:schema relations-seq>\n    stale\n    # </kg:schema relations-seq>\nb\n"
    out = schema.render(text)
    assert out.startswith("a\n    # <kg:schema relations-seq>\n    kg:holdsPosition kg:affiliatedWith")
    assert out.endswith("    # </kg:schema relations-seq>\nb\n")
    assert schema.render(out) == out


EIGHTH_RELATION = textwrap.dedent(
    """
    import sys
    import kg.schema as s

    extra = s.RelationKind(
        "fundedBy", "资助", "funded by", "资助", "An initiative is funded by a body.",
        ((frozenset({"Initiative"}), frozenset({"Agency", "Organization"})),), "#123456",
    )
    s.RELATION_KINDS += (extra,)
    s.RELATIONS += (extra.name,)
    s._RELATION_BY_NAME[extra.name] = extra

    from pathlib import Path
    from kg.export import WRITERS
    from kg.graph import add_entity, add_link, new_graph

    G = new_graph([{"id": "d.txt", "path": "d.txt", "sha256": "0" * 64, "title": "", "chars": 9}])
    a = add_entity(G, "Initiative", "科技特派员制度")
    b = add_entity(G, "Agency", "河北省科学技术厅")
    add_link(G, a, b, "fundedBy", [{"document": "d.txt", "sentence": "省科技厅资助科技特派员制度。", "start": 0, "end": 9}])
    out = Path(sys.argv[1])
    for name, (filename, writer) in WRITERS.items():
        writer(G, out / filename)
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "kg:fundedBy" in ttl, ttl
    assert "fundedBy" in s.render((Path(s.ONTOLOGY_SOURCE) / "kg.ttl").read_text(encoding="utf-8"))
    print("ok")
    """
)


def test_an_eighth_relation_needs_only_a_schema_entry(tmp_path):
    """Every writer and the ontology take a new relation from the schema alone, with no KeyError."""
    done = subprocess.run(
        [sys.executable, "-c", EIGHTH_RELATION, str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
