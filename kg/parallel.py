"""Where documents are extracted: in this process, in N local processes, or on a Dask cluster.

Every engine runs the same function, ``kg.stages.process_path``, on
``(document id, path)`` pairs and yields its results **in input order**, so the
assembler sees the same sequence and the exports are byte-identical whichever
engine ran. Workers warm jieba, the gazetteer and the tagger once (local
workers are forked from a process that did, where that is safe: ``_start_method``).

Dask workers read the files themselves: the corpus and the cache folder must be
at the same absolute paths on every worker (a shared filesystem).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.context
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from kg.errors import UserError
from kg.memory import sweep_young
from kg.stages import Outcome, process_path


def warm() -> None:
    """Load jieba, the gazetteer, the lexicons and the tagger model in this process."""
    from kg.extract import find_entities
    from kg.model import Document
    from kg.ner import default_tagger
    from kg.places import gazetteer
    from kg.segment import pos_tokenizer

    pos_tokenizer()
    gazetteer().compile()  # the workers share one automaton instead of each compiling its own
    with contextlib.suppress(FileNotFoundError):
        default_tagger()._crf()
    find_entities(Document(id="warm", text="河北省科技厅厅长在唐山市调研。"))


def run_local(items: Iterable[tuple[str, str]], jobs: int = 1, cache_dir: str | None = None) -> Iterator[Outcome]:
    """Outcomes in input order, from ``jobs`` processes (this one when ``jobs`` is 1)."""
    if jobs <= 1:
        yield from map(partial(process_path, cache_dir=cache_dir), items)
        return
    # An executor, not multiprocessing.Pool: a worker that dies (killed, out of memory, or
    # unable to start) breaks the run with an error instead of being replaced forever.
    items = list(items)
    # Chunks of up to 8 documents: fewer messages for this process to handle while the workers
    # run, yet at least 16 chunks a worker, so a small corpus is still shared evenly.
    chunk = max(1, min(8, len(items) // (16 * jobs)))
    ctx, initializer = _start_method()
    with ProcessPoolExecutor(jobs, mp_context=ctx, initializer=initializer) as pool:
        try:
            yield from pool.map(partial(_worker_process, cache_dir=cache_dir), items, chunksize=chunk)
        except BrokenProcessPool as exc:
            raise UserError(
                f"a -j worker process died ({exc}). A script that calls kg with -j must do so under "
                "`if __name__ == '__main__':`; or run with -j 1"
            ) from exc


def _start_method() -> tuple[multiprocessing.context.BaseContext, Callable[[], None]]:
    """How -j workers start: forked from this process once it is warm, where that is safe; else spawned.

    Forked, the workers share the resources this process loaded once (jieba's
    tables, the gazetteer, the tagger: about 0.6 s and 150 MB per process) instead
    of importing kg and loading them each, which on two cores cost more than a
    second of the time a second worker saves. Fork is safe only while this process
    runs no other thread (a thread may hold a lock the child would inherit locked),
    and exists only on POSIX: otherwise each worker is spawned and warms itself.
    """
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        warm()
        return multiprocessing.get_context("fork"), _forked_start
    return multiprocessing.get_context("spawn"), _worker_start


_done_in_worker = 0


def _worker_start() -> None:
    """A spawned pool worker: warm up, then collect garbage as a build does (``kg.memory.young_gc_only``)."""
    warm()
    gc.disable()


def _forked_start() -> None:
    """A forked pool worker: warm already (its parent was); garbage is collected as a build does."""
    gc.disable()


def _worker_process(item: tuple[str, str], cache_dir: str | None) -> Outcome:
    global _done_in_worker
    _done_in_worker += 1
    sweep_young(_done_in_worker)
    return process_path(item, cache_dir)


def run_dask(
    items: Iterable[tuple[str, str]],
    scheduler: str | None = None,
    jobs: int = 1,
    cache_dir: str | None = None,
    window: int = 256,
) -> Iterator[Outcome]:
    """Outcomes in input order from a ``dask.distributed`` cluster.

    ``scheduler`` is an address such as ``tcp://10.0.0.5:8786``; without one a
    ``LocalCluster`` of ``jobs`` single-threaded worker processes is started
    (the tagger is not thread-safe, so workers should run one thread each).
    At most ``window`` documents are in flight, so memory stays bounded.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise UserError("--engine dask needs dask.distributed: pip install 'kg[dask]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        client.run(warm)
        pending: deque = deque()
        for item in items:
            pending.append(client.submit(process_path, item, cache_dir, pure=False))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
