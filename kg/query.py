"""SPARQL over ``graph.ttl``: ad-hoc queries and the named ones in ``ontology/queries/``.

A named query is ``ontology/queries/NAME.rq``; its leading ``#`` lines say what
it answers and which parameters it takes. Queries run on pyoxigraph (a Rust
store: a million triples load in seconds, where rdflib's in-memory graph took
about a minute). The output is what the rdflib-based version printed for the
shipped queries: the same rows, columns and rendering of every value (``_plain``
reads typed literals through rdflib, as before). The engines differ in values a
query computes (decimal arithmetic, ``AVG``, the order inside ``GROUP_CONCAT``),
in typed literals pyoxigraph keeps by value (``"1.50"^^xsd:decimal`` comes back
as ``1.5``), in ``ORDER BY`` over values of mixed types, and in queries only
rdflib accepted (a projected variable missing from ``GROUP BY``).

Parameters are bound, never pasted into the query text: each group graph
pattern ``{ … }`` that mentions ``?name`` (and the top-level ``WHERE`` group)
starts with ``BIND(<urn:x-kg:param#name>() AS ?name)``, a call of a Python
function that returns the value as an RDF term, so ``FILTER (!BOUND(?name) || …)``
sees it bound, as rdflib's ``initBindings`` did. Values are plain strings, or
IRIs when written ``<…>``; the queries compare names with ``STR()``, so
``--param agency=省科技厅`` matches the alias as well as the full name.
(pyoxigraph's own ``substitutions`` do not fit: they only accept projected
variables, and ``BOUND(?name)`` stays false inside the query.)

Rows come in the query's ``ORDER BY`` order. A query without a top-level
``ORDER BY`` has no defined row order (the old rdflib engine gave file order,
pyoxigraph its index order), so its rows are sorted: unbound first, then
numbers by value, then everything else by its text, column by column. Rows an
``ORDER BY`` of plain variables leaves tied are sorted the same way among
themselves (``evidence`` orders by sentence, not title: two titles from one
sentence). The columns of ``SELECT *`` come in pyoxigraph's order (rdflib's
varied from run to run).

>>> sorted(named_queries())
['evidence', 'initiatives', 'mentions', 'officials_by_agency', 'within_place']
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import BNode, Node

from kg import _files
from kg.errors import UserError
from kg.vocab import PREFIXES

QUERY_DIR = _files.query_dir()
FORMATS = ("table", "csv", "json")
#: Parameter ``?name`` is the value of the function ``<urn:x-kg:param#name>()`` (see the module docstring).
PARAM_FUNCTION = "urn:x-kg:param#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _user_error(message: str) -> Exception:
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


def _binding(name: str, value: str) -> ox.NamedNode | ox.Literal:
    """The RDF term a parameter stands for: an IRI when written ``<…>``, else a plain string."""
    try:
        if value.startswith("<") and value.endswith(">"):
            return ox.NamedNode(value[1:-1])
        return ox.Literal(value)
    except (ValueError, UnicodeError) as exc:
        raise _user_error(
            f"--param {name}: {value!r} is not a valid {'IRI' if value.startswith('<') else 'string'}"
        ) from exc


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


# ---------------------------------------------------------------- reading graph.ttl


def _read_turtle(path: Path, missing_hint: str) -> bytes:
    """The bytes of a Turtle file, or a one-line ``UserError`` for a folder, a missing, binary or non-UTF-8 file."""
    from kg.textio import sniff_binary

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
    return raw


def load_store(path: str | Path, missing_hint: str = "run `kg build` first, or give --graph PATH") -> ox.Store:
    """The Turtle file at ``path`` in an in-memory pyoxigraph store (what ``kg query`` runs on).

    The same one-line ``UserError`` as :func:`parse_turtle_file` for a folder, a
    missing, binary or non-UTF-8 file; a syntax error gives pyoxigraph's line,
    column and reason. As with rdflib, IRIs are not validated (``lenient``) and
    relative IRIs resolve against the current folder.
    """
    path = Path(path)
    raw = _read_turtle(path, missing_hint)
    store = ox.Store()
    try:
        store.load(raw, ox.RdfFormat.TURTLE, base_iri=Path.cwd().as_uri() + "/", lenient=True)
    except SyntaxError as exc:
        raise _user_error(f"{path} is not valid Turtle: {_turtle_syntax_error(exc)}") from exc
    except (OSError, ValueError) as exc:
        raise _user_error(f"{path} is not valid Turtle: {_one_line(str(exc)) or type(exc).__name__}") from exc
    return store


def _turtle_syntax_error(exc: SyntaxError) -> str:
    """``line 3, column 7: . is not a valid RDF object`` from pyoxigraph's parser error."""
    text = _one_line(str(exc))
    found = re.match(
        r"Parser error at line (\d+) (?:column (\d+)|between columns (\d+) and \d+): (.*?)(?: \(line \d+\))?$", text
    )
    if found:
        return f"line {found[1]}, column {found[2] or found[3]}: {found[4]}"
    return text or type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())


def parse_turtle_file(path: str | Path, missing_hint: str = "run `kg build` first") -> Graph:
    """Parse a Turtle file with rdflib (for ``kg validate``), or raise a one-line ``UserError`` that names the problem.

    A folder, a missing file, a binary file (``binary file (PNG), not Turtle``),
    bytes that are not UTF-8 (with the byte offset) and a Turtle syntax error
    (with line and column and the parser's reason) each get their own message.
    """
    path = Path(path)
    raw = _read_turtle(path, missing_hint)
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


def _as_store(graph: ox.Store | Graph | str | Path) -> ox.Store:
    """A pyoxigraph store for a store, an rdflib graph (copied) or the path of a Turtle file."""
    if isinstance(graph, ox.Store):
        return graph
    if not isinstance(graph, Graph):
        return load_store(graph)
    store = ox.Store()
    try:
        store.extend(ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o)) for s, p, o in graph)
    except (ValueError, UnicodeError) as exc:
        raise _user_error(f"the graph cannot be queried: {_one_line(str(exc))}") from exc
    return store


def _ox_term(term: Node) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"unsupported RDF term {term!r}")


# ---------------------------------------------------------------- the query text


_TOKEN = re.compile(
    "|".join(
        (
            r"""(?P<space>\s+)""",
            r"""(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
            r"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")""",
            r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)""",
            r"""(?P<comment>#[^\n\r]*)""",
            r"""(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)""",
            r"""(?P<brace>[{}])""",
            r"""(?P<word>(?:[^\s{}()\[\]<>"'#?$,;=!&|+*/^@\\]|\\.)+)""",
            r"""(?P<other>.)""",
        )
    ),
    re.DOTALL,
)


@dataclass
class _Group:
    kind: str  # group, subselect, template, data, annotation or short-construct
    end: int  # offset just after its "{"
    top: bool
    variables: set[str]


@dataclass
class _Shape:
    """What :func:`run_query` needs to know about a query's text (strings, IRIs and comments skipped)."""

    variables: set[str]
    groups: list[_Group]  # group graph patterns, where BIND may go first
    ordered: bool  # has a top-level ORDER BY
    order_by: tuple[str, ...] | None  # its variables, if it orders by plain ?v, ASC(?v) and DESC(?v) only
    short_construct: bool  # CONSTRUCT WHERE { … }: its pattern is a template, no BIND in it


def _tokens(text: str) -> Iterator[tuple[str, int, int, str]]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield kind, match.start(), match.end(), match.group()


def _scan(text: str) -> _Shape:
    """The variables, the ``{`` of each group graph pattern and whether rows are ordered, from the query text.

    >>> shape = _scan('SELECT ?a WHERE { { SELECT ?b WHERE { ?b ?p "?c" } } OPTIONAL { ?a ?q $d } } ORDER BY ?a')
    >>> sorted(shape.variables), shape.ordered, shape.order_by
    (['a', 'b', 'd', 'p', 'q'], True, ('a',))
    >>> [(g.kind, g.top, sorted(g.variables)) for g in shape.groups]
    [('group', True, ['a', 'b', 'd', 'p', 'q']), ('group', False, ['b', 'p']), ('group', False, ['a', 'd', 'q'])]
    """
    tokens = list(_tokens(text))
    words = [t[3].upper() if t[0] == "word" else "" for t in tokens]
    shape = _Shape(variables=set(), groups=[], ordered=False, order_by=None, short_construct=False)
    stack: list[_Group] = []
    values_next = False
    for i, (kind, _start, end, token) in enumerate(tokens):
        if kind == "var":
            shape.variables.add(token[1:])
            for group in stack:
                group.variables.add(token[1:])
        elif words[i] == "VALUES":
            values_next = True
        elif words[i] == "ORDER" and not stack and i + 1 < len(tokens) and words[i + 1] == "BY":
            shape.ordered = True
            shape.order_by = _order_variables(tokens[i + 2 :], words[i + 2 :])
        elif token == "{":
            before = words[i - 1] if i else ""
            after = tokens[i + 1] if i + 1 < len(tokens) else ("", end, end, "")
            if values_next:
                what, values_next = "data", False
            elif after[3] == "|" and after[1] == end:
                what = "annotation"
            elif before == "CONSTRUCT":
                what = "template"
            elif before == "WHERE" and i >= 2 and words[i - 2] == "CONSTRUCT":
                what, shape.short_construct = "short-construct", True
            elif after[0] == "word" and after[3].upper() == "SELECT":
                what = "subselect"
            else:
                what = "group"
            group = _Group(what, end, top=not stack, variables=set())
            stack.append(group)
            if what == "group":
                shape.groups.append(group)
        elif token == "}" and stack:
            stack.pop()
    return shape


def _order_variables(tokens: list[tuple[str, int, int, str]], words: list[str]) -> tuple[str, ...] | None:
    """The variables of an ORDER BY clause made of ``?v``, ``ASC(?v)`` and ``DESC(?v)`` only, else ``None``."""
    names: list[str] = []
    i = 0
    while i < len(tokens) and words[i] not in ("LIMIT", "OFFSET", "VALUES"):
        if tokens[i][0] == "var":
            names.append(tokens[i][3][1:])
            i += 1
        elif words[i] in ("ASC", "DESC") and [t[3] for t in tokens[i + 1 : i + 4 : 2]] == ["(", ")"]:
            if tokens[i + 2][0] != "var":
                return None
            names.append(tokens[i + 2][3][1:])
            i += 4
        else:
            return None
    return tuple(names) or None


def _break_ties(table: list[tuple], columns: tuple[str, ...], order_by: tuple[str, ...]) -> list[tuple]:
    """Rows the ORDER BY leaves tied (equal in its columns) in the order of :func:`_sort_key`, the rest as they are."""
    keys = [columns.index(name) for name in order_by]
    out: list[tuple] = []
    start = 0
    for end in range(1, len(table) + 1):
        if end == len(table) or [table[end][k] for k in keys] != [table[start][k] for k in keys]:
            out += sorted(table[start:end], key=lambda row: tuple(map(_sort_key, row)))
            start = end
    return out


def _bind_parameters(text: str, shape: _Shape, names: list[str]) -> str:
    """``text`` with ``BIND(<urn:x-kg:param#name>() AS ?name)`` first in each group that needs ``?name``.

    Only names already in the query as variables are written; the values never are.
    """
    inserts = []
    for group in shape.groups:
        binds = [f" BIND(<{PARAM_FUNCTION}{n}>() AS ?{n})" for n in names if group.top or n in group.variables]
        if binds:
            inserts.append((group.end, "".join(binds) + " "))
    out, at = [], 0
    for offset, insert in inserts:
        out += [text[at:offset], insert]
        at = offset
    out.append(text[at:])
    return "".join(out)


@functools.cache
def _prefixes() -> dict[str, str]:
    """The prefixes a query may use without declaring them: rdflib's defaults (as before) and the graph's."""
    from rdflib.namespace import NamespaceManager

    manager = NamespaceManager(Graph())  # what rdflib's SPARQL parser started from
    for prefix, ns in PREFIXES.items():
        manager.bind(prefix, ns, replace=True)
    return {prefix: str(ns) for prefix, ns in manager.namespaces()}


def _sparql_syntax_error(label: str, text: str, exc: SyntaxError) -> Exception:
    """One line: ``query: SPARQL syntax error at line 2, column 9: expected one of … (after '?x ?y }')``."""
    message = str(exc).strip()
    found = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if not found:
        return _user_error(f"{label}: SPARQL syntax error: {_one_line(message) or type(exc).__name__}")
    line, column = int(found[1]), int(found[2])
    lines = text.splitlines() or [""]
    before = lines[min(line, len(lines)) - 1][: max(column - 1, 0)]
    reason = found[3]
    if reason.startswith("expected "):
        listed = re.sub(
            r"\[.*?\](?=,|$)", "", reason.removeprefix("expected ").removeprefix("one of "), flags=re.DOTALL
        )
        items = [_one_line(i) for i in re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', listed) if i.strip()]
        sentences = [i for i in items if " " in i and not i.startswith('"')]
        if "Prefix not found" in sentences:
            name = re.search(r"([^\s{}()\[\]<>\"'#?$,;=!&|+*/^@]*):[^\s:]*$", before)
            prefix = name[1] if name else ""
            reason = f"unknown prefix {prefix}: (declare it with PREFIX {prefix}: <…>)"
        elif sentences:
            reason = "; ".join(sentences)
        elif items:
            reason = ("expected one of " if len(items) > 1 else "expected ") + ", ".join(items)
        else:
            reason = "unexpected text"
    context = before.strip()[-30:]
    tail = f" (after {context!r})" if context and "unknown prefix" not in reason else ""
    return _user_error(f"{label}: SPARQL syntax error at line {line}, column {column}: {_one_line(reason)}{tail}")


# ---------------------------------------------------------------- values


_COMPACT = sorted(PREFIXES.items(), key=lambda x: -len(x[1]))


def _compact(iri: str) -> str:
    for prefix, ns in _COMPACT:
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


@functools.lru_cache(maxsize=1 << 16)
def _typed(lexical: str, datatype: str) -> tuple[Any, str]:
    """``(plain value, lexical form)`` of a typed literal, as rdflib reads it: ``007``^^xsd:integer → ``(7, "7")``.

    Going through rdflib keeps every value as the rdflib-based ``kg query`` printed it
    (numbers, booleans, decimals and dates as their normalised text, ill-typed values as written).
    """
    quiet = logging.getLogger("rdflib")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # rdflib logs a warning with a traceback for an ill-typed literal
    try:
        literal = Literal(lexical, datatype=URIRef(datatype))
        value = literal.toPython()
    finally:
        quiet.setLevel(level)
    text = str(literal)
    if isinstance(value, (int, float, bool)) or (isinstance(value, str) and not isinstance(value, Literal)):
        return value, text
    return text, text


def _plain(term: Any) -> Any:
    """A pyoxigraph term as the plain value the output shows.

    >>> _plain(ox.NamedNode("https://kg.example.org/ontology#Person")), _plain(ox.Literal("河北", language="zh"))
    ('kg:Person', '河北')
    >>> _plain(ox.Literal("007", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))), _plain(None)
    (7, None)
    """
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language is not None or datatype == _XSD_STRING:
            return term.value
        return _typed(term.value, datatype)[0]
    if isinstance(term, ox.NamedNode):
        return _compact(term.value)
    if isinstance(term, ox.BlankNode):
        return term.value
    return str(term)


def _lexical(term: Any) -> tuple[str, str]:
    """Sort key of a term in CONSTRUCT output: its text (as rdflib's ``str``), then language or datatype."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language is not None or datatype == _XSD_STRING:
            return term.value, term.language or datatype
        return _typed(term.value, datatype)[1], datatype
    return term.value, ""


def _sort_key(value: Any) -> tuple:
    """Rows of a query without ORDER BY: unbound first, then numbers by value, then the rest by text.

    Equal numbers of different types (``1``, ``1.0``, ``True``) go by their text, so the order is total.
    """
    if value is None:
        return (0, 0, "")
    if isinstance(value, (int, float)) and value == value:  # not NaN
        return (1, value, str(value))
    return (2, 0, str(value))


def _parse(text: str, prefixes: dict[str, str], functions: dict) -> None:
    """Raise pyoxigraph's ``SyntaxError`` if ``text`` is not a query (it runs on an empty store, which costs nothing)."""
    # an evaluation error is reported when the query runs on the graph
    with contextlib.suppress(OSError, RuntimeError, ValueError, TypeError):
        ox.Store().query(text, prefixes=prefixes, custom_functions=functions)


def run_query(
    query: str, graph: ox.Store | Graph | str | Path = "exports/graph.ttl", params: dict[str, str] | None = None
) -> QueryResult:
    """Run a named query or SPARQL text against a graph (a pyoxigraph store, an rdflib graph or a Turtle path).

    Unknown names, SPARQL syntax errors (with line and column), unknown
    parameters and a missing graph file raise ``kg.errors.UserError``; the query is
    checked before the graph is read.
    """
    label, text = load_query(query)
    prefixes = _prefixes()
    try:
        _parse(text, prefixes, {})
    except SyntaxError as exc:
        raise _sparql_syntax_error(label, text, exc) from exc
    shape = _scan(text)
    bindings = {}
    for name, value in (params or {}).items():
        if name not in shape.variables:
            found = ", ".join(sorted(shape.variables))
            raise _user_error(f"{label} has no parameter ?{name} (its variables: {found})")
        bindings[name] = _binding(name, value)
    functions = {ox.NamedNode(PARAM_FUNCTION + name): (lambda term=term: term) for name, term in bindings.items()}
    if bindings:
        if shape.short_construct:
            raise _user_error(f"{label}: parameters need the long form, CONSTRUCT {{ … }} WHERE {{ … }}")
        text = _bind_parameters(text, shape, list(bindings))
        try:
            _parse(text, prefixes, functions)
        except SyntaxError as exc:
            names = ", ".join(f"?{n}" for n in bindings)
            raise _user_error(f"{label}: cannot bind {names}: {_one_line(str(exc))}") from exc
    store = _as_store(graph)
    try:
        result = store.query(text, prefixes=prefixes, custom_functions=functions)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(columns=("ask",), rows=((bool(result),),), ask=bool(result))
        if isinstance(result, ox.QueryTriples):
            triples = sorted(result, key=lambda t: tuple(map(_lexical, (t.subject, t.predicate, t.object))))
            rows = tuple((_plain(t.subject), _plain(t.predicate), _plain(t.object)) for t in triples)
            return QueryResult(columns=("subject", "predicate", "object"), rows=rows)
        columns = tuple(v.value for v in result.variables)
        width = range(len(columns))
        table = [tuple(_plain(solution[i]) for i in width) for solution in result]
    except (OSError, RuntimeError, ValueError, TypeError) as exc:  # evaluation errors, e.g. SERVICE
        raise _user_error(f"{label}: the query failed: {_one_line(str(exc)) or type(exc).__name__}") from exc
    if not shape.ordered:
        table.sort(key=lambda row: tuple(map(_sort_key, row)))
    elif shape.order_by and set(shape.order_by) <= set(columns):
        table = _break_ties(table, columns, shape.order_by)
    return QueryResult(columns=columns, rows=tuple(table))


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
