"""Writers: each ``write_x(G, path)`` is a pure function of the canonical graph.

Every writer also has a text-returning twin (``x_text(G) -> str``) for tests.
Files are written atomically (temporary file, then rename) by ``atomic_write``.
``WRITERS`` maps a format name (as given to ``kg build --format``) to
``(file name, writer)``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import networkx as nx


def atomic_write(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so a reader never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_writer(G: nx.MultiDiGraph, path: Path) -> None:
    from kg.export.json import write_json

    write_json(G, path)


def _ttl_writer(G: nx.MultiDiGraph, path: Path) -> None:
    from kg.export.rdf import write_turtle

    write_turtle(G, path)


def _html_writer(G: nx.MultiDiGraph, path: Path) -> None:
    from kg.export.html import write_html

    write_html(G, path)


def _gexf_writer(G: nx.MultiDiGraph, path: Path) -> None:
    from kg.export.gephi import write_gexf

    write_gexf(G, path)


def _graphml_writer(G: nx.MultiDiGraph, path: Path) -> None:
    from kg.export.gephi import write_graphml

    write_graphml(G, path)


def _neo4j_writer(G: nx.MultiDiGraph, path: Path) -> None:
    from kg.export.neo4j import write_neo4j

    write_neo4j(G, path)


#: format name -> (output file or folder name, writer(G, path))
WRITERS: dict[str, tuple[str, Callable[[nx.MultiDiGraph, Path], None]]] = {
    "json": ("graph.json", _json_writer),
    "ttl": ("graph.ttl", _ttl_writer),
    "html": ("graph.html", _html_writer),
    "gexf": ("graph.gexf", _gexf_writer),
    "graphml": ("graph.graphml", _graphml_writer),
    "neo4j": ("neo4j", _neo4j_writer),
}
