"""From files to one graph: read, extract, resolve, relate, assemble, write.

Each document goes through ``kg.stages`` (read, extract, or fetch from the
cache); ``build_graph`` runs that over a corpus and assembles the canonical
graph (see ``kg.graph``); ``build`` also writes every export.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg import resources
from kg.assemble import Assembler
from kg.cache import check_folder, make_folder
from kg.errors import UserError
from kg.inputs import DEFAULT_GLOBS, item_size, list_items, read_item
from kg.memory import GC_EVERY, sweep_young, young_gc_only
from kg.model import Extraction
from kg.stages import STAGES, Outcome, StageError, process, process_path
from kg.textio import DecodeError, display_name

__all__ = [
    "GC_EVERY",
    "STAGES",
    "Outcome",
    "Report",
    "StageError",
    "build",
    "build_graph",
    "process",
    "process_path",
    "sweep_young",
    "young_gc_only",
]


@dataclass
class Report:
    documents: int = 0
    characters: int = 0
    #: documents run through the extractors (the rest came from the cache)
    extracted: int = 0
    cached: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "characters": self.characters,
            "extracted": self.extracted,
            "cached": self.cached,
            "failed": [{"document": d, "reason": r} for d, r in self.failed],
            "skipped": [{"document": d, "reason": r} for d, r in self.skipped],
            "warnings": [{"document": d, "warning": w} for d, w in self.warnings],
        }


@dataclass
class Resident:
    """What a process that builds the same corpus again keeps in memory (``kg watch``).

    ``runs``: the assembled state and report lines of each run of documents, by
    the run's (id, sha256) pairs; ``docs``: each document's extraction by its
    (id, sha256). ``build_graph`` reads them before the cache and leaves them
    holding only what its build used.
    """

    runs: dict[tuple, tuple] = field(default_factory=dict)
    docs: dict[tuple[str, str], Extraction] = field(default_factory=dict)


def build_graph(
    paths,
    report: Report | None = None,
    *,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    progress: bool | None = False,
    globs: Sequence[str] = DEFAULT_GLOBS,
    exclude: Iterable[str | os.PathLike] = (),
    resident: Resident | None = None,
) -> nx.MultiDiGraph:
    """The canonical graph of every article under ``paths``.

    Documents stream through: each is read and extracted by a worker (this
    process when ``jobs`` is 1, else ``jobs`` processes, or Dask tasks with
    ``engine="dask"``) and merged into the assembler in file order, which
    keeps only evidence sentences. ``cache_dir`` reuses earlier extractions
    and the assembled states of unchanged runs of documents (``kg.cache``).
    A document whose extraction raises is listed in ``report.failed`` and the
    build goes on. ``progress``: True shows it,
    None decides by the terminal, False (default) is silent. ``globs``: the
    file names a folder's files must match; ``exclude``: folders never read
    (``kg.inputs``). ``resident``: the runs' states and the extractions that a
    process building the same corpus again keeps in memory (``kg watch``): read
    before the cache, and left holding those of this build.
    """
    from kg.progress import Progress

    report = report if report is not None else Report()
    # names only (absolute: workers may run elsewhere): the texts are read by the workers
    absolute = list_items(paths, globs=globs, exclude=exclude, skipped=report.skipped)
    sizes = {item[0]: item_size(item) for item in absolute}
    cache = os.path.abspath(cache_dir) if cache_dir else None
    if cache is not None and (problem := check_folder(cache)) is not None:
        print(f"kg: warning: not using the cache {cache_dir}: {problem}", file=sys.stderr)
        cache = None
    if cache is not None:
        with contextlib.suppress(OSError):  # an unwritable place costs speed, not the build
            make_folder(Path(cache))
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}; choose local or dask")

    def extract(todo: list[tuple]) -> Iterator[Outcome]:
        from kg.parallel import run_dask, run_local

        if not todo:
            return iter(())
        if engine == "dask":
            return run_dask(todo, scheduler=scheduler, jobs=jobs, cache_dir=cache)
        return run_local(todo, jobs=jobs, cache_dir=cache)

    bar = Progress(len(absolute), sum(sizes.values()), enabled=progress is not False)
    assembler = Assembler()
    done = 0
    try:
        if cache is None and resident is None:
            for outcome in extract(absolute):
                done += 1
                sweep_young(done)
                bar.update(_take(outcome, assembler, report, []), sizes.get(outcome.doc_id, 0))
            return assembler.graph()
        from kg.cache import open_cache

        store = open_cache(cache) if cache is not None else None
        memory = resident if resident is not None else Resident()
        runs, states = _runs(absolute), []
        for run, _ in runs:
            state = memory.runs.get(tuple(run)) if run else None
            if state is None and run and store is not None:
                state = store.lookup_run(run)
            states.append(state)
        # the documents of the runs to assemble again: kept in memory, else read and extracted (or from the cache)
        keys = {item[0]: key for run, members in runs for key, item in zip(run, members)}  # none if unreadable
        again = [item for (_, members), state in zip(runs, states) if state is None for item in members]
        outcomes = extract([item for item in again if keys.get(item[0]) not in memory.docs])
        kept = Resident()  # what this build used
        for (run, members), state in zip(runs, states):
            if state is None:
                part, read = Assembler(), []
                lines: list[tuple] = []
                for item in members:
                    key = keys.get(item[0])
                    known = memory.docs.get(key) if key else None
                    if known is not None and key is not None:
                        outcome = Outcome(key[0], "ok", known, cached=True, sha256=key[1])
                    else:
                        outcome = next(outcomes)
                    done += 1
                    sweep_young(done)  # only processed documents leave cycles behind
                    bar.update(_take(outcome, part, report, lines), sizes.get(outcome.doc_id, 0))
                    read.append((outcome.doc_id, outcome.sha256))
                    if resident is not None and outcome.extraction is not None:
                        kept.docs[outcome.doc_id, outcome.sha256] = outcome.extraction
                # keyed by the bytes the workers read, not those hashed above: the state describes them.
                # Not kept if a document failed (a failure may not recur) or could not be read.
                if len(lines) == len(members) and all(digest for _, digest in read):
                    run, state = read, (part, lines)
                    if store is not None:
                        with contextlib.suppress(OSError):
                            store.put_run(read, state)
            else:  # an unchanged run: its assembled state and its report lines
                part, lines = state
                chars = sum(_count(line, report, cached=True) for line in lines)
                bar.update(chars, sum(sizes.get(item[0], 0) for item in members))
                if resident is not None:
                    kept.docs.update((key, memory.docs[key]) for key in run if key in memory.docs)
            if resident is not None and state is not None:
                kept.runs[tuple(run)] = state
            assembler.merge(part)
        if resident is not None:  # only this build's: a long watch holds one corpus, not its history
            resident.runs, resident.docs = kept.runs, kept.docs
    finally:
        bar.close()
    return assembler.graph()


#: The corpus is cut into runs of documents, whose assembled states the cache
#: keeps: a run ends after a document whose id hashes to 0 modulo this. Cut by
#: id, not by position, so adding or removing a file changes one run only.
RUN_LENGTH = 256


def _runs(items: list[tuple]) -> list[tuple[list[tuple[str, str]], list[tuple]]]:
    """``(key, members)`` of each run: its (document id, sha256 of the bytes) pairs, and its items.

    A run with a document that cannot be read has the key ``[]``: it is not looked up.
    """
    runs = []
    key: list[tuple[str, str]] = []
    members: list[tuple] = []
    readable = True
    for item in items:
        doc_id = item[0]
        members.append(item)
        try:
            key.append((display_name(doc_id), hashlib.sha256(read_item(item)).hexdigest()))
        except (OSError, DecodeError):
            readable = False
        cut = hashlib.sha1(doc_id.encode("utf-8", "surrogateescape")).digest()
        if int.from_bytes(cut[:4], "big") % RUN_LENGTH == 0:
            runs.append((key if readable else [], members))
            key, members, readable = [], [], True
    if members:
        runs.append((key if readable else [], members))
    return runs


def _take(outcome: Outcome, assembler: Assembler, report: Report, lines: list) -> int:
    """Add one outcome to the assembler and the report; its characters.

    ``lines`` gets what the report needs to say it again (``_count``):
    ``(id, characters, warnings)`` of a document, ``(id, -1, reason)`` of a skipped file.
    """
    if outcome.status == "skipped":
        line: tuple = (outcome.doc_id, -1, outcome.reason)
    elif outcome.status == "failed" or outcome.extraction is None:
        report.failed.append((outcome.doc_id, outcome.reason))
        return 0
    else:
        ext = outcome.extraction
        assembler.add(ext)
        line = (ext.id, ext.chars, ext.warnings)
    lines.append(line)
    return _count(line, report, cached=outcome.cached)


def _count(line: tuple, report: Report, cached: bool) -> int:
    """Count one report line of ``_take`` in ``report``; its characters."""
    doc_id, chars, note = line
    if chars < 0:
        report.skipped.append((doc_id, note))
        return 0
    report.documents += 1
    report.characters += chars
    report.warnings.extend((doc_id, w) for w in note)
    if cached:
        report.cached += 1
    else:
        report.extracted += 1
    return chars


# ---------------------------------------------------------------------------
# kg build


@dataclass
class Summary:
    out: Path
    graph: nx.MultiDiGraph
    report: Report
    written: list[str]

    def render(self) -> str:
        G = self.graph
        by_type = Counter(d["type"] for _, d in G.nodes(data=True))
        by_rel = Counter(d["relation"] for _, _, d in G.edges(data=True))
        lines = [
            f"documents: {self.report.documents} ({self.report.characters:,} characters)",
            f"entities: {G.number_of_nodes()}  " + "  ".join(f"{t}: {n}" for t, n in sorted(by_type.items())),
            f"relations: {G.number_of_edges()}  " + "  ".join(f"{r}: {n}" for r, n in sorted(by_rel.items())),
        ]
        if self.report.cached:
            lines.append(f"cache: {self.report.cached} reused, {self.report.extracted} extracted")
        for doc_id, reason in self.report.failed:
            lines.append(f"failed {doc_id}: {reason}")
        for doc_id, reason in self.report.skipped:
            lines.append(f"skipped {doc_id}: {reason}")
        for doc_id, warning in self.report.warnings:
            lines.append(f"warning {doc_id}: {warning}")
        lines.append(f"wrote: {', '.join(str(self.out / w) for w in self.written)}")
        return "\n".join(lines)


def _memo_folder(cache: Path | None) -> Path | None:
    """Where the writers keep what speeds up the next build's exports: in the extraction cache, if it is used."""
    if cache is None or check_folder(cache) is not None or not os.path.isdir(cache):
        return None
    from kg.cache import open_cache

    store = open_cache(os.path.abspath(cache))
    return store.root / store.version / "exports"


def default_cache_dir(out: Path) -> Path:
    """``.kg-cache`` beside the output folder: ``exports/`` → ``.kg-cache/``."""
    return Path(out).resolve().parent / ".kg-cache"


def build(
    paths,
    out: Path,
    formats: str = "all",
    *,
    jobs: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    use_cache: bool = True,
    progress: bool | None = False,
    globs: Sequence[str] = DEFAULT_GLOBS,
    resident: Resident | None = None,
) -> Summary:
    """``kg build``: the graph of ``paths``, every export and ``report.json`` in ``out``.

    ``report.json`` lists the documents that failed (with the stage and the
    reason), the files skipped (empty, binary) and the cache's hits. The files
    of ``out`` change as one set, and one build at a time writes there
    (``kg.export.write_set``, ``kg.export.locked``). Neither ``out`` nor the
    cache is read as input. A build that read no document at all is an error
    and leaves ``out`` as it was. ``use_cache=False`` reads and writes no
    extraction cache; the resource cache (``kg.resources``: jieba's tables, kept
    as plain data) is still used unless ``$KG_NO_RESOURCE_CACHE`` is set.
    """
    from kg.export import WRITERS, locked, write_set

    wanted = list(WRITERS) if formats in ("all", "") else [f.strip() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in WRITERS]
    if unknown:
        raise UserError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(WRITERS)}")
    for p in map(Path, paths):
        if not p.exists():
            raise FileNotFoundError(2, "no such file or folder", str(p))
    if jobs < 1:
        raise UserError("--jobs must be at least 1")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(20, "not a folder", str(out))
    report = Report()
    cache = (Path(cache_dir) if cache_dir else default_cache_dir(out)) if use_cache else None
    # The resource folder is not "the cache" --no-cache turns off: it holds only tables derived from
    # installed package files (jieba's dictionary), keyed by their paths, sizes and times, never
    # anything read from the corpus (``kg.resources``; $KG_NO_RESOURCE_CACHE turns it off).
    # Checked (and warned about) once here: -j workers inherit the decision instead of each warning.
    no_resources = resources.disabled() if resources.usable_folder() is None else contextlib.nullcontext()
    with locked(out) as folder, no_resources, young_gc_only():
        G = build_graph(
            paths,
            report,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            cache_dir=cache,
            progress=progress,
            globs=globs,
            exclude=[folder] + ([cache] if cache else []),
            resident=resident,
        )
        if report.documents == 0:
            if report.skipped or report.failed:
                some = "; ".join(f"{d}: {r}" for d, r in (report.skipped + report.failed)[:3])
                why = f"{len(report.skipped)} skipped, {len(report.failed)} failed: {some}"
                why += "; …" if len(report.skipped) + len(report.failed) > 3 else ""
            else:
                why = f"no file matches {', '.join(globs)}"
            raise UserError(f"no document was read from {', '.join(map(str, paths))} ({why}); {out} is left as it was")
        report_json = json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"
        written = write_set(G, out, wanted, {"report.json": report_json}, memo=_memo_folder(cache), jobs=jobs)
    return Summary(out, G, report, written)


if __name__ == "__main__":  # pragma: no cover
    print(build(sys.argv[1:] or ["seeds"], Path("exports")).render())
