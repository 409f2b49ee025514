"""SPARQL over ``graph.ttl``: ad-hoc queries and the named ones in ``ontology/queries/``.

A named query is ``ontology/queries/NAME.rq``; its leading ``#`` lines say what
it answers and which parameters it takes. Parameters are bound with
``initBindings`` (never pasted into the query text) as plain strings, or as
IRIs when written ``<…>``; the queries compare names with ``STR()``, so
``--param agency=省科技厅`` matches the alias as well as the full name.

>>> sorted(named_queries())
['evidence', 'initiatives', 'mentions', 'officials_by_agency', 'within_place']
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from kg.vocab import ONTOLOGY_DIR, PREFIXES

QUERY_DIR = ONTOLOGY_DIR / "queries"
FORMATS = ("table", "csv", "json")


def _user_error(message: str) -> Exception:
    from kg.cli import UserError

    return UserError(message)


def named_queries() -> dict[str, Path]:
    """``{name: path}`` of the shipped queries."""
    return {p.stem: p for p in sorted(QUERY_DIR.glob("*.rq"))}


def describe(name: str) -> str:
    """The leading comment of a named query (what it answers)."""
    lines = []
    for line in named_queries()[name].read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return "\n".join(lines)


def load_query(name_or_text: str) -> tuple[str, str]:
    """``(label, SPARQL text)`` for a query name or the text of a query."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_text.strip()):
        name = name_or_text.strip()
        queries = named_queries()
        if name not in queries:
            raise _user_error(f"unknown query {name!r}; named queries: {', '.join(queries) or '(none)'}")
        return name, queries[name].read_text(encoding="utf-8")
    return "query", name_or_text


def parse_params(pairs: list[str] | None) -> dict[str, str]:
    """``["agency=省科技厅"]`` → ``{"agency": "省科技厅"}``."""
    params: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise _user_error(f"--param wants name=value, got {pair!r}")
        params[name] = value
    return params


def _binding(value: str) -> Identifier:
    if value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    return Literal(value)


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Column names and rows of plain values (str, int, float, bool or None)."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    ask: bool | None = None

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def render(self, fmt: str = "table") -> str:
        if fmt == "csv":
            return format_csv(self)
        if fmt == "json":
            return format_json(self)
        return format_table(self)


def load_graph(path: str | Path) -> Graph:
    """The Turtle file at ``path`` as an rdflib graph; a missing or broken file is a one-line ``UserError``."""
    return parse_turtle_file(path, missing_hint="run `kg build` first, or give --graph PATH")


def parse_turtle_file(path: str | Path, missing_hint: str = "run `kg build` first") -> Graph:
    """Parse a Turtle file, or raise a one-line ``UserError`` that names the problem.

    A folder, a missing file, a binary file (``binary file (PNG), not Turtle``),
    bytes that are not UTF-8 (with the byte offset) and a Turtle syntax error
    (with line and column and the parser's reason) each get their own message.
    """
    from kg.textio import sniff_binary

    path = Path(path)
    if path.is_dir():
        raise _user_error(f"{path} is a folder, not a graph file: give the path of a graph.ttl")
    if not path.is_file():
        raise _user_error(f"no graph at {path}: {missing_hint}")
    raw = path.read_bytes()
    what = sniff_binary(raw.removeprefix(b"\xef\xbb\xbf"))
    if what is not None:
        raise _user_error(f"{path} is not valid Turtle: binary file ({what})")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _user_error(
            f"{path} is not valid Turtle: not UTF-8 text (undecodable byte at byte offset {exc.start})"
        ) from exc
    graph = Graph(bind_namespaces="none")
    quiet = logging.getLogger("rdflib")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # rdflib logs a warning per odd IRI before it fails
    try:
        graph.parse(data=raw, format="turtle")
    except Exception as exc:  # rdflib's parsers raise several types
        raise _user_error(f"{path} is not valid Turtle: {_syntax_error(raw, exc)}") from exc
    finally:
        quiet.setLevel(level)
    return graph


def _syntax_error(raw: bytes, exc: Exception) -> str:
    """``line 3, column 9: objectList expected`` from an rdflib ``BadSyntax`` (or the first line of any error)."""
    i, why = getattr(exc, "_i", None), getattr(exc, "_why", None)
    if isinstance(i, int) and why:
        i = max(0, min(i, len(raw)))
        line_start = raw.rfind(b"\n", 0, i) + 1
        column = len(raw[line_start:i].decode("utf-8", "replace")) + 1
        line = raw.count(b"\n", 0, i) + 1
        return f"line {line}, column {column}: {why}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _plain(term: Node | None):
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, (int, float, bool, str)) else str(term)
    text = str(term)
    if isinstance(term, URIRef):
        for prefix, ns in sorted(PREFIXES.items(), key=lambda x: -len(x[1])):
            if text.startswith(ns):
                return f"{prefix}:{text[len(ns) :]}"
    return text


def run_query(
    query: str, graph: Graph | str | Path = "exports/graph.ttl", params: dict[str, str] | None = None
) -> QueryResult:
    """Run a named query or SPARQL text against a graph (an rdflib Graph or a Turtle path).

    Unknown names, SPARQL syntax errors (with line and column), unknown
    parameters and a missing graph file raise ``kg.cli.UserError``.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    label, text = load_query(query)
    namespaces = {p: URIRef(ns) for p, ns in PREFIXES.items()}
    try:
        prepared = prepareQuery(text, initNs=namespaces)
    except ParseException as exc:
        raise _user_error(f"{label}: SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from exc
    except Exception as exc:  # e.g. an undeclared prefix
        raise _user_error(f"{label}: cannot prepare the query: {exc}") from exc
    bindings: dict[str, Identifier] = {}
    body = re.sub(r"(?m)#.*$", "", text)
    for name, value in (params or {}).items():
        if not re.search(rf"[?$]{re.escape(name)}\b", body):
            found = sorted(set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", body)))
            raise _user_error(f"{label} has no parameter ?{name} (its variables: {', '.join(found)})")
        bindings[name] = _binding(value)
    if not isinstance(graph, Graph):
        graph = load_graph(graph)
    result: Any = graph.query(prepared, initBindings=bindings)
    if result.type == "ASK":
        return QueryResult(columns=("ask",), rows=((bool(result.askAnswer),),), ask=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        rows = tuple(tuple(_plain(t) for t in triple) for triple in sorted(result, key=lambda t: tuple(map(str, t))))
        return QueryResult(columns=("subject", "predicate", "object"), rows=rows)
    columns = tuple(str(v) for v in result.vars)
    rows = tuple(tuple(_plain(row[i]) for i in range(len(columns))) for row in result)
    return QueryResult(columns=columns, rows=rows)


# ---------------------------------------------------------------- output


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    # Control characters would garble a terminal; show them as escapes.
    return "".join(c if unicodedata.category(c) != "Cc" else f"\\x{ord(c):02x}" for c in text)


def format_table(result: QueryResult) -> str:
    """Aligned columns (CJK characters count as two), one row per line, and a row count."""
    cells = [[_cell(v) for v in row] for row in result.rows]
    widths = [_width(c) for c in result.columns]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]

    def line(values) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(result.columns), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def format_csv(result: QueryResult) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([["" if v is None else v for v in row] for row in result.rows])
    return buf.getvalue()


def format_json(result: QueryResult) -> str:
    data = result.ask if result.ask is not None else result.records()
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
