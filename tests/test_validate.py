"""SHACL: the exported graph conforms; a broken one fails with a message that names the node and the rule."""

from __future__ import annotations

import pytest
from rdflib import RDF, SKOS, Literal
from rdflib.namespace import PROV

from kg.cli import main
from kg.errors import UserError
from kg.export.rdf import rdf_graph, write_turtle
from kg.validate import validate, validate_graph
from kg.vocab import ID, KG

LONG = ID["person-b38a6bdbd1d7"]  # 龙奋杰
HEBEI = ID["place-1556a4fa0a50"]  # 河北省
MA = ID["person-0a01d23a8105"]  # 马宇骏


def test_sample_graph_conforms(sample_graph):
    report = validate_graph(rdf_graph(sample_graph))
    assert report.conforms, report.render()
    assert report.problems == ()


def drop_label(R):
    R.remove((LONG, SKOS.prefLabel, None))


def two_labels(R):
    R.add((HEBEI, SKOS.prefLabel, Literal("冀", lang="zh")))


def english_label(R):
    R.set((HEBEI, SKOS.prefLabel, Literal("Hebei", lang="en")))


def two_types(R):
    R.add((HEBEI, RDF.type, KG.Agency))


def post_without_title(R):
    R.remove((None, KG.title, None))


def evidence_without_document(R):
    R.remove((None, PROV.wasQuotedFrom, None))


def link_without_evidence(R):
    R.add((HEBEI, KG.partOf, HEBEI))


def located_in_a_person(R):
    R.add((HEBEI, KG.locatedIn, MA))


def statement_without_direct_triple(R):
    R.remove((MA, KG.holdsPosition, None))


def bad_hash(R):
    doc = next(R.subjects(RDF.type, KG.Document))
    R.set((doc, KG.sha256, Literal("not-a-hash")))


@pytest.mark.parametrize(
    "breakage, focus, message",
    [
        (drop_label, "kgr:person-b38a6bdbd1d7", "skos:prefLabel: an entity has exactly one skos:prefLabel"),
        (two_labels, "kgr:place-1556a4fa0a50 「", "an entity has exactly one skos:prefLabel"),
        (english_label, "kgr:place-1556a4fa0a50 「Hebei」", "non-empty @zh string"),
        (two_types, "kgr:place-1556a4fa0a50 「河北省」", "exactly one type of Person, Agency"),
        (
            post_without_title,
            "kgr:post-e4084c824199 「河北省科学技术厅厅长」",
            "a post has exactly one non-empty kg:title",
        ),
        (evidence_without_document, "kgr:evidence-", "prov:wasQuotedFrom exactly one kg:Document"),
        (link_without_evidence, "kgr:place-1556a4fa0a50 「河北省」", "kg:partOf: this link has no kg:Statement"),
        (
            located_in_a_person,
            "「河北省」",
            "kg:locatedIn: kg:locatedIn points to a Place (value: kgr:person-0a01d23a8105)",
        ),
        (statement_without_direct_triple, "「马宇骏 kg:holdsPosition 河北省科学技术厅」", "direct triple"),
        (bad_hash, "kgr:document-", "64 lower-case hex digits"),
    ],
)
def test_broken_graph_fails_clearly(sample_graph, breakage, focus, message):
    R = rdf_graph(sample_graph)
    breakage(R)
    report = validate_graph(R)
    assert not report.conforms
    lines = report.render().splitlines()
    assert any(focus in line and message in line for line in lines), report.render()


def test_validate_file_and_command(tmp_path, capsys, sample_graph):
    good = tmp_path / "graph.ttl"
    write_turtle(sample_graph, good)
    assert validate(good).conforms
    assert main(["validate", str(good)]) == 0
    assert "conforms" in capsys.readouterr().out

    broken = tmp_path / "broken.ttl"
    broken.write_text(good.read_text(encoding="utf-8").replace('"龙奋杰"@zh', '"龙奋杰"@en'), encoding="utf-8")
    assert main(["validate", str(broken)]) == 1
    out = capsys.readouterr().out
    assert (
        "Violation  kgr:person-b38a6bdbd1d7 「龙奋杰」  skos:prefLabel: an entity's skos:prefLabel is a non-empty @zh string"
        in out
    )


def test_missing_and_unparsable_files(tmp_path):
    with pytest.raises(UserError, match="no graph at"):
        validate(tmp_path / "nope.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(UserError, match="not valid Turtle"):
        validate(bad)


def test_seed_graph_conforms(seed_graph):
    report = validate_graph(rdf_graph(seed_graph))
    assert report.conforms, report.render()


def test_validation_holds_with_rdfs_inference_and_the_ontology(sample_graph):
    """What a store with an RDFS reasoner sees (graph + kg.ttl's entailments) conforms too, and breakage still shows."""
    R = rdf_graph(sample_graph)
    assert validate_graph(R, inference="rdfs").conforms, validate_graph(R, inference="rdfs").render()
    located_in_a_person(R)
    report = validate_graph(R, inference="rdfs")
    assert not report.conforms
    # kg:locatedIn's range makes the person a Place as well: two types, named on the person
    assert "kgr:person-0a01d23a8105 「马宇骏」  rdf:type: an entity has exactly one type" in report.render()


def test_seed_graph_conforms_with_rdfs_inference(seed_graph):
    report = validate_graph(rdf_graph(seed_graph), inference="rdfs")
    assert report.conforms, report.render()


BAD_INPUTS = [
    ("missing", None, "no graph at"),
    ("folder", "folder", "is a folder"),
    ("empty", b"", "holds no triples"),
    ("blank", b"\n  \n", "holds no triples"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ("gbk", '<https://kg.example.org/id/a> <https://kg.example.org/ontology#x> "唐山市" .\n'.encode("gbk"), "UTF-8"),
    ("not turtle", b"<html><body>graph</body></html>\n", "not valid Turtle"),
    ("json", b'{"nodes": [], "edges": []}\n', "not valid Turtle"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_one_error_line_and_exit_2(tmp_path, capsys, name, content, message):
    path = tmp_path / "graph.ttl"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: ") and message in lines[0], captured.err


def test_inference_option(tmp_path, capsys, sample_graph):
    good = tmp_path / "graph.ttl"
    write_turtle(sample_graph, good)
    assert main(["validate", "-i", "rdfs", str(good)]) == 0
    assert "conforms" in capsys.readouterr().out
    with pytest.raises(UserError, match="unknown inference"):
        validate(good, inference="owl")
