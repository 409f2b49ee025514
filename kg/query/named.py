"""The named queries: ``NAME.rq`` files in the ontology's ``queries/`` folder.

A named query begins with ``#`` lines that say what it answers, which
parameters it takes (a line starting ``Parameters``, naming them as ``?name``)
and an example command. ``kg query --list`` prints them.

>>> sorted(named_queries())
['evidence', 'initiatives', 'mentions', 'officials_by_agency', 'within_place']
>>> parameters("evidence")
('a', 'b')
"""

from __future__ import annotations

import re
from pathlib import Path

from kg import _files
from kg.errors import UserError

QUERY_DIR = _files.query_dir()


def named_queries() -> dict[str, Path]:
    """``{name: path}`` of the shipped queries."""
    return {p.stem: p for p in sorted(QUERY_DIR.glob("*.rq"))}


def describe(name: str) -> str:
    """The leading comment of a named query (what it answers, its parameters, an example)."""
    lines = []
    for line in named_queries()[name].read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return "\n".join(lines)


def parameters(name: str) -> tuple[str, ...]:
    """The parameters a named query's comment lists (the ``?name`` words from its ``Parameters`` line on)."""
    found: list[str] = []
    listing = False
    for line in describe(name).splitlines():
        if line.startswith("Parameters"):
            listing = True
        elif line.startswith("Example"):
            listing = False
        if listing:
            found += [v for v in re.findall(r"\?([A-Za-z_][A-Za-z0-9_]*)", line) if v not in found]
    return tuple(found)


def catalog() -> str:
    """What ``kg query --list`` prints: each named query, its parameters and its leading comment."""
    out = []
    for name in named_queries():
        params = ", ".join(f"--param {p}=…" for p in parameters(name)) or "no parameters"
        out.append(f"{name}  ({params})")
        out += [f"    {line}" if line else "" for line in describe(name).splitlines()]
        out.append("")
    return "\n".join(out)


def load_query(name_or_text: str) -> tuple[str, str]:
    """``(label, SPARQL text)`` for a query name or the text of a query."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_text.strip()):
        name = name_or_text.strip()
        queries = named_queries()
        if name not in queries:
            raise UserError(f"unknown query {name!r}; named queries: {', '.join(queries) or '(none)'}")
        return name, queries[name].read_text(encoding="utf-8")
    return "query", name_or_text
