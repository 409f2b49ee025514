"""Hostile text through every writer, read back with the format's real reader (issue 6).

Property-based (hypothesis, derandomized): arbitrary Unicode names, aliases,
titles, document names and evidence sentences, salted with markup, quotes,
backslashes, newlines, control characters, ``]]>``, emoji, lone combining marks
and U+2028, go through json, ttl, gexf, graphml, neo4j CSV and the HTML page's
data block. What comes back must equal what went in, except what the format
cannot hold, and exactly that: XML and CSV lose the characters XML 1.0 forbids
(``kg.export._text.clean_text``), and list items lose their delimiter to its
full-width twin (``|`` → ``｜`` in Gephi lists, ``;`` → ``；`` in Neo4j arrays).
"""

from __future__ import annotations

import csv
import io
import json
import re

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.export._text import clean_text
from kg.graph import add_entity, add_link, new_graph
from kg.schema import ENTITY_TYPES, RELATIONS

PAYLOADS = [
    "<script>alert(1)</script>",
    "</script><script>window.__pwned=1</script>",
    "]]>",
    "<![CDATA[x]]>",
    "\"'\\",
    "\\u0041\\n",
    "a\nb\r\nc\rd",
    "\x00\x01\x07\x0b\x0c\x1b\x7f",
    "\t",
    "😀👩‍👩‍👧",
    "\u0301",  # a lone combining mark
    "\u2028\u2029",
    "\ufeff\u200b",
    "\ufffe\uffff",
    '" } DROP ALL ; #',
    "a|b;c,d",
    "&amp;&lt;",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}${7*7}",
    "@zh",
    "省科技厅",
]

_chars = st.characters(blacklist_categories=("Cs",))  # lone surrogates cannot be UTF-8 at all
text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(_chars, max_size=12),
    st.lists(st.one_of(st.sampled_from(PAYLOADS), st.text(_chars, max_size=6)), min_size=1, max_size=4).map("".join),
)

SETTINGS = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def graphs(draw) -> nx.MultiDiGraph:
    doc_ids = draw(st.lists(text.filter(bool), min_size=1, max_size=3, unique=True))
    docs = [
        {"id": d, "path": d, "sha256": "0" * 64, "title": draw(text), "chars": draw(st.integers(0, 10**6))}
        for d in doc_ids
    ]
    G = new_graph(docs)
    ids = []
    for _ in range(draw(st.integers(1, 4))):
        nid = add_entity(
            G,
            draw(st.sampled_from(ENTITY_TYPES)),
            draw(text),
            aliases=draw(st.lists(text, max_size=3)),
            mentions=draw(st.integers(1, 50)),
            documents=draw(st.lists(st.sampled_from(doc_ids), max_size=2)),
        )
        ids.append(nid)
    for _ in range(draw(st.integers(0, 4))):
        u, v = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        relation = draw(st.sampled_from(RELATIONS))
        sentence = draw(text)
        start = draw(st.integers(0, 1000))
        ev = [{"document": draw(st.sampled_from(doc_ids)), "sentence": sentence, "start": start, "end": start + 5}]
        title = draw(text) if relation == "holdsPosition" else ""
        add_link(G, u, v, relation, ev, title=title)
    return G


def _xml_join(values, delimiter: str, twin: str) -> str:
    items = (clean_text(v).replace(delimiter, twin) for v in values or ())
    return delimiter.join(i for i in items if i)


# ---------------------------------------------------------------- json


@SETTINGS
@given(graphs())
def test_json_round_trip_is_exact(G):
    from kg.export.json import json_text

    data = json.loads(json_text(G))
    back = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    assert dict(back.nodes(data=True)) == dict(G.nodes(data=True))
    assert sorted(back.edges(keys=True, data=True), key=repr) == sorted(G.edges(keys=True, data=True), key=repr)
    assert back.graph["documents"] == G.graph["documents"]


def test_json_loads_with_networkx_in_one_line(sample_graph, tmp_path):
    """The README's load: networkx's own reader, its defaults (3.6) and the explicit ``edges=`` (3.4 on)."""
    from kg.export.json import read_json, write_json

    write_json(sample_graph, tmp_path / "graph.json")
    with open(tmp_path / "graph.json", encoding="utf-8") as f:
        data = json.load(f)
    assert "edges" in data and "links" not in data
    for back in (nx.node_link_graph(data, edges="edges"), read_json(tmp_path / "graph.json")):
        assert back.is_directed() and back.is_multigraph()
        assert dict(back.nodes(data=True)) == dict(sample_graph.nodes(data=True))
        assert sorted(back.edges(keys=True)) == sorted(sample_graph.edges(keys=True))
    if tuple(int(x) for x in nx.__version__.split(".")[:2]) >= (3, 6):
        assert nx.utils.graphs_equal(nx.node_link_graph(data), back)


@SETTINGS
@given(graphs())
def test_json_bytes_are_the_standard_librarys_and_the_node_link_data(G):
    from kg.export.json import graph_data, json_bytes, stdlib_json_bytes
    from kg.graph import sorted_graph

    data = graph_data(G)
    assert data == nx.node_link_data(sorted_graph(G), edges="edges")
    assert json_bytes(data) == stdlib_json_bytes(data)


# ---------------------------------------------------------------- turtle


@SETTINGS
@given(graphs())
def test_turtle_evidence_blocks_are_what_the_general_writer_makes(G):
    """turtle_text fills evidence blocks in directly; the general path (every triple, sorted) gives the same bytes."""
    from kg.export.rdf import GRAPH_PREFIXES, PREFIXES, statements, turtle_lines, turtle_text

    general = turtle_lines(statements(G), [(p, PREFIXES[p]) for p in GRAPH_PREFIXES])
    assert turtle_text(G) == general


@SETTINGS
@given(graphs(), graphs())
def test_turtle_written_again_from_a_memo_is_what_the_general_writer_makes(G, other):
    """A rebuild takes the blocks of unchanged entities, edges and documents from the memo of the last write."""
    from kg.export.turtle import TurtleMemo, turtle_text

    memo = TurtleMemo()
    assert turtle_text(G, memo) == turtle_text(G)  # an empty memo: everything is written, and remembered
    assert turtle_text(G, TurtleMemo(memo.new)) == turtle_text(G)  # everything from the memo
    changed = nx.compose(G, other)  # other's nodes, edges and documents added to G's, or changing them
    assert turtle_text(changed, TurtleMemo(memo.new)) == turtle_text(changed)
    for n in G:  # a label that changes under the same id (a post is named after its body's label)
        relabelled = G.copy()
        relabelled.nodes[n]["label"] += "变"
        assert turtle_text(relabelled, TurtleMemo(memo.new)) == turtle_text(relabelled)


def test_turtle_memo_writes_a_post_again_when_its_body_is_renamed():
    from kg.export.turtle import TurtleMemo, turtle_text

    G = new_graph([{"id": "a", "path": "a", "sha256": "0" * 64, "title": "t", "chars": 3}])
    person, agency = add_entity(G, "Person", "张三", documents=["a"]), add_entity(G, "Agency", "省科技厅")
    add_link(G, person, agency, "holdsPosition", [{"document": "a", "sentence": "s", "start": 0, "end": 1}], "厅长")
    memo = TurtleMemo()
    turtle_text(G, memo)
    G.nodes[agency]["label"] = "河北省科学技术厅"  # the person's node and edge unchanged; the post's label is not
    again = turtle_text(G, TurtleMemo(memo.new))
    assert again == turtle_text(G) and "河北省科学技术厅厅长" in again


def test_turtle_memo_falls_back_to_the_general_writer_for_ids_that_name_other_subjects():
    from kg.export.turtle import TurtleMemo, turtle_text

    G = new_graph([{"id": "a.txt", "path": "a.txt", "sha256": "0" * 64, "title": "", "chars": 1}])
    G.add_node("post-1", label="x", type="Person", aliases=[], mentions=1, documents=["a.txt"])
    G.add_node("statement-2", label="y", type="Agency", aliases=[], mentions=1, documents=[])
    memo = TurtleMemo()
    assert turtle_text(G, memo) == turtle_text(G)
    assert memo.new == {}  # nothing remembered for such a graph


@SETTINGS
@given(graphs())
def test_turtle_round_trip_is_exact(G):
    from rdflib import Graph, Literal
    from rdflib.namespace import PROV, SKOS

    from kg.export.rdf import document_iri, entity_iri, turtle_text
    from kg.vocab import KG

    R = Graph().parse(data=turtle_text(G), format="turtle")
    for nid, d in G.nodes(data=True):
        s = entity_iri(nid)
        assert set(R.objects(s, SKOS.prefLabel)) == {Literal(d["label"], lang="zh")}
        assert {str(o) for o in R.objects(s, SKOS.altLabel)} == set(d["aliases"]) - {d["label"]}
    for doc in G.graph["documents"]:
        iri = document_iri(doc["id"])
        assert [str(o) for o in R.objects(iri, KG.fileName)] == [doc["id"]]
        assert [str(o) for o in R.objects(iri, KG.headline)] == ([doc["title"]] if doc["title"] else [])
    sentences = {e["sentence"] for _, _, d in G.edges(data=True) for e in d["evidence"]}
    assert {str(o) for o in R.objects(None, PROV.value)} == sentences
    titles = {d["title"] for _, _, d in G.edges(data=True) if d.get("title")}
    assert {str(o) for o in R.objects(None, KG.title)} == titles


# ---------------------------------------------------------------- gexf, graphml


def _flat_edges(G):
    """Edges as the flat formats must give them back: XML-illegal characters removed."""
    return sorted(
        (
            u,
            v,
            clean_text(k),
            "\n".join(clean_text(e["sentence"]) for e in d["evidence"]),
            clean_text(d.get("title", "")),
        )
        for u, v, k, d in G.edges(keys=True, data=True)
    )


def _check_flat(G, back, edge_key_attr):
    by_id = {n: d for n, d in back.nodes(data=True)}
    assert set(by_id) == set(G.nodes)
    for nid, d in G.nodes(data=True):
        b = by_id[nid]
        assert b["label"] == clean_text(d["label"])
        assert b.get("aliases", "") == _xml_join(d["aliases"], "|", "｜")
        assert b.get("documents", "") == _xml_join(d["documents"], "|", "｜")
        assert int(b["mentions"]) == d["mentions"]
    if not back.is_multigraph():  # networkx reads a GEXF without parallel edges as a DiGraph, key only in the id
        back = nx.MultiDiGraph((u, v, d["id"].split("|", 2)[2], d) for u, v, d in back.edges(data=True))
    got = sorted(
        (u, v, str(d.get(edge_key_attr, k)), d.get("evidence", ""), d.get("title", ""))
        for u, v, k, d in back.edges(keys=True, data=True)
    )
    assert got == _flat_edges(G)


@SETTINGS
@given(graphs())
def test_gexf_round_trip_loses_only_xml_illegal_characters(G):
    from kg.export.gephi import gexf_text

    back = nx.read_gexf(io.BytesIO(gexf_text(G).encode("utf-8")), version="1.3")
    _check_flat(G, back, "networkx_key")


@SETTINGS
@given(graphs())
def test_graphml_round_trip_loses_only_xml_illegal_characters(G):
    from kg.export.gephi import graphml_text

    back = nx.read_graphml(io.BytesIO(graphml_text(G).encode("utf-8")), force_multigraph=True)
    _check_flat(G, back, "key")


# ---------------------------------------------------------------- neo4j csv


@SETTINGS
@given(graphs())
def test_neo4j_csv_round_trip(G):
    from kg.export.neo4j import FORMULA_START, nodes_csv, relationships_csv, unescape_cell

    def items(cell):  # an array cell: its items, each without the spreadsheet escape
        return ";".join(unescape_cell(i) for i in cell.split(";")) if cell else ""

    nodes = {r["id:ID"]: r for r in csv.DictReader(io.StringIO(nodes_csv(G), newline=""))}
    assert set(nodes) == set(G.nodes)
    for nid, d in G.nodes(data=True):
        row = nodes[nid]
        assert not any(v.startswith(FORMULA_START[:-1]) for v in row.values())
        assert unescape_cell(row["label"]) == clean_text(d["label"])
        assert items(row["aliases:string[]"]) == _xml_join(d["aliases"], ";", "；")
        assert items(row["documents:string[]"]) == _xml_join(d["documents"], ";", "；")
        assert row[":LABEL"] == f"Entity;{d['type']}"
    rels = list(csv.DictReader(io.StringIO(relationships_csv(G), newline="")))
    got = sorted(
        (r[":START_ID"], r[":END_ID"], r["key"], unescape_cell(r["evidence"]), unescape_cell(r["title"])) for r in rels
    )
    assert got == _flat_edges(G)


# ---------------------------------------------------------------- the page's data


@SETTINGS
@given(graphs())
def test_html_data_block_round_trips_and_holds_no_markup(G):
    from kg.export.html import html_text

    page = html_text(G)
    block = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S).group(1)
    assert not re.search("[<>&\u2028\u2029]", block)
    data = json.loads(block)
    labels = {n["id"]: (n["label"], n["aliases"]) for n in data["nodes"]}
    assert labels == {n: (d["label"], list(d["aliases"])) for n, d in G.nodes(data=True)}
    for e in data["edges"]:
        evidence = G.edges[e["from"], e["to"], e["key"]]["evidence"]
        assert [[data["docs"][i]["id"], s] for i, s in e["evidence"]] == [
            [ev["document"], ev["sentence"]] for ev in evidence[: len(e["evidence"])]
        ]
        assert len(e["evidence"]) + e["more"] == len(evidence)
    # outside the data block the page holds nothing from the graph: three script elements, always
    rest = page.replace(block, "")
    assert rest.count("<script") == 3 + rest.count('"<script>"')


# ---------------------------------------------------------------- SPARQL parameters


@pytest.mark.parametrize("value", ['" } DROP ALL ; #', "' } DELETE WHERE { ?s ?p ?o } #", "<x> } ; CLEAR ALL"])
def test_sparql_parameter_is_just_a_string(value, sample_graph):
    from rdflib import Literal

    from kg.export.rdf import rdf_graph
    from kg.graph import add_entity as add
    from kg.query import run_query

    G = sample_graph.copy()
    add(G, "Agency", value, mentions=1)
    R = rdf_graph(G)
    before = len(R)
    for name, param in (("officials_by_agency", "agency"), ("within_place", "place"), ("mentions", "type")):
        result = run_query(name, R, {param: value})
        assert len(R) == before
        assert all(Literal(value) != cell for row in result.rows for cell in row) or name == "mentions"
    # the name is found as a name, quotes and all
    found = run_query("SELECT ?s WHERE { ?s skos:prefLabel ?n FILTER(STR(?n) = STR(?v)) }", R, {"v": value})
    assert len(found.rows) == 1


# ---------------------------------------------------------------- the command on bad input


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A folder of bad and good input, built once with ``kg build`` as a user runs it."""
    import subprocess
    import sys

    base = tmp_path_factory.mktemp("hostile")
    src = base / "in"
    src.mkdir()
    (src / "good.txt").write_text("河北日报讯 省科技厅厅长龙奋杰在石家庄出席会议。", encoding="utf-8")
    (src / "big5.txt").write_bytes("國立臺灣大學與工業技術研究院在臺北市合作。".encode("big5"))
    (src / "gbk-name-\udcba\udcd3\udcb1\udcb1.txt").write_bytes("唐山市科技局在唐山市召开会议。".encode("gbk"))
    (src / "empty.txt").write_bytes(b"")
    (src / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")  # not a text name: not read
    (src / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (src / "paper.txt").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (src / "bundle.md").write_bytes(b"PK\x03\x04\x14\x00\x00\x00")
    (src / "broken.txt").write_bytes("省科技厅。".encode() + b"\xff\xfe\xfd" + "唐山市。".encode())
    out = base / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(src), "--out", str(out), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return base, out, proc


def test_build_skips_non_text_with_one_line_each(built):
    _base, out, proc = built
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    expected = {
        "empty.txt": "empty file",
        "image.txt": "binary file (PNG image), not text",
        "paper.txt": "binary file (PDF), not text",
        "bundle.md": "binary file (ZIP archive or Office document), not text",
    }
    for name, reason in expected.items():
        assert sum(name in line and reason in line for line in lines) == 1, (name, lines)
    assert not any("image.png" in line for line in lines)  # only text files are read from a folder
    assert any("broken.txt" in line and "byte offset 15" in line for line in lines)
    data = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    docs = {d["id"] for d in data["graph"]["documents"]}
    assert {"good.txt", "big5.txt", "broken.txt", "gbk-name-河北.txt"} <= docs
    labels = {n["label"] for n in data["nodes"]}
    assert {"石家庄市", "唐山市"} & labels


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "{src}", "--out", "{file}"], "not a folder: "),
        (["build", "{src}", "--out", "{file}/sub"], "not a folder: "),
        (["build", "{base}/nope"], "no such file or folder"),
        (["query", "SELECT ?x WHERE {{\n ?x ?y", "--graph", "{ttl}"], "SPARQL syntax error at line 2, column"),
        (["query", "no_such_query", "--graph", "{ttl}"], "unknown query 'no_such_query'"),
        (["query", "mentions", "--graph", "{base}/nope.ttl"], "no graph at"),
        (["query", "mentions", "--graph", "{json}"], "is not valid Turtle: line 1, column 1"),
        (["validate", "{json}"], "is not valid Turtle: line 1, column 1: expected directive or statement"),
        (["validate", "{png}"], "is not valid Turtle: binary file (PNG image)"),
        (["validate", "{latin}"], "not UTF-8 text (undecodable byte at byte offset 4)"),
        (["validate", "{base}"], "is a folder, not a graph file"),
        (["validate", "{badttl}"], "line 2, column 24: newline found in string literal"),
    ],
)
def test_errors_are_one_line_with_nonzero_exit(built, capsys, args, message):
    from kg.cli import main

    base, out, _proc = built
    (base / "afile").write_text("x", encoding="utf-8")
    (base / "latin.ttl").write_bytes(b"<a> \xe9 .")
    (base / "bad.ttl").write_text('@prefix x: <http://x/> .\nx:a x:b "unterminated .\n', encoding="utf-8")
    (base / "graph.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b x:c .\n", encoding="utf-8")
    names = {
        "src": base / "in" / "good.txt",
        "file": base / "afile",
        "base": base,
        "ttl": base / "graph.ttl",
        "json": out / "graph.json",
        "png": base / "in" / "image.png",
        "latin": base / "latin.ttl",
        "badttl": base / "bad.ttl",
    }
    code = main([a.format(**names) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("kg: error: ") and err.count("\n") == 1, err
    assert message in err
