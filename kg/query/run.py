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
import faulthandler
import functools
import multiprocessing
import re
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.errors import UserError
from kg.query.format import QueryResult, Stream, lexical, plain, sort_key
from kg.query.load import as_store, one_line
from kg.query.named import load_query
from kg.query.params import PARAM_FUNCTION, Shape, bind_parameters, scan, term
from kg.vocab import PREFIXES


def _row_key(row: tuple) -> tuple:
    return tuple(map(sort_key, row))


def _break_ties(rows: Iterable[tuple], columns: tuple[str, ...], order_by: tuple[str, ...]) -> Iterator[tuple]:
    """Rows the ORDER BY leaves tied (equal in its columns) in the order of ``sort_key``, the rest as they come.

    Only one run of tied rows is held at a time, so rows stream.
    """
    keys = [columns.index(name) for name in order_by]
    run: list[tuple] = []
    for row in rows:
        if run and [row[k] for k in keys] != [run[0][k] for k in keys]:
            yield from sorted(run, key=_row_key)
            run = []
        run.append(row)
    yield from sorted(run, key=_row_key)


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
    """Raise pyoxigraph's ``SyntaxError`` if ``text`` is not a query (it runs on an empty store: pyoxigraph
    has no parser of its own for queries; ``SERVICE`` is refused before this)."""
    # an evaluation error is reported when the query runs on the graph
    with contextlib.suppress(OSError, RuntimeError, ValueError, TypeError):
        ox.Store().query(text, prefixes=prefixes, custom_functions=functions)


def _prepare(query: str, params: dict[str, str] | None) -> tuple[str, str, dict, dict, Shape]:
    """Check a query and bind its parameters: ``(label, text, prefixes, functions, shape)``."""
    label, text = load_query(query)
    prefixes = _prefixes()
    shape = scan(text)
    if shape.federated:  # before the syntax check, which runs the query on an empty store
        raise UserError(
            f"{label}: SERVICE is not allowed: kg queries only the graph file, it never calls other endpoints"
        )
    try:
        _parse(text, prefixes, {})
    except SyntaxError as exc:
        raise _sparql_syntax_error(label, text, exc) from exc
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
    return label, text, prefixes, functions, shape


def _failed(label: str, exc: Exception) -> UserError:
    return UserError(f"{label}: the query failed: {one_line(str(exc)) or type(exc).__name__}")


def _guarded(label: str, rows: Iterator[tuple]) -> Iterator[tuple]:
    """``rows``, with an evaluation error met on the way as a ``UserError``."""
    try:
        yield from rows
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        raise _failed(label, exc) from exc


def _evaluate(store: ox.Store, label: str, text: str, prefixes: dict, functions: dict, shape: Shape) -> Stream:
    """Run a checked query on a store: its columns now, its rows as the engine yields them."""
    try:
        result = store.query(text, prefixes=prefixes, custom_functions=functions)
        if isinstance(result, ox.QueryBoolean):
            return Stream(columns=("ask",), rows=iter([(bool(result),)]), ask=bool(result))
        if isinstance(result, ox.QueryTriples):  # sorted: a graph has no order
            triples = sorted(result, key=lambda t: tuple(map(lexical, (t.subject, t.predicate, t.object))))
            rows = ((plain(t.subject), plain(t.predicate), plain(t.object)) for t in triples)
            return Stream(columns=("subject", "predicate", "object"), rows=rows)
        columns = tuple(v.value for v in result.variables)
    except (OSError, RuntimeError, ValueError, TypeError) as exc:  # evaluation errors
        raise _failed(label, exc) from exc
    width = range(len(columns))
    solutions = _guarded(label, (tuple(plain(solution[i]) for i in width) for solution in result))
    if not shape.ordered:
        return Stream(columns=columns, rows=iter(sorted(solutions, key=_row_key)))
    if shape.order_by and set(shape.order_by) <= set(columns):
        return Stream(columns=columns, rows=_break_ties(solutions, columns, shape.order_by))
    return Stream(columns=columns, rows=solutions)


def stream_query(
    query: str,
    graph: ox.Store | Graph | str | Path = "exports/graph.ttl",
    params: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Stream:
    """Like :func:`run_query`, but the rows come as an iterator while the engine still works.

    ``timeout=None`` runs the query here. A number runs it in child processes
    (the check, then the query): pyoxigraph cannot be interrupted from Python,
    and a query nested thousands deep overflows its stack, which kills the
    process it runs in. A child running longer than ``timeout`` seconds (``0``:
    no limit) is stopped; the wait, or a child that died, raises a ``UserError``
    that says so.
    """
    if timeout is None:
        prepared = _prepare(query, params)
        return _evaluate(as_store(graph), *prepared)
    label = load_query(query)[0]
    # The syntax check runs the query on an empty store, which can run away too (VALUES × VALUES …):
    # it gets its own child and limit, before the graph is read.
    for _ in _in_child(lambda: _checked(query, params), label, timeout).rows:
        pass
    store = as_store(graph)
    return _in_child(lambda: _evaluate(store, *_prepare(query, params)), label, timeout)


def _checked(query: str, params: dict[str, str] | None) -> Stream:
    """No rows once the query has passed :func:`_prepare` (which raises ``UserError`` if it does not)."""
    _prepare(query, params)
    return Stream(columns=(), rows=iter(()))


def run_query(
    query: str,
    graph: ox.Store | Graph | str | Path = "exports/graph.ttl",
    params: dict[str, str] | None = None,
    timeout: float | None = None,
) -> QueryResult:
    """Run a named query or SPARQL text against a graph (a pyoxigraph store, an rdflib graph or a Turtle path).

    Unknown names, SPARQL syntax errors (with line and column), unknown
    parameters, ``SERVICE`` (kg never calls other endpoints), a missing graph
    file and a query still running after ``timeout`` seconds (see
    :func:`stream_query`) raise ``kg.errors.UserError``; the query is checked
    before the graph is read.
    """
    stream = stream_query(query, graph, params, timeout)
    return QueryResult(columns=stream.columns, rows=tuple(stream.rows), ask=stream.ask)


# ---------------------------------------------------------------- a time limit


#: rows sent from the child process at once (or fewer, after ``_CHUNK_SECONDS``)
_CHUNK_ROWS = 1000
_CHUNK_SECONDS = 0.1


def _in_child(evaluate: Callable[[], Stream], label: str, timeout: float) -> Stream:
    """Run ``evaluate`` in a forked child process and stream its rows back; stop it after ``timeout`` seconds
    (``0``: never).

    The store is shared with the child by ``fork`` (nothing is copied or
    re-read). Only time spent waiting for the child counts, not time spent
    writing rows to a slow reader. Where ``fork`` is missing (Windows), the
    query runs here without a limit.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return evaluate()
    for stream in (sys.stdout, sys.stderr):  # a child would flush a copy of what is buffered
        stream.flush()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(evaluate, send), daemon=True)
    child.start()
    send.close()
    left = [float(timeout) if timeout > 0 else float("inf")]

    def message() -> tuple[str, Any]:
        started = time.monotonic()
        ready = receive.poll(None if left[0] == float("inf") else max(left[0], 0.0))
        left[0] -= time.monotonic() - started
        if not ready:
            raise UserError(
                f"{label}: stopped after {timeout:g} s (--timeout): narrow the query (a --param, LIMIT) "
                "or give a longer --timeout (0: no limit)"
            )
        try:
            kind, payload = receive.recv()
        except EOFError:
            child.join(1)
            raise UserError(f"{label}: the query engine {_death(child.exitcode)}") from None
        if kind == "error":
            raise UserError(payload)
        return kind, payload

    def stop() -> None:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()

    def rows() -> Iterator[tuple]:
        try:
            while True:
                kind, payload = message()
                if kind == "done":
                    return
                yield from payload
        finally:
            stop()

    try:
        _, (columns, ask) = message()
    except BaseException:
        stop()
        raise
    return Stream(columns=columns, rows=rows(), ask=ask)


def _death(exitcode: int | None) -> str:
    """How a child process ended, for a user: ``crashed (SIGSEGV: …)``.

    >>> _death(-11)
    'crashed (SIGSEGV: a query nested too deeply overflows its stack)'
    """
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = ": a query nested too deeply overflows its stack" if name == "SIGSEGV" else ""
        return f"crashed ({name}{hint})"
    return f"stopped unexpectedly (exit status {exitcode})"


def _child(evaluate: Callable[[], Stream], send: Any) -> None:
    """In the child process: send the columns, then rows in chunks, then ``done`` (or one ``error``)."""
    faulthandler.disable()  # a crash is reported by the parent in one line, not as a dump of frames
    try:
        stream = evaluate()
        send.send(("head", (stream.columns, stream.ask)))
        chunk: list[tuple] = []
        sent = time.monotonic()
        for row in stream.rows:
            chunk.append(row)
            if len(chunk) >= _CHUNK_ROWS or time.monotonic() - sent > _CHUNK_SECONDS:
                send.send(("rows", chunk))
                chunk, sent = [], time.monotonic()
        send.send(("rows", chunk))
        send.send(("done", None))
    except UserError as exc:
        send.send(("error", str(exc)))
    except (BrokenPipeError, KeyboardInterrupt):  # the reader has gone
        pass
    except Exception as exc:  # a bug, reported as one line rather than lost with the child
        send.send(("error", f"the query failed: {type(exc).__name__}: {one_line(str(exc))}"))
    finally:
        send.close()
