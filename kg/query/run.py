"""Running a query: check it, bind its parameters, run it on pyoxigraph, put its rows in a stable order.

Queries run on pyoxigraph (a Rust store: a million triples load in seconds,
where rdflib's in-memory graph took about a minute). The engines differ in
values a query computes (decimal arithmetic, ``AVG``, the order inside
``GROUP_CONCAT``), in ``ORDER BY`` over values of mixed types, and in queries
only rdflib accepted (a projected variable missing from ``GROUP BY``).

Rows come in the query's ``ORDER BY`` order. A query without a top-level
``ORDER BY`` has no defined row order (the old rdflib engine gave file order,
pyoxigraph its index order), so its rows are sorted: unbound first, then
numbers by value, then everything else by its text, column by column. Rows an
``ORDER BY`` of plain variables leaves tied are sorted the same way among
themselves (``evidence`` orders by sentence, not title: two titles from one
sentence). The columns of ``SELECT *`` come in pyoxigraph's order (rdflib's
varied from run to run).
"""

from __future__ import annotations

import contextlib
import functools
import re
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import UserError
from kg.query.format import QueryResult, lexical, plain, sort_key
from kg.query.load import as_store, one_line
from kg.query.named import load_query
from kg.query.params import PARAM_FUNCTION, bind_parameters, scan, term
from kg.vocab import PREFIXES


def _break_ties(table: list[tuple], columns: tuple[str, ...], order_by: tuple[str, ...]) -> list[tuple]:
    """Rows the ORDER BY leaves tied (equal in its columns) in the order of :func:`sort_key`, the rest as they are."""
    keys = [columns.index(name) for name in order_by]
    out: list[tuple] = []
    start = 0
    for end in range(1, len(table) + 1):
        if end == len(table) or [table[end][k] for k in keys] != [table[start][k] for k in keys]:
            out += sorted(table[start:end], key=lambda row: tuple(map(sort_key, row)))
            start = end
    return out


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
        return UserError(f"{label}: SPARQL syntax error: {one_line(message) or type(exc).__name__}")
    line, column = int(found[1]), int(found[2])
    lines = text.splitlines() or [""]
    before = lines[min(line, len(lines)) - 1][: max(column - 1, 0)]
    reason = found[3]
    if reason.startswith("expected "):
        listed = re.sub(
            r"\[.*?\](?=,|$)", "", reason.removeprefix("expected ").removeprefix("one of "), flags=re.DOTALL
        )
        items = [one_line(i) for i in re.findall(r'"(?:[^"\\]|\\.)*"|[^,]+', listed) if i.strip()]
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
    return UserError(f"{label}: SPARQL syntax error at line {line}, column {column}: {one_line(reason)}{tail}")


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
    shape = scan(text)
    bindings = {}
    for name, value in (params or {}).items():
        if name not in shape.variables:
            found = ", ".join(sorted(shape.variables))
            raise UserError(f"{label} has no parameter ?{name} (its variables: {found})")
        bindings[name] = term(name, value)
    functions = {ox.NamedNode(PARAM_FUNCTION + name): (lambda bound=bound: bound) for name, bound in bindings.items()}
    if bindings:
        if shape.short_construct:
            raise UserError(f"{label}: parameters need the long form, CONSTRUCT {{ … }} WHERE {{ … }}")
        text = bind_parameters(text, shape, list(bindings))
        try:
            _parse(text, prefixes, functions)
        except SyntaxError as exc:
            names = ", ".join(f"?{n}" for n in bindings)
            raise UserError(f"{label}: cannot bind {names}: {one_line(str(exc))}") from exc
    store = as_store(graph)
    try:
        result = store.query(text, prefixes=prefixes, custom_functions=functions)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult(columns=("ask",), rows=((bool(result),),), ask=bool(result))
        if isinstance(result, ox.QueryTriples):
            triples = sorted(result, key=lambda t: tuple(map(lexical, (t.subject, t.predicate, t.object))))
            rows = tuple((plain(t.subject), plain(t.predicate), plain(t.object)) for t in triples)
            return QueryResult(columns=("subject", "predicate", "object"), rows=rows)
        columns = tuple(v.value for v in result.variables)
        width = range(len(columns))
        table = [tuple(plain(solution[i]) for i in width) for solution in result]
    except (OSError, RuntimeError, ValueError, TypeError) as exc:  # evaluation errors, e.g. SERVICE
        raise UserError(f"{label}: the query failed: {one_line(str(exc)) or type(exc).__name__}") from exc
    if not shape.ordered:
        table.sort(key=lambda row: tuple(map(sort_key, row)))
    elif shape.order_by and set(shape.order_by) <= set(columns):
        table = _break_ties(table, columns, shape.order_by)
    return QueryResult(columns=columns, rows=tuple(table))
