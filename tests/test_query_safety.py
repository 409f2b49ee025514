"""``kg query`` cannot attack its reader (issue 13.5) and is usable on a terminal (issue 14).

CSV cells cannot be spreadsheet formulas, ``SERVICE`` never reaches the
network, a runaway query stops, rows stream, the table never writes terminal
control characters and fits the terminal; ``--list`` says what each named
query answers; parameters match ``@zh`` labels with or without the tag.
"""

from __future__ import annotations

import csv
import http.server
import io
import json
import threading
import unicodedata

import pyoxigraph as ox
import pytest

from kg.cells import FORMULA_START, unescape_cell
from kg.cli import main, make_parser
from kg.errors import UserError
from kg.export.rdf import write_turtle
from kg.graph import add_entity
from kg.query import QueryResult, Stream, named_queries, parameters, run_query, stream_query, write_result
from kg.query.format import _width


@pytest.fixture
def sample_ttl(sample_graph, tmp_path):
    path = tmp_path / "graph.ttl"
    write_turtle(sample_graph, path)
    return path


def graph_with_names(tmp_path, sample_graph, names):
    G = sample_graph.copy()
    for name in names:
        add_entity(G, "Organization", name, mentions=1, documents=["a.txt"])
    path = tmp_path / "hostile.ttl"
    write_turtle(G, path)
    return path


NAMES = "SELECT ?name WHERE { ?e a kg:Organization ; skos:prefLabel ?name }"


# ---------------------------------------------------------------- CSV: no formulas


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "'quoted", "=1"]


def test_csv_cells_cannot_be_formulas(tmp_path, sample_graph, capsys):
    path = graph_with_names(tmp_path, sample_graph, FORMULAS)
    assert main(["query", NAMES, "--graph", str(path), "--format", "csv"]) == 0
    cells = [row[0] for row in csv.reader(io.StringIO(capsys.readouterr().out))][1:]
    assert cells and all(not c.startswith(FORMULA_START[:-1]) for c in cells)
    # one rule gives the real names back, as for neo4j/*.csv
    assert set(FORMULAS) <= {unescape_cell(c) for c in cells}


def test_csv_numbers_stay_numbers(sample_ttl, capsys):
    assert (
        main(["query", 'SELECT (-1 AS ?n) ("-1" AS ?s) WHERE {}', "--graph", str(sample_ttl), "--format", "csv"]) == 0
    )
    assert capsys.readouterr().out == "n,s\n-1,'-1\n"


# ---------------------------------------------------------------- SERVICE: never a request


@pytest.fixture
def stub_endpoint():
    """A SPARQL endpoint on 127.0.0.1 that answers every request with one row and records it."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self):
            hits.append(self.path)
            body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"pwned"}}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    server.shutdown()
    server.server_close()


def test_the_stub_answers_pyoxigraph_when_kg_does_not_stand_between(stub_endpoint):
    """Without kg's refusal the engine does call the endpoint: the test below can fail."""
    url, hits = stub_endpoint
    rows = list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
    assert len(rows) == 1 and hits == ["/sparql"]


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        "SELECT ?name WHERE {{ ?e skos:prefLabel ?name OPTIONAL {{ SeRvIcE<{url}>{{ ?e ?p ?o }} }} }}",
        "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_and_no_request_is_sent(template, stub_endpoint, sample_ttl, capsys):
    url, hits = stub_endpoint
    query = template.format(url=url)
    assert main(["query", query, "--graph", str(sample_ttl)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kg: error: query: SERVICE is not allowed") and err.count("\n") == 1
    with pytest.raises(UserError, match="SERVICE"):
        run_query(query, sample_ttl)
    assert hits == []


@pytest.mark.parametrize(
    "template",
    [
        "SELECT ?s FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT ?s FROM NAMED <{url}> WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
        "SELECT ?s WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_graph_iris_are_names_not_addresses(template, stub_endpoint, sample_ttl):
    url, hits = stub_endpoint
    assert run_query(template.format(url=url), sample_ttl, timeout=30).rows == ()
    assert hits == []


def test_updates_are_not_queries(sample_ttl):
    for update in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "LOAD <http://127.0.0.1:9/x>", "CLEAR ALL"):
        with pytest.raises(UserError, match="SPARQL syntax error"):
            run_query(update, sample_ttl)


def test_the_word_service_in_a_string_or_a_name_is_no_service(sample_ttl):
    got = run_query('SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:9/>" AS ?x) }', sample_ttl)
    assert got.rows == (("SERVICE <http://127.0.0.1:9/>",),)


# ---------------------------------------------------------------- a runaway query stops


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_a_runaway_query_stops_with_a_clear_error(sample_ttl, capsys):
    assert main(["query", RUNAWAY, "--graph", str(sample_ttl), "--timeout", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kg: error: query: stopped after 1 s (--timeout)") and err.count("\n") == 1
    with pytest.raises(UserError, match="stopped after 0.5 s"):
        run_query(RUNAWAY, sample_ttl, timeout=0.5)


def test_a_query_that_runs_away_on_no_data_stops_before_the_graph_is_read(tmp_path):
    """The syntax check runs the query on an empty store: VALUES × VALUES … runs away there as well.

    It stops within the limit, before the (here missing) graph is read.
    """
    values = " ".join(map(str, range(80)))
    query = "ASK { " + " ".join(f"VALUES ?{v} {{ {values} }}" for v in "abcd") + " FILTER(?a + ?b + ?c + ?d < 0) }"
    with pytest.raises(UserError, match="stopped after 1 s"):
        run_query(query, tmp_path / "missing.ttl", timeout=1)


@pytest.mark.parametrize("timeout", [0, 60])
def test_a_query_nested_too_deeply_is_one_error_line_not_a_crash(timeout, sample_ttl):
    """Nested thousands deep, pyoxigraph's parser overflows its stack and kills its process: a child, not kg."""
    query = "SELECT * WHERE { FILTER(" + "(" * 200_000 + "1" + ")" * 200_000 + ") }"
    with pytest.raises(UserError, match="crashed") as info:
        run_query(query, sample_ttl, timeout=timeout)
    assert "\n" not in str(info.value)


def test_the_time_limit_is_on_by_default_and_can_be_lifted():
    parser = make_parser()
    default = parser.parse_args(["query", "mentions"]).timeout
    assert 0 < default < float("inf")
    assert parser.parse_args(["query", "mentions", "--timeout", "0"]).timeout == 0
    for bad in ("-1", "nan", "inf", "soon"):
        with pytest.raises(SystemExit):
            parser.parse_args(["query", "mentions", "--timeout", bad])


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_the_time_limited_run_gives_the_same_rows(name, sample_ttl):
    assert run_query(name, sample_ttl, timeout=30) == run_query(name, sample_ttl)


def test_an_evaluation_error_in_the_child_is_one_line(sample_ttl):
    with pytest.raises(UserError, match="the query failed") as info:
        run_query('SELECT ?x WHERE { BIND(<urn:nope>("a") AS ?x) }', sample_ttl, timeout=30)
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------- rows stream


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csv_and_json_write_each_row_before_the_next_is_computed(fmt):
    out = io.StringIO()
    seen: list[int] = []

    def rows():
        for i in range(3):
            yield (f"row{i}", i)
            seen.append(out.getvalue().count("row"))  # rows written when asked for the next

    write_result(Stream(columns=("name", "n"), rows=rows()), fmt, out)
    assert seen == [1, 2, 3]


def test_streamed_json_and_csv_are_the_bytes_of_the_whole_result(sample_ttl):
    for name in sorted(named_queries()):
        whole = run_query(name, sample_ttl)
        for fmt in ("csv", "json"):
            out = io.StringIO()
            write_result(stream_query(name, sample_ttl, timeout=30), fmt, out)
            assert out.getvalue() == whole.render(fmt), (name, fmt)
    records = run_query("evidence", sample_ttl).records()
    assert json.loads(run_query("evidence", sample_ttl).render("json")) == records
    empty = run_query("mentions", sample_ttl, {"type": "Nothing"})
    assert empty.render("json") == json.dumps([]) + "\n"


def test_a_stream_is_an_iterator_over_the_rows(sample_ttl):
    stream = stream_query("evidence", sample_ttl, timeout=30)
    first = next(stream.rows)
    assert (first, *stream.rows) == run_query("evidence", sample_ttl).rows


# ---------------------------------------------------------------- the terminal


TERMINAL_ATTACKS = [
    "\x1b[2J\x1b[H清屏公司",  # clear screen
    "\x1b]0;pwned\x07标题公司",  # set the window title (OSC ... BEL)
    "回车\r覆盖公司",  # CR: overwrite the line
    "退格\x08\x08公司",
    "\x9b31m八位公司",  # C1 CSI
    "\u202e司公序倒",  # right-to-left override
    "响铃\x07公司",
]


def test_the_table_never_writes_terminal_control_characters(tmp_path, sample_graph, capsys):
    path = graph_with_names(tmp_path, sample_graph, TERMINAL_ATTACKS)
    assert main(["query", NAMES, "--graph", str(path)]) == 0
    out = capsys.readouterr().out
    bad = [c for c in out if c != "\n" and (unicodedata.category(c) == "Cc" or "\u202a" <= c <= "\u202e")]
    assert bad == []
    assert "\\x1b[2J\\x1b[H清屏公司" in out and "\\u202e司公序倒" in out  # shown, as escapes


def test_json_holds_no_control_character_but_the_same_values(tmp_path, sample_graph, capsys):
    path = graph_with_names(tmp_path, sample_graph, TERMINAL_ATTACKS)
    assert main(["query", NAMES, "--graph", str(path), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert [c for c in out if c != "\n" and (unicodedata.category(c) == "Cc" or "\u202a" <= c <= "\u202e")] == []
    assert set(TERMINAL_ATTACKS) <= {r["name"] for r in json.loads(out)}


def test_csv_on_a_terminal_shows_control_characters_as_escapes_and_verbatim_elsewhere():
    result = QueryResult(columns=("name",), rows=(("\x1b[31m红\r字\u202e",),))
    shown, kept = io.StringIO(), io.StringIO()
    write_result(result, "csv", shown, terminal=True)
    write_result(result, "csv", kept)
    assert shown.getvalue() == "name\n\\x1b[31m红\\x0d字\\u202e\n"
    assert next(csv.reader(io.StringIO(kept.getvalue().split("\n", 1)[1]))) == ["\x1b[31m红\r字\u202e"]


@pytest.mark.parametrize("command", ["query", "validate"])
def test_error_lines_quote_broken_turtle_without_control_characters(command, tmp_path, capsys):
    path = tmp_path / "graph.ttl"
    path.write_text("@prefix ex: <http://e/> .\nex:a ex:b \x1b[2J\x07bad .\n", encoding="utf-8")
    args = ["query", "mentions", "--graph", str(path)] if command == "query" else ["validate", str(path)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("kg: error:") and err.count("\n") == 1
    assert [c for c in err if c != "\n" and unicodedata.category(c) == "Cc"] == []


def test_the_table_fits_the_terminal(sample_ttl, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["query", "evidence", "--graph", str(sample_ttl)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(_width(line) <= 60 for line in lines)
    assert any(line.endswith("…") or "… " in line for line in lines[2:])  # long sentences were cut
    for fmt in ("csv", "json"):  # never cut
        assert main(["query", "evidence", "--graph", str(sample_ttl), "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "…" not in out and "唐山推行基层科技特派员制度。" in out


def test_a_table_sent_to_a_file_or_pipe_is_not_cut(sample_ttl, capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert main(["query", "evidence", "--graph", str(sample_ttl)]) == 0  # capsys: not a terminal
    assert "唐山推行基层科技特派员制度。" in capsys.readouterr().out


def test_a_narrow_terminal_cuts_wide_columns_first():
    result = QueryResult(columns=("name", "sentence"), rows=(("河北省", "很" * 100),))
    lines = result.render("table", width=40).splitlines()
    assert lines[2].startswith("河北省  ") and lines[2].endswith("…") and _width(lines[2]) <= 40


# ---------------------------------------------------------------- --list


def test_list_says_what_each_named_query_answers_and_its_parameters(capsys, sample_ttl):
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    for name, path in named_queries().items():
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
        assert f"{name}  (" in out and first in out
        assert parameters(name), name  # every shipped query takes one
        for param in parameters(name):
            assert f"--param {param}=" in out
            run_query(name, sample_ttl, {param: "x"})  # a real parameter: no "has no parameter" error


def test_a_query_or_list_is_needed(capsys):
    assert main(["query"]) == 2
    assert "kg query --list" in capsys.readouterr().err


# ---------------------------------------------------------------- @zh


EXAMPLES = {
    "agency": "河北省科学技术厅",
    "title": "厅长",
    "initiative": "科技特派员制度",
    "place": "河北省",
    "a": "科技特派员制度",
    "b": "唐山市",
    "type": "Person",
}


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_queries_match_with_or_without_the_language_tag(name, sample_ttl):
    for param in parameters(name):
        plain = run_query(name, sample_ttl, {param: EXAMPLES[param]})
        tagged = run_query(name, sample_ttl, {param: f'"{EXAMPLES[param]}"@zh'})
        assert plain.rows and tagged == plain, (name, param)
        assert run_query(name, sample_ttl, {param: f'"{EXAMPLES[param]}"@ZH'}) == plain


def test_own_queries_match_labels_with_the_tag(sample_ttl):
    query = "SELECT ?e WHERE { ?e skos:prefLabel ?name }"
    assert len(run_query(query, sample_ttl, {"name": '"唐山市"@zh'}).rows) == 1
    assert run_query(query, sample_ttl, {"name": "唐山市"}).rows == ()  # a plain string is another term
    by_str = "SELECT ?e WHERE { ?e skos:prefLabel ?l FILTER(STR(?l) = STR(?name)) }"
    assert len(run_query(by_str, sample_ttl, {"name": "唐山市"}).rows) == 1
    assert len(run_query('SELECT ?e WHERE { ?e skos:prefLabel "唐山市"@zh }', sample_ttl).rows) == 1
