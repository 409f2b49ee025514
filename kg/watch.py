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
because it works the same on every system and network file system; listing
and stating a few thousand files takes milliseconds. A file still being
written when a build starts is built as it was, and built again once the
next poll sees it changed.

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
DEFAULT_INTERVAL = 0.25

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
    builds that failed as a whole. Looking for changes takes at most a tenth
    of the time: a folder so big that one look takes longer than a tenth of
    ``interval`` is looked at less often.
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
            # a folder so big that a look takes long is looked at less often: at most a tenth of the time
            stop.wait(max(interval, 10 * look))
    return failed


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)
