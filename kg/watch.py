"""``kg watch``: build, then build again whenever an article is added, changed or removed.

The process stays up between builds and keeps in memory what a rebuild needs
(``kg.pipeline.Resident``: each run's assembled state and each article's
extraction; jieba's tables, the gazetteer and the tagger stay loaded), so a
rebuild after one changed article extracts that article, reassembles the
graph and writes the exports, without starting Python, importing kg or reading
the cache again. Each build is the ``kg build`` of the same arguments: the same
exports, byte for byte, written as one set (``kg.export.write_set``).

Changes are found by polling: every ``interval`` seconds the files a build
would read are listed and their sizes, modification times and inodes compared
with those the last build started from. Polling, not file-system events,
because it works the same on every system and network file system, and
starts no thread (``-j`` forks its workers only from a process without
threads). A look at 1,126 files takes 4-5 ms: idle, the watch of the 5 MB
benchmark corpus uses 5% of a core (0.52 s of CPU in 10 s) at the default
interval; a folder whose look takes longer than ``LOOKING_SHARE`` of the
interval is looked at less often. A change is built once its files have been
left alone for ``SETTLE`` seconds (or at the next look), so that a file is
seldom read half written; one still being written when a build starts is built
as it was, and built again once the next look sees it changed.

A build that fails as a whole (no document left to read, an unwritable
output folder) is reported and leaves the exports as they were; the watch
goes on and builds again at the next change.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from kg.errors import UserError

#: seconds between two looks at the files (``kg watch --interval``)
DEFAULT_INTERVAL = 0.1
#: a look at the files may take at most this share of the time: a huge folder is looked at less often
LOOKING_SHARE = 0.05
#: seconds a file must be left unchanged before it is built: the next write to it may be on its way
SETTLE = 0.05

Signature = tuple[tuple[str, int, int, int], ...]


def signature(paths: Sequence[str | os.PathLike], globs: Sequence[str], exclude: Sequence[Path]) -> Signature:
    """What a change to the input shows in: each file's path, size, modification time and inode."""
    from kg.inputs import list_files

    seen = []
    for _, path in list_files(paths, globs=globs, exclude=exclude):
        try:
            st = os.stat(path)
            seen.append((os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ino))
        except OSError:  # gone since it was listed, or unreadable: the build will say so
            seen.append((os.fspath(path), -1, 0, 0))
    return tuple(seen)


def watch(
    paths: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    formats: str = "all",
    *,
    interval: float = DEFAULT_INTERVAL,
    jobs: int = 1,
    cache_dir: str | os.PathLike | None = None,
    use_cache: bool = True,
    globs: Sequence[str] | None = None,
    say: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> int:
    """Build ``paths`` into ``out``, then again after every change, until ``stop`` is set.

    ``globs``: as ``kg build``'s (default: ``kg.inputs.DEFAULT_GLOBS``).
    ``say`` gets a report of each build: when it ended, how long it took and
    ``Summary.render()``, or the error that stopped it. Returns the number of
    builds that failed as a whole. Looking for changes takes at most
    ``LOOKING_SHARE`` of the time: a folder so big that one look takes longer
    than that share of ``interval`` is looked at less often.
    """
    from kg.inputs import DEFAULT_GLOBS
    from kg.memory import young_gc_only
    from kg.pipeline import Resident, build, default_cache_dir

    globs = DEFAULT_GLOBS if globs is None else globs
    if interval <= 0:
        raise UserError("--interval must be a positive number of seconds")
    out = Path(out)
    cache = (Path(cache_dir) if cache_dir else default_cache_dir(out)) if use_cache else None
    for p in map(Path, paths):  # as kg build: a path that is not there is an error from the start
        if not p.exists():
            raise FileNotFoundError(2, "no such file or folder", str(p))
    out.mkdir(parents=True, exist_ok=True)  # so that it is left out of the listing from the first look on
    exclude = [out] + ([cache] if cache is not None else [])
    stop = stop or threading.Event()
    resident = Resident()
    last: Signature | str | None = None  # what the last look saw: the files, or why it could not look
    waited: Signature | None = None  # the files last seen too fresh to build
    failed = 0
    # Automatic collection stays off, as during a build (kg.memory): it would walk all that the watch
    # keeps at random moments, as likely as not just as a change comes in. One full collection after
    # each build frees the last build's graph (networkx graphs hold cycles) while nothing waits.
    with young_gc_only():
        while not stop.is_set():
            looked = time.perf_counter()
            try:
                now: Signature | str = signature(paths, globs, exclude)
            except (UserError, OSError) as exc:  # a folder given is gone, or is the output: said once
                now = _reason(exc)
                if now != last:
                    say(f"{time.strftime('%H:%M:%S')} kg: error: {now}")
            look = time.perf_counter() - looked
            if now != last and not isinstance(now, str):
                if now != waited and _age(now) < SETTLE:  # a file may be half written: let it settle, once
                    waited = now
                    stop.wait(SETTLE)
                    continue
                started = time.perf_counter()
                try:
                    summary = build(
                        paths,
                        out,
                        formats,
                        jobs=jobs,
                        cache_dir=cache,
                        use_cache=use_cache,
                        globs=globs,
                        resident=resident,
                    )
                    took = time.perf_counter() - started
                    say(f"{time.strftime('%H:%M:%S')} built in {took:.2f} s\n{summary.render()}")
                    del summary
                except (UserError, OSError) as exc:
                    failed += 1
                    say(f"{time.strftime('%H:%M:%S')} kg: error: {_reason(exc)}")
                gc.collect()
            last = now
            stop.wait(max(interval, look / LOOKING_SHARE))
    return failed


def _age(seen: Signature) -> float:
    """Seconds since the newest file of ``seen`` was modified (negative if its clock is ahead of ours)."""
    return (time.time_ns() - max((mtime for _, _, mtime, _ in seen), default=0)) / 1e9


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)
