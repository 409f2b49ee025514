"""Named SPARQL queries: each answers its question on the sample and the seeds' graph; errors are one line."""

from __future__ import annotations

import json

import pytest

from kg.cli import UserError, main
from kg.export.rdf import rdf_graph, write_turtle
from kg.query import QUERY_DIR, named_queries, parse_params, run_query

SEED_LONG = "000_5ea018c45a97ab36.txt"
SEED_MA = "002_7824a12080678c07.txt"


@pytest.fixture
def sample_rdf(sample_graph):
    return rdf_graph(sample_graph)


@pytest.fixture(scope="module")
def seed_rdf(seed_graph):
    return rdf_graph(seed_graph)


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
