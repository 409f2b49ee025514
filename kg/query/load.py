"""Reading ``graph.ttl``: into a pyoxigraph store (for ``kg query``) or an rdflib graph (for ``kg validate``).

Every way a file can be wrong — a folder, missing, binary, not UTF-8, a Turtle
syntax error — is one ``UserError`` line that names the file and the problem.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import BNode, Node

from kg.errors import UserError


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines too) as one space, other control characters as escapes.

    Error messages quote the input (a parser's ``'\\x1b' is not allowed``): they must not act on the terminal.

    >>> print(one_line("bad\\n  char " + chr(0x1B) + "[2J"))
    bad char \\x1b[2J
    """
    return "".join(c if unicodedata.category(c) != "Cc" else f"\\x{ord(c):02x}" for c in " ".join(text.split()))


def _read_turtle(path: Path, missing_hint: str) -> bytes:
    """The bytes of a Turtle file, or a one-line ``UserError`` for a folder, a missing, binary or non-UTF-8 file."""
    from kg.textio import sniff_binary

    if path.is_dir():
        raise UserError(f"{path} is a folder, not a graph file: give the path of a graph.ttl")
    if not path.is_file():
        raise UserError(f"no graph at {path}: {missing_hint}")
    raw = path.read_bytes()
    what = sniff_binary(raw.removeprefix(b"\xef\xbb\xbf"))
    if what is not None:
        raise UserError(f"{path} is not valid Turtle: binary file ({what})")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
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
        raise UserError(f"{path} is not valid Turtle: {_turtle_syntax_error(exc)}") from exc
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} is not valid Turtle: {one_line(str(exc)) or type(exc).__name__}") from exc
    return store


def _turtle_syntax_error(exc: SyntaxError) -> str:
    """``line 3, column 7: . is not a valid RDF object`` from pyoxigraph's parser error."""
    text = one_line(str(exc))
    found = re.match(
        r"Parser error at line (\d+) (?:column (\d+)|between columns (\d+) and \d+): (.*?)(?: \(line \d+\))?$", text
    )
    if found:
        return f"line {found[1]}, column {found[2] or found[3]}: {found[4]}"
    return text or type(exc).__name__


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
        raise UserError(f"{path} is not valid Turtle: {_syntax_error(raw, exc)}") from exc
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
        return f"line {line}, column {column}: {one_line(str(why))}"
    text = str(exc).strip()
    return one_line(text.splitlines()[0]) if text else type(exc).__name__


def as_store(graph: ox.Store | Graph | str | Path) -> ox.Store:
    """A pyoxigraph store for a store, an rdflib graph (copied) or the path of a Turtle file."""
    if isinstance(graph, ox.Store):
        return graph
    if not isinstance(graph, Graph):
        return load_store(graph)
    store = ox.Store()
    try:
        store.extend(ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o)) for s, p, o in graph)
    except (ValueError, UnicodeError) as exc:
        raise UserError(f"the graph cannot be queried: {one_line(str(exc))}") from exc
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
