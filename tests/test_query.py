"""Named SPARQL queries: each answers its question on the sample and the seeds' graph; errors are one line."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.errors import UserError
from kg.export.rdf import rdf_graph, write_turtle
from kg.graph import add_entity
from kg.query import QUERY_DIR, load_store, named_queries, parse_params, run_query

README = Path(__file__).resolve().parent.parent / "README.md"

SEED_LONG = "000_5ea018c45a97ab36.txt"
SEED_MA = "002_7824a12080678c07.txt"


@pytest.fixture
def sample_rdf(sample_graph):
    return rdf_graph(sample_graph)


@pytest.fixture(scope="module")
def seed_rdf(seed_graph):
    return rdf_graph(seed_graph)


@pytest.fixture(scope="module")
def seed_ttl(seed_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("seeds") / "graph.ttl"
    write_turtle(seed_graph, path)
    return path


def rows(name, graph, **params):
    return run_query(name, graph, params).records()


def test_every_named_query_says_what_it_answers():
    assert set(named_queries()) == {"officials_by_agency", "initiatives", "within_place", "evidence", "mentions"}
    for path in QUERY_DIR.glob("*.rq"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and len(first) > 20, path.name


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_runs_and_finds_something(name, sample_rdf):
    assert run_query(name, sample_rdf).rows


# ---------------------------------------------------------------- expected rows on the sample graph


def test_officials_by_agency(sample_rdf):
    got = {
        (r["organization"], r["position"], r["person"], r["document"]) for r in rows("officials_by_agency", sample_rdf)
    }
    assert got == {("河北省科学技术厅", "厅长", "龙奋杰", "a.txt"), ("河北省科学技术厅", "厅长", "马宇骏", "b.txt")}
    # an alias names the agency too; a title narrows the rows
    by_alias = rows("officials_by_agency", sample_rdf, agency="省科技厅", title="厅长")
    assert {r["person"] for r in by_alias} == {"龙奋杰", "马宇骏"}
    assert rows("officials_by_agency", sample_rdf, agency="省科技厅", title="副厅长") == []


def test_initiatives(sample_rdf):
    got = rows("initiatives", sample_rdf, initiative="科技特派员制度")
    assert got == [{"name": "科技特派员制度", "organizer": "河北省科学技术厅", "place": "唐山市"}]


def test_within_place_follows_sub_places(sample_rdf):
    got = {(r["type"], r["name"]) for r in rows("within_place", sample_rdf, place="河北省")}
    assert got == {("Place", "唐山市"), ("Initiative", "科技特派员制度"), ("Organization", "华北理工大学")}
    assert {r["name"] for r in rows("within_place", sample_rdf, place="唐山")} == {"科技特派员制度", "华北理工大学"}


def test_evidence_in_either_direction(sample_rdf):
    forward = rows("evidence", sample_rdf, a="科技特派员制度", b="唐山市")
    backward = rows("evidence", sample_rdf, a="唐山", b="科技特派员制度")
    assert forward == backward
    assert forward == [
        {
            "from": "科技特派员制度",
            "relation": "locatedIn",
            "title": None,
            "to": "唐山市",
            "document": "b.txt",
            "start": 30,
            "end": 44,
            "sentence": "唐山推行基层科技特派员制度。",
        }
    ]


def test_mentions_most_first(sample_rdf):
    got = rows("mentions", sample_rdf)
    assert [r["mentions"] for r in got] == sorted((r["mentions"] for r in got), reverse=True)
    assert got[0] == {"name": "河北省科学技术厅", "class": "Agency", "mentions": 5, "documents": 2}
    assert [r["name"] for r in rows("mentions", sample_rdf, type="Person")] == ["马宇骏", "龙奋杰"]


def test_parameters_are_bound_not_pasted(sample_rdf):
    hostile = '唐山市" } UNION { ?x ?y ?z } #'
    assert rows("within_place", sample_rdf, place=hostile) == []


# ---------------------------------------------------------------- errors are one line


@pytest.mark.parametrize(
    "query, params, message",
    [
        ("no_such_query", {}, "unknown query 'no_such_query'; named queries: evidence, initiatives"),
        ("SELECT ?x WHERE {\n  ?x ?y }", {}, "SPARQL syntax error at line 2, column"),
        ("SELECT ?x WHERE { ?x nope:p ?y }", {}, "nope"),
        ("mentions", {"typo": "x"}, "mentions has no parameter ?typo"),
    ],
)
def test_errors(query, params, message, sample_rdf):
    with pytest.raises(UserError) as info:
        run_query(query, sample_rdf, params)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_graph_file(tmp_path):
    with pytest.raises(UserError, match="no graph at"):
        run_query("mentions", tmp_path / "graph.ttl")


def test_bad_param_syntax():
    with pytest.raises(UserError, match="name=value"):
        parse_params(["agency"])


# ---------------------------------------------------------------- the command


def test_cli_formats(tmp_path, capsys, sample_graph):
    graph = tmp_path / "graph.ttl"
    write_turtle(sample_graph, graph)
    args = ["query", "officials_by_agency", "--graph", str(graph), "--param", "agency=省科技厅"]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "龙奋杰" in table and "(2 rows)" in table
    assert main([*args, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "organization,position,person,document,sentence"
    assert main([*args, "--format", "json"]) == 0
    assert {r["person"] for r in json.loads(capsys.readouterr().out)} == {"龙奋杰", "马宇骏"}
    assert main(["query", "SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Person }", "--graph", str(graph)]) == 0
    assert "2" in capsys.readouterr().out
    assert main(["query", "nope", "--graph", str(graph)]) == 2
    assert capsys.readouterr().err.startswith("kg: error: unknown query 'nope'")


# ---------------------------------------------------------------- the seeds' graph


def test_seed_heads_of_department_with_their_articles(seed_rdf):
    got = {
        (r["person"], r["document"])
        for r in rows("officials_by_agency", seed_rdf, agency="河北省科学技术厅", title="厅长")
    }
    assert ("龙奋杰", SEED_LONG) in got
    assert ("马宇骏", SEED_MA) in got


def test_seed_tech_commissioner_system(seed_rdf):
    got = {(r["organizer"], r["place"]) for r in rows("initiatives", seed_rdf, initiative="科技特派员制度")}
    assert ("河北省科学技术厅", "唐山市") in got


def test_seed_within_hebei(seed_rdf):
    got = {(r["type"], r["name"]) for r in rows("within_place", seed_rdf, place="河北省")}
    assert ("Place", "唐山市") in got
    assert ("Initiative", "科技特派员制度") in got


def test_seed_evidence_and_mentions(seed_rdf):
    evidence = rows("evidence", seed_rdf, a="龙奋杰", b="省科技厅")
    assert any(r["title"] == "厅长" and r["document"] == SEED_LONG and "龙奋杰" in r["sentence"] for r in evidence)
    top = rows("mentions", seed_rdf)[0]
    assert top["name"] == "河北省科学技术厅"


def test_seed_officials_as_the_readme_shows(seed_ttl, capsys):
    """The README's `kg query officials_by_agency --param agency=省科技厅 --format csv`, row for row."""
    block = README.read_text(encoding="utf-8").split(
        "$ kg query officials_by_agency --param agency=省科技厅 --format csv"
    )[1]
    shown = [line.strip() for line in block.split("\n\n")[0].splitlines()[1:]]
    assert shown[0] == "organization,position,person,document" and len(shown) > 5
    args = ["query", "officials_by_agency", "--param", "agency=省科技厅", "--format", "csv", "--graph", str(seed_ttl)]
    assert main(args) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["organization", "position", "person", "document", "sentence"]
    assert [",".join(row[:4]) for row in table] == shown  # the README cuts the sentence column
    assert all(row[2] in row[4] for row in table[1:])  # each person is named in the supporting sentence


# ---------------------------------------------------------------- pyoxigraph: same rows as the rdflib engine gave


@pytest.mark.parametrize(
    "value",
    ['河北省" } UNION { ?x ?y ?z } #', "河北<script>alert(1)</script>", "唐山市\n} ; CLEAR ALL", "'\"\\", "<urn:x y>x"],
)
def test_hostile_parameters_are_bound_not_pasted(value, sample_graph):
    """A name with quotes, braces, ``<script>`` or newlines is one string: no rows unless an entity has that name."""
    for name, param in (("within_place", "place"), ("officials_by_agency", "agency"), ("initiatives", "initiative")):
        assert run_query(name, rdf_graph(sample_graph), {param: value}).rows == ()
    G = sample_graph.copy()
    add_entity(G, "Place", value, mentions=1)
    found = run_query(
        "SELECT ?n WHERE { ?p a kg:Place ; skos:prefLabel ?n FILTER (STR(?n) = STR(?v)) }", rdf_graph(G), {"v": value}
    )
    assert found.rows == ((value,),)


def test_parameters_reach_sub_queries_optionals_and_projection(sample_rdf):
    # ?place lives only inside within_place's sub-select; an IRI parameter is written <…>
    assert {r["name"] for r in rows("within_place", sample_rdf, place="唐山")} == {"科技特派员制度", "华北理工大学"}
    got = rows(
        "SELECT ?v ?n WHERE { ?e a ?v ; skos:prefLabel ?n } ORDER BY ?n",
        sample_rdf,
        v="<https://kg.example.org/ontology#Person>",
    )
    assert got == [{"v": "kg:Person", "n": "马宇骏"}, {"v": "kg:Person", "n": "龙奋杰"}]
    got = rows(
        "SELECT ?n ?t WHERE { ?e skos:prefLabel ?n OPTIONAL { ?e a ?t FILTER (STRAFTER(STR(?t), '#') = ?want) } } ORDER BY ?n",
        sample_rdf,
        want="Person",
    )
    assert {r["n"]: r["t"] for r in got}["龙奋杰"] == "kg:Person" and {r["n"]: r["t"] for r in got}["唐山市"] is None


def test_parameters_that_cannot_be_bound(sample_rdf):
    with pytest.raises(UserError, match=r"cannot bind \?x"):
        run_query("SELECT ?x WHERE { ?s ?p ?o BIND (1 AS ?x) }", sample_rdf, {"x": "2"})
    with pytest.raises(UserError, match="long form"):
        run_query("CONSTRUCT WHERE { ?s skos:prefLabel ?n }", sample_rdf, {"n": "唐山市"})
    with pytest.raises(UserError, match="not a valid IRI"):
        run_query("within_place", sample_rdf, {"place": "<script>alert(1)</script>"})  # <…> is an IRI


def test_graph_as_path_store_or_rdflib_graph(sample_graph, tmp_path):
    path = tmp_path / "graph.ttl"
    write_turtle(sample_graph, path)
    store = load_store(path)
    assert isinstance(store, ox.Store) and len(store) == len(rdf_graph(sample_graph))
    results = [run_query("mentions", g) for g in (path, str(path), store, rdf_graph(sample_graph))]
    assert all(r == results[0] for r in results) and results[0].rows


def test_values_render_as_before(tmp_path):
    """Numbers as numbers, language tags dropped, IRIs shortened, unbound empty: as the rdflib engine printed them."""
    path = tmp_path / "graph.ttl"
    path.write_text(
        "@prefix kg: <https://kg.example.org/ontology#> .\n@prefix kgr: <https://kg.example.org/id/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'kgr:a kg:v "007"^^xsd:integer, true, "1.0e0"^^xsd:double, "河北"@zh, "abc"^^xsd:integer,\n'
        '  "2020-01-01"^^xsd:date, "x"^^<http://example.org/dt>, <http://example.org/o>, kgr:b, "tab\\there\\n" .\n',
        encoding="utf-8",
    )
    result = run_query("SELECT ?v ?none WHERE { kgr:a kg:v ?v OPTIONAL { kgr:a kg:nothing ?none } }", path)
    # no ORDER BY: unbound first, then numbers by value, then the rest by text
    assert [r[0] for r in result.rows] == [
        1.0,
        True,
        7,
        "2020-01-01",
        "abc",
        "http://example.org/o",
        "kgr:b",
        "tab\there\n",
        "x",
        "河北",
    ]
    assert {r[1] for r in result.rows} == {None}
    assert result.render("csv").splitlines()[1:4] == ["1.0,", "True,", "7,"]
    assert json.loads(result.render("json"))[:2] == [{"v": 1.0, "none": None}, {"v": True, "none": None}]
    assert "tab\\there\\n" in result.render("table")


def test_ties_of_order_by_are_broken_by_the_other_columns(seed_rdf):
    """evidence orders by document, offset and names; two titles from one sentence come in title order."""
    got = rows("evidence", seed_rdf, a="龙奋杰", b="省科技厅")
    same = [r["title"] for r in got if r["start"] == got[0]["start"]]
    assert same == sorted(same) and len(same) == 2


def test_rows_without_order_by_are_sorted(seed_rdf):
    names = [r["name"] for r in rows("SELECT ?name WHERE { ?p a kg:Person ; skos:prefLabel ?name }", seed_rdf)]
    assert names == sorted(names) and len(names) > 10


def test_broken_turtle_names_line_and_column(tmp_path):
    path = tmp_path / "graph.ttl"
    path.write_text('@prefix a: <http://a/> .\na:x a:y "甲乙" ;\n  a:q .\n', encoding="utf-8")
    with pytest.raises(UserError, match=re.escape(f"{path} is not valid Turtle: line 3, column 7: ")):
        run_query("mentions", path)
    with pytest.raises(UserError, match="not a graph file"):
        run_query("mentions", tmp_path)


def test_prefixes_queries_may_use_undeclared(sample_rdf):
    # the graph's prefixes and rdflib's defaults (owl:, foaf:, …), as before
    assert run_query("ASK { ?p a kg:Person ; skos:prefLabel ?n FILTER NOT EXISTS { ?p a owl:Thing } }", sample_rdf).ask
    assert run_query("SELECT ?p WHERE { ?p foaf:name ?n }", sample_rdf).rows == ()
