"""Formatting results: RDF terms as plain values, and rows as a table, CSV or JSON.

The output is what the rdflib-based version of ``kg query`` printed for the
shipped queries: the same rendering of every value (:func:`plain` reads typed
literals through rdflib, as before). pyoxigraph keeps some typed literals by
value (``"1.50"^^xsd:decimal`` comes back as ``1.5``).
"""

from __future__ import annotations

import functools
import io
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

import pyoxigraph as ox
from rdflib import Literal, URIRef

from kg.cells import escape_cell
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

    def render(self, fmt: str = "table", width: int = 0) -> str:
        buf = io.StringIO()
        write_result(self, fmt, buf, width)
        return buf.getvalue()


@dataclass(frozen=True, slots=True)
class Stream:
    """A result whose rows are still coming: read ``rows`` once, in order."""

    columns: tuple[str, ...]
    rows: Iterator[tuple]
    ask: bool | None = None


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


#: bidirectional embeddings, overrides and isolates: they reorder what a terminal shows around them
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _visible(text: str, keep: str = "") -> str:
    """``text`` with control characters (but those in ``keep``) as ``\\xNN`` and bidi controls as ``\\uNNNN``."""
    return "".join(
        c
        if c in keep
        else f"\\x{ord(c):02x}"
        if unicodedata.category(c) == "Cc"
        else f"\\u{ord(c):04x}"
        if c in _BIDI
        else c
        for c in text
    )


def _cell(value) -> str:
    """A value as table text: newlines, tabs, control characters and bidi controls as visible escapes.

    Article text may hold ESC sequences, BEL or a lone CR; written raw they would recolour, clear or
    rewrite the reader's terminal.

    >>> print(_cell("a" + chr(0x1B) + "[2Jb" + chr(7) + chr(13) + "c" + chr(0x202E) + "d"))
    a\\x1b[2Jb\\x07\\rc\\u202ed
    """
    if value is None:
        return ""
    return _visible(str(value).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t"))


def _cut(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal columns, ending in ``…`` when cut.

    >>> _cut("河北省科学技术厅", 9), _cut("abc", 3)
    ('河北省科…', 'abc')
    """
    if _width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


#: a column is not cut narrower than this (unless its text is)
MIN_WIDTH = 6


def fit_widths(widths: list[int], total: int) -> list[int]:
    """Column widths that fit ``total`` terminal columns (two spaces between columns): the widest are cut first.

    >>> fit_widths([10, 60, 8], 50), fit_widths([10, 20], 80)
    ([10, 28, 8], [10, 20])
    """
    room = total - 2 * (len(widths) - 1)
    if sum(widths) <= room:
        return list(widths)
    cap, lo, hi = MIN_WIDTH, MIN_WIDTH, max(widths)
    while lo <= hi:  # the largest cap under which every column fits
        mid = (lo + hi) // 2
        if sum(min(w, mid) for w in widths) <= room:
            cap, lo = mid, mid + 1
        else:
            hi = mid - 1
    fitted = [min(w, cap) for w in widths]
    spare = room - sum(fitted)
    for i, w in enumerate(widths):
        if spare > 0 and w > cap:
            fitted[i] += 1
            spare -= 1
    return fitted


def format_table(result: QueryResult, width: int = 0) -> str:
    """Aligned columns (CJK characters count as two), one row per line, and a row count.

    With ``width`` (the terminal's columns), long cells are cut with ``…`` so that a row fits on one line.
    """
    columns = [_cell(c) for c in result.columns]
    cells = [[_cell(v) for v in row] for row in result.rows]
    widths = [_width(c) for c in columns]
    for row in cells:
        widths = [max(w, _width(c)) for w, c in zip(widths, row, strict=True)]
    if width > 0:
        widths = fit_widths(widths, width)

    def line(values) -> str:
        values = [_cut(v, w) for v, w in zip(values, widths, strict=True)]
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _csv_field(value: Any, terminal: bool = False) -> str:
    """A CSV cell: empty for unbound, text a spreadsheet cannot take for a formula (see ``kg.cells``), quoted
    when it holds a comma, a quote, a newline or a carriage return.

    The csv module leaves a lone ``\\r`` unquoted when lines end in ``\\n``, and a reader then starts a new
    row there: an article could add rows. Otherwise the bytes are the csv module's.

    >>> _csv_field("=1"), _csv_field("a\\rb"), _csv_field(-1), _csv_field(None)
    ("'=1", '"a\\rb"', '-1', '')
    """
    if value is None:
        return ""
    text = escape_cell(value) if isinstance(value, str) else str(value)
    if terminal:
        text = _visible(text, keep="\n\t")
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_line(values: Iterable[Any], terminal: bool = False) -> str:
    fields = [_csv_field(v, terminal) for v in values]
    return ('""' if fields == [""] else ",".join(fields)) + "\n"  # a lone empty field is quoted, as csv does


def write_csv(result: QueryResult | Stream, out: TextIO, terminal: bool = False) -> None:
    """Write rows as CSV to ``out`` as they come (a header, then a line per row).

    On a ``terminal``, control characters but newline and tab are shown as escapes (as in the table);
    to a file or a pipe, values are written as they are.
    """
    out.write(_csv_line(result.columns))
    for row in result.rows:
        out.write(_csv_line(row, terminal))


#: what ``json.dumps(ensure_ascii=False)`` leaves raw but a terminal may act on: DEL, C1 controls, bidi controls
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _json_escape(match: re.Match) -> str:
    return f"\\u{ord(match[0]):04x}"


def write_json(result: QueryResult | Stream, out: TextIO) -> None:
    """Write rows as a JSON list of objects to ``out`` as they come (an ASK query: ``true`` or ``false``).

    The bytes are those of ``json.dumps(records, ensure_ascii=False, indent=1)``, except that DEL, C1
    controls and bidi controls are written as ``\\uXXXX`` escapes (the same JSON value): JSON on a
    terminal then holds no control character (``json`` escapes the C0 ones itself).
    """
    if result.ask is not None:
        out.write(json.dumps(result.ask) + "\n")
        return
    first = True
    for row in result.rows:
        record = _JSON_UNSAFE.sub(
            _json_escape, json.dumps(dict(zip(result.columns, row, strict=True)), ensure_ascii=False, indent=1)
        )
        out.write(("[\n" if first else ",\n") + "\n".join(" " + line for line in record.split("\n")))
        first = False
    out.write("[]\n" if first else "\n]\n")


def format_csv(result: QueryResult) -> str:
    buf = io.StringIO()
    write_csv(result, buf)
    return buf.getvalue()


def format_json(result: QueryResult) -> str:
    buf = io.StringIO()
    write_json(result, buf)
    return buf.getvalue()


def write_result(result: QueryResult | Stream, fmt: str, out: TextIO, width: int = 0, terminal: bool = False) -> None:
    """Write a result in ``fmt``: CSV and JSON rows as they come, a table once all rows are in
    (its columns are as wide as their widest cell, cut to ``width`` terminal columns if given).

    Tables and JSON never hold a control character; CSV only when ``out`` is not a ``terminal``.
    """
    if fmt == "csv":
        write_csv(result, out, terminal)
    elif fmt == "json":
        write_json(result, out)
    else:
        rows = result.rows if isinstance(result, QueryResult) else tuple(result.rows)
        out.write(format_table(QueryResult(result.columns, rows, result.ask), width))
