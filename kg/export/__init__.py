"""Writers: each ``write_x(G, path)`` is a pure function of the canonical graph.

Every writer also has a text-returning twin (``x_text(G) -> str``) for tests.
Files are written atomically (temporary file, then rename) by ``atomic_write``.
``WRITERS`` maps a format name (as given to ``kg build --format``) to
``(file name, writer)``.

The exports of one build change **as a set** (``write_set``): they are written
into a staging folder beside the output folder (``.OUT.kg-new.PID``), which
then takes the output folder's place in one step (Linux ``renameat2`` with
``RENAME_EXCHANGE``; elsewhere two renames, between which ``OUT`` is missing
for a moment but never mixed). A build killed at any moment, or stopped by a
full disk, leaves the old set or the new one, never a new ``graph.json``
beside an old ``graph.ttl``; what it left beside ``OUT`` is cleaned up (or
finished) by the next build. Why not a manifest that readers check: Gephi,
Neo4j and browsers read the files as they are and would check nothing.
``locked`` keeps a second build out of the same folder while one runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import networkx as nx

from kg.errors import UserError

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


# ---------------------------------------------------------------- the set of exports


def _beside(out: Path, what: str) -> Path:
    """A hidden name beside ``out`` that is kg's own: ``.exports.kg-lock``, ``.exports.kg-new.PID``."""
    return out.parent / f".{out.name}.kg-{what}"


@contextlib.contextmanager
def locked(out: str | os.PathLike) -> Iterator[Path]:
    """Hold the output folder ``out`` for one build; UserError at once if another build holds it.

    The lock is an ``flock`` on ``.OUT.kg-lock`` beside ``out`` (the folder itself
    is replaced by each build): released by the system when the holder exits,
    however it exits. Yields ``out`` with links resolved, after finishing what
    a killed build left beside it (``recover``).
    """
    folder = Path(os.path.realpath(out))
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        recover(folder)
        yield folder
        return
    try:
        fd = os.open(_beside(folder, "lock"), os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:  # a folder we may write inside a folder we may not: lock inside it
        if not folder.is_dir():
            raise
        fd = os.open(folder / ".kg-lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise UserError(
                f"another kg build is writing {out} (process {holder}); wait for it to end or choose another --out"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        recover(folder)
        yield folder
    finally:
        os.close(fd)  # releases the lock


def recover(out: Path) -> None:
    """Finish or undo what a killed build left beside ``out``; call it holding ``locked(out)``.

    A complete new set (``.OUT.kg-ready.PID``) whose switch was cut between its
    two renames becomes ``OUT``; an old set moved aside comes back if nothing
    replaced it; staging folders and old sets are removed.
    """
    left = sorted(out.parent.glob(glob.escape(f".{out.name}.kg-") + "*"))
    if not out.exists():
        for kind in ("ready", "old"):
            found = [p for p in left if p.name.startswith(f".{out.name}.kg-{kind}.") and p.is_dir()]
            if found:
                os.rename(found[-1], out)
                left.remove(found[-1])
                break
    for p in left:
        if p.name.startswith(tuple(f".{out.name}.kg-{kind}." for kind in ("new", "ready", "old"))):
            shutil.rmtree(p, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one step (Linux ``renameat2``); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # a filesystem or a kernel without the exchange
    raise OSError(err, os.strerror(err), str(b))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _keep_the_rest(out: Path, staging: Path, written: set[str]) -> None:
    """Carry into ``staging`` what ``out`` holds besides this build's files (other formats, a screenshot).

    Hard links where possible: files are only ever replaced, never changed in place.
    """
    for entry in os.scandir(out):
        if entry.name in written or _TEMP.match(entry.name):
            continue
        target = staging / entry.name
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(entry.path, target, symlinks=True, copy_function=_link_or_copy)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry.path), target)
        else:
            _link_or_copy(entry.path, str(target))


def _switch(staging: Path, out: Path) -> None:
    """Put the complete set ``staging`` where ``out`` is, in one step where the system allows."""
    if not out.exists():
        os.rename(staging, out)
    elif _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # the old set now
    else:
        ready, old = _beside(out, f"ready.{os.getpid()}"), _beside(out, f"old.{os.getpid()}")
        os.rename(staging, ready)
        os.rename(out, old)
        os.rename(ready, out)  # killed between these two: recover() finishes the switch
        shutil.rmtree(old, ignore_errors=True)
    _fsync_folder(out.parent)


def write_set(
    G: nx.MultiDiGraph,
    out: str | os.PathLike,
    formats: list[str],
    extra: dict[str, str | bytes] | None = None,
    memo: str | os.PathLike | None = None,
    jobs: int = 1,
) -> list[str]:
    """Write the exports ``formats`` of ``G`` and the files ``extra`` into ``out`` as one set; their names.

    All or nothing: a writer that fails (a full disk) or a kill leaves ``out``
    as it was. Other files in ``out`` are kept. Call it holding ``locked(out)``.
    A folder that is a mount point cannot be replaced: its files are then
    replaced one by one (with a warning). ``memo``: a folder where writers keep
    what lets them write the next set quicker (``kg.export.turtle.TurtleMemo``). ``jobs``: up to
    that many processes write the formats at once (forked from this one, where that is safe).
    """
    folder = Path(os.path.realpath(out))
    memo = Path(memo) if memo is not None else None
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(out))
    if folder.is_dir() and os.path.ismount(folder):
        print(f"kg: warning: {out} is a mount point: its files are replaced one by one", file=sys.stderr)
        return _write_files(G, folder, formats, extra or {}, memo, jobs)
    staging = _beside(folder, f"new.{os.getpid()}")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        staging.mkdir()
    except PermissionError:  # nothing may be created beside the folder: it cannot be replaced as a whole
        if not folder.is_dir():
            raise
        print(f"kg: warning: {out} cannot be replaced as a whole: its files are replaced one by one", file=sys.stderr)
        return _write_files(G, folder, formats, extra or {}, memo, jobs)
    try:
        written = _write_files(G, staging, formats, extra or {}, memo, jobs)
        if folder.is_dir():
            _keep_the_rest(folder, staging, set(written))
            shutil.copymode(folder, staging)
        _fsync_folder(staging)
        try:
            _switch(staging, folder)
        except OSError as exc:  # a bind mount, another filesystem: the folder cannot be replaced
            if exc.errno not in (errno.EBUSY, errno.EXDEV):
                raise
            print(
                f"kg: warning: {out} cannot be replaced as a whole: its files are replaced one by one", file=sys.stderr
            )
            return _write_files(G, folder, formats, extra or {}, memo, jobs)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return written


def _write_files(
    G: nx.MultiDiGraph,
    folder: Path,
    formats: list[str],
    extra: dict[str, str | bytes],
    memo: Path | None = None,
    jobs: int = 1,
) -> list[str]:
    from kg.graph import shared_views

    folder.mkdir(parents=True, exist_ok=True)
    with shared_views():  # the sorted and the flat copies of G are made once for all the writers
        groups = _writer_groups(formats, jobs)
        if len(groups) > 1:
            _in_processes(G, folder, groups, memo)
        else:
            for name in formats:
                _write_one(G, folder, name, memo)
    written = [WRITERS[name][0] for name in formats]
    for filename, data in extra.items():
        atomic_write(folder / filename, data)
        written.append(filename)
    return written


def _write_one(G: nx.MultiDiGraph, folder: Path, name: str, memo: Path | None) -> None:
    filename, writer = WRITERS[name]
    if name == "ttl" and memo is not None:
        from kg.export.turtle import write_turtle

        write_turtle(G, folder / filename, memo=memo / f"{filename}.memo")
    else:
        writer(G, folder / filename)


#: About how long each writer takes, relatively (a 5 MB corpus's graph), to share them out among processes.
_WRITER_COST = {"html": 5, "gexf": 4, "ttl": 4, "graphml": 3, "neo4j": 2, "json": 1}


def _writer_groups(formats: list[str], jobs: int) -> list[list[str]]:
    """The formats shared among up to ``jobs`` processes, the slowest first into the least loaded;
    one group where processes cannot be forked safely (not POSIX, or another thread is running)."""
    import threading

    if jobs < 2 or len(formats) < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return [list(formats)]
    groups: list[list[str]] = [[] for _ in range(min(jobs, len(formats)))]
    load = [0] * len(groups)
    for name in sorted(formats, key=lambda f: -_WRITER_COST.get(f, 1)):
        i = load.index(min(load))
        groups[i].append(name)
        load[i] += _WRITER_COST.get(name, 1)
    return groups


def _in_processes(G: nx.MultiDiGraph, folder: Path, groups: list[list[str]], memo: Path | None) -> None:
    """Write the first group here and each other in a forked process; raise if any of them failed.

    What the writers share (the sorted graph, its layout, the flat rows) is made first,
    so each process has it. A child ends with ``os._exit``: no atexit handler, no
    flush of this process's buffers, runs twice.
    """
    from kg.export import gephi
    from kg.export._style import layout
    from kg.graph import sorted_graph

    names = {n for group in groups for n in group}
    if names & {"html", "gexf", "graphml", "neo4j"}:  # the writers that read the sorted graph
        S = sorted_graph(G)
    if names & {"html", "gexf", "graphml"}:
        layout(S)
    if names & {"gexf", "graphml"}:
        gephi._flat(G)
    sys.stdout.flush()
    sys.stderr.flush()
    children = []
    for group in groups[1:]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read)
            status = 0
            try:
                for name in group:
                    _write_one(G, folder, name, memo)
            except BaseException as exc:  # everything, as a message to the parent
                os.write(write, f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")[:4000])
                status = 1
            os._exit(status)
        os.close(write)
        children.append((pid, read, group))
    failure = None
    try:
        for name in groups[0]:
            _write_one(G, folder, name, memo)
    except BaseException as exc:
        failure = exc
    problems = []
    for pid, read, group in children:
        with os.fdopen(read, "rb") as fh:
            message = fh.read().decode("utf-8", "replace")
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            problems.append(f"{', '.join(group)}: {message or 'the writing process died'}")
    if failure is not None:
        raise failure
    if problems:
        raise OSError(f"writing the exports failed: {'; '.join(problems)}")


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
