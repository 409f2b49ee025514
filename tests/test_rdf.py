"""graph.ttl: parses with two parsers, round-trips hostile text, byte-stable, and speaks only the ontology."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import RDF, SKOS, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV

from kg.export import WRITERS
from kg.export.json import read_json
from kg.export.rdf import entity_iri, escape_string, rdf_graph, triples, turtle_of, turtle_text, write_turtle
from kg.graph import add_entity, add_link, new_graph
from kg.vocab import DATA_BASE, KG, ONTOLOGY_DIR, VOCAB_BASE

ONTOLOGY = ONTOLOGY_DIR / "kg.ttl"
ROOT = Path(__file__).resolve().parent.parent
HOSTILE = '<img src=x onerror="window.__pwned=1">"\'\\</script>]]>&amp;\n\x0b'  # as in conftest.py


HOSTILE_LABELS = [
    'say "hi"',
    "back\\slash\\",
    "line\nbreak\r\n",
    "tab\there",
    "a > b < c & d",
    'triple """ quotes',
    'ends with quote"',
    HOSTILE,
    "emoji 😀 and \u2028 separator",
]


def parse_both(text: str) -> tuple[Graph, list]:
    rdflib_graph = Graph().parse(data=text, format="turtle")
    oxi = list(pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE))
    return rdflib_graph, oxi


def ontology_declared() -> set[URIRef]:
    onto = Graph().parse(ONTOLOGY, format="turtle")
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}
    return {s for k in kinds for s in onto.subjects(RDF.type, k) if isinstance(s, URIRef)}


# ---------------------------------------------------------------- vocabulary == ontology


def test_vocab_equals_ontology_both_ways():
    declared = {str(t) for t in ontology_declared() if str(t).startswith(VOCAB_BASE)}
    in_code = {VOCAB_BASE + name for name in KG.__annotations__}
    assert in_code - declared == set(), "in kg/vocab.py but not declared in ontology/kg.ttl"
    assert declared - in_code == set(), "declared in ontology/kg.ttl but missing from kg/vocab.py"


def test_vocab_is_closed():
    with pytest.raises(AttributeError):
        _ = KG.holdPosition  # typo


def test_every_kg_term_has_zh_en_labels_and_definition():
    onto = Graph().parse(ONTOLOGY, format="turtle")
    for term in (t for t in ontology_declared() if str(t).startswith(VOCAB_BASE)):
        langs = {lit.language for lit in onto.objects(term, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
        assert {"zh", "en"} <= langs, term
        assert onto.value(term, SKOS.definition) is not None, term


def test_shapes_and_queries_use_only_declared_terms():
    texts = [ONTOLOGY_DIR / "shapes.ttl", *sorted((ONTOLOGY_DIR / "queries").glob("*.rq"))]
    for path in texts:
        text = re.sub(r"^\s*# </?kg:schema [a-z-]+>$", "", path.read_text(encoding="utf-8"), flags=re.M)
        for name in re.findall(r"\bkg:([A-Za-z_][A-Za-z0-9_]*)", text):
            assert name in KG.__annotations__, f"{path.name}: kg:{name} is not in the vocabulary"


def test_every_emitted_term_is_declared(sample_graph):
    R = rdf_graph(sample_graph)
    declared = ontology_declared()
    used = {p for p in R.predicates() if p != RDF.type} | set(R.objects(None, RDF.type))
    assert used - declared == set()


# ---------------------------------------------------------------- parsing, escaping, stability


def test_two_parsers_agree(sample_graph):
    text = turtle_text(sample_graph)
    rdflib_graph, oxi = parse_both(text)
    assert len(rdflib_graph) == len(oxi) == len(rdf_graph(sample_graph))
    assert len(rdflib_graph) > 100


@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_hostile_label_round_trips(label):
    G = new_graph([{"id": "x.txt", "path": "x.txt", "sha256": "a" * 64, "title": label, "chars": 1}])
    a = add_entity(G, "Organization", label, aliases=[label + "别名"], documents=["x.txt"])
    b = add_entity(G, "Place", "唐山市")
    add_link(G, a, b, "locatedIn", [{"document": "x.txt", "sentence": label, "start": 0, "end": len(label)}])
    text = turtle_text(G)
    rdflib_graph, oxi = parse_both(text)
    assert len(rdflib_graph) == len(oxi)
    assert rdflib_graph.value(entity_iri(a), SKOS.prefLabel) == Literal(label, lang="zh")
    assert Literal(label + "别名", lang="zh") in set(rdflib_graph.objects(entity_iri(a), SKOS.altLabel))
    assert Literal(label, lang="zh") in set(rdflib_graph.objects(None, PROV.value))
    assert label in {lit.value for (_s, _p, lit, *_rest) in oxi if isinstance(lit, pyoxigraph.Literal)}


def hostile_graph():
    """Every hostile label above as labels, aliases, titles and evidence, plus node ids that must be hashed."""
    labels = [*HOSTILE_LABELS, "\x00\x01\x1f\x7f \b\f\v", "\ufffe\uffff", "<script>alert(1)</script>", "ends\\"]
    G = new_graph(
        [
            {"id": f"{i}{label}.txt", "path": "p", "sha256": "a" * 64, "title": label, "chars": i}
            for i, label in enumerate(labels)
        ]
    )
    ids = []
    for i, label in enumerate(labels):
        ids.append(
            add_entity(
                G, "Organization", label, aliases=[label + "别名", HOSTILE], mentions=i, documents=[f"{i}{label}.txt"]
            )
        )
    for nid in ("中文 id", "ends.", "a/b#c?d", '<>"{}|^`\\', "emoji😀", "9x", "x.txt"):
        G.add_node(nid, type="Place", label=nid, aliases=[], documents=["not listed.txt"])
        ids.append(nid)
    for i, (u, v) in enumerate(zip(ids, ids[1:] + ids[:1])):
        label = labels[i % len(labels)]
        ev = {"document": f"{i % len(labels)}{label}.txt", "sentence": label + "。", "start": i, "end": i + 9}
        add_link(G, u, v, "holdsPosition" if i % 2 else "locatedIn", [ev, dict(ev)], title=label if i % 2 else "")
    return G


def test_hostile_graph_parses_back_to_exactly_its_triples():
    """The written Turtle means exactly the modelled triples: nothing lost, altered or added by escaping."""
    G = hostile_graph()
    text = turtle_text(G)
    rdflib_graph, oxi = parse_both(text)
    assert set(rdflib_graph) == triples(G)
    assert len(oxi) == len(triples(G)) > 200
    assert not text.isascii() and "\\u0000" in text  # non-ASCII text stays; control characters are escaped


def test_turtle_of_writes_the_same_bytes_as_turtle_text(sample_graph):
    assert turtle_of(rdf_graph(sample_graph)) == turtle_text(sample_graph)
    G = hostile_graph()
    assert turtle_of(rdf_graph(G)) == turtle_text(G)


def test_shipped_graph_ttl_is_what_the_writer_writes():
    """exports/graph.ttl, byte for byte, from exports/graph.json: the writer's output does not drift."""
    exports = ROOT / "exports"
    assert turtle_text(read_json(exports / "graph.json")).encode("utf-8") == (exports / "graph.ttl").read_bytes()


def test_escape_string_character_by_character():
    """The one-regex escaper against its definition, over the BMP and a few astral characters."""
    named = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}

    def by_definition(ch: str) -> str:
        if ch in named:
            return named[ch]
        if ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff":
            return f"\\u{ord(ch):04X}"
        return ch

    chars = [chr(i) for i in range(0x10000)] + ["\U0001f600", "\U0010ffff"]
    assert escape_string("".join(chars)) == "".join(by_definition(c) for c in chars)
    assert escape_string("x\ud800y\n") == "x\\uD800y\\n"


def test_iris_are_ascii_and_no_blank_nodes(sample_graph):
    R = rdf_graph(sample_graph)
    for triple in R:
        for term in triple:
            assert not isinstance(term, BNode)
            if isinstance(term, URIRef):
                assert str(term).isascii(), term
    subjects = {str(s) for s in R.subjects()}
    assert all(s.startswith(DATA_BASE) for s in subjects)


def test_same_graph_same_bytes_in_any_insertion_order(sample_graph):
    reversed_graph = new_graph(sample_graph.graph["documents"])
    for n in reversed(list(sample_graph.nodes)):
        reversed_graph.add_node(n, **sample_graph.nodes[n])
    for u, v, k, d in reversed(list(sample_graph.edges(keys=True, data=True))):
        reversed_graph.add_edge(u, v, key=k, **d)
    assert turtle_text(reversed_graph) == turtle_text(sample_graph)


def test_byte_stable_across_hash_seeds(sample_graph):
    code = (
        "import sys, hashlib; sys.path.insert(0, 'tests'); from conftest import make_sample_graph;"
        "from kg.export.rdf import turtle_text;"
        "print(hashlib.sha256(turtle_text(make_sample_graph()).encode()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    assert digests == {hashlib.sha256(turtle_text(sample_graph).encode()).hexdigest()}


def test_only_deliberate_prefixes(sample_graph):
    prefixes = re.findall(r"^@prefix (\w*):", turtle_text(sample_graph), flags=re.M)
    assert prefixes == ["dcterms", "foaf", "kg", "kgr", "org", "prov", "rdf", "schema", "skos", "xsd"]


def test_writer_registered_and_atomic(tmp_path, sample_graph):
    name, writer = WRITERS["ttl"]
    assert name == "graph.ttl"
    writer(sample_graph, tmp_path / name)
    assert (tmp_path / name).read_text(encoding="utf-8") == turtle_text(sample_graph)
    write_turtle(sample_graph, tmp_path / "again.ttl")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.ttl", "graph.ttl"]


# ---------------------------------------------------------------- modelling


def test_every_edge_is_direct_and_reified_with_evidence(sample_graph):
    R = rdf_graph(sample_graph)
    statements = set(R.subjects(RDF.type, KG.Statement))
    assert len(statements) == sample_graph.number_of_edges()
    for st in statements:
        s, p, o = R.value(st, RDF.subject), R.value(st, RDF.predicate), R.value(st, RDF.object)
        assert (s, p, o) in R
        for ev in R.objects(st, PROV.wasDerivedFrom):
            assert (ev, RDF.type, KG.Evidence) in R
            doc = R.value(ev, PROV.wasQuotedFrom)
            assert R.value(doc, KG.fileName) is not None and R.value(doc, KG.sha256) is not None


def test_one_post_held_by_both_heads_of_department(sample_graph):
    R = rdf_graph(sample_graph)
    posts = list(R.subjects(RDF.type, KG.Post))
    assert len(posts) == 1
    (post,) = posts
    assert R.value(post, KG.title) == Literal("厅长", lang="zh")
    assert R.value(R.value(post, KG.postIn), SKOS.prefLabel) == Literal("河北省科学技术厅", lang="zh")
    holders = {str(R.value(p, SKOS.prefLabel)) for p in R.subjects(KG.holds, post)}
    assert holders == {"龙奋杰", "马宇骏"}


# ---------------------------------------------------------------- the seeds' graph


def test_seed_graph_turtle(seed_graph):
    text = turtle_text(seed_graph)
    rdflib_graph, oxi = parse_both(text)
    assert len(rdflib_graph) == len(oxi) > 0
    assert turtle_text(seed_graph) == text
    used = {p for p in rdflib_graph.predicates() if p != RDF.type} | set(rdflib_graph.objects(None, RDF.type))
    assert used - ontology_declared() == set()
    files = {str(f) for f in rdflib_graph.objects(None, KG.fileName)}
    assert {"000_5ea018c45a97ab36.txt", "002_7824a12080678c07.txt"} <= files
