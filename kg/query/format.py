"""Formatting results: RDF terms as plain values, and rows as a table, CSV or JSON.

The output is what the rdflib-based version of ``kg query`` printed for the
shipped queries: the same rendering of every value (:func:`plain` reads typed
literals through rdflib, as before). pyoxigraph keeps some typed literals by
value (``"1.50"^^xsd:decimal`` comes back as ``1.5``).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import unicodedata
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.vocab import PREFIXES

FORMATS = ("table", "csv", "json")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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


def plain(term: Any) -> Any:
    """A pyoxigraph term as the plain value the output shows.

    >>> plain(ox.NamedNode("https://kg.example.org/ontology#Person")), plain(ox.Literal("河北", language="zh"))
    ('kg:Person', '河北')
    >>> plain(ox.Literal("007", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))), plain(None)
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


def lexical(term: Any) -> tuple[str, str]:
    """Sort key of a term in CONSTRUCT output: its text (as rdflib's ``str``), then language or datatype."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if term.language is not None or datatype == _XSD_STRING:
            return term.value, term.language or datatype
        return _typed(term.value, datatype)[1], datatype
    return term.value, ""


def sort_key(value: Any) -> tuple:
    """Rows of a query without ORDER BY: unbound first, then numbers by value, then the rest by text.

    Equal numbers of different types (``1``, ``1.0``, ``True``) go by their text, so the order is total.
    """
    if value is None:
        return (0, 0, "")
    if isinstance(value, (int, float)) and value == value:  # not NaN
        return (1, value, str(value))
    return (2, 0, str(value))


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
