"""Writers: each ``write_x(G, path)`` is a pure function of the canonical graph.

Every writer also has a text-returning twin (``x_text(G) -> str``) for tests.
Files are written atomically (temporary file, then rename) by ``atomic_write``.
``WRITERS`` maps a format name (as given to ``kg build --format``) to
``(file name, writer)``.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

import networkx as nx

_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[0-9a-f]+\.tmp$")


def atomic_write(path: str | os.PathLike, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so a reader never sees a half-written file.

    The bytes go to a hidden temporary file in the same folder
    (``.NAME.PID.RANDOM.tmp``), are flushed to disk, and the file is renamed
    over ``path`` in one step: a run killed at any moment leaves either the
    previous file or the new one under the final name, never a part. A
    temporary file left behind by a killed run (its process is gone) is
    removed by the next write of the same name. Files are created like any
    other (mode 0666 minus the umask, so 0644 usually), not owner-only, so a
    database import user can read them.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_temps(path: str | os.PathLike) -> list[Path]:
    """Remove the temporary files of ``path`` whose writing process no longer runs; return them."""
    path = Path(path)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.match(entry.name)
        if m and m["name"] == path.name and not _alive(int(m["pid"])):
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed


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
