"""kg from Python: build the canonical graph of files, folders or strings, and write its exports.

The same graph ``kg build`` makes (a ``networkx.MultiDiGraph``, see
``kg.graph``), without the command line::

    import kg

    G = kg.build(["seeds"])                       # files and folders
    G = kg.build_texts({"a.txt": "省科技厅厅长龙奋杰在石家庄市调研。"})  # strings
    kg.write(G, "exports", formats="json,ttl")

>>> G = build_texts({"a.txt": "8月13日,省科技厅厅长龙奋杰在石家庄市召开会议。"})
>>> sorted(d["label"] for _, d in G.nodes(data=True))
['河北省科学技术厅', '石家庄市', '龙奋杰']
>>> [(G.nodes[u]["label"], d["relation"], d["title"], G.nodes[v]["label"]) for u, v, d in G.edges(data=True)]
[('龙奋杰', 'holdsPosition', '厅长', '河北省科学技术厅')]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import UserError

if TYPE_CHECKING:
    import networkx as nx

    from kg.pipeline import Report


def build(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    jobs: int = 1,
    cache_dir: str | os.PathLike | None = None,
    report: Report | None = None,
    globs: Iterable[str] | None = None,
) -> nx.MultiDiGraph:
    """The graph of every article under ``paths`` (a file or folder, or a list of them).

    ``jobs`` worker processes extract in parallel (same graph as 1);
    ``cache_dir`` keeps extractions between calls (none by default);
    ``globs``: the file names read from a folder (default ``kg.inputs.DEFAULT_GLOBS``:
    .txt, .md, .html, .jsonl). A file that cannot be read as text is skipped, as
    by ``kg build``: pass a ``kg.pipeline.Report()`` as ``report`` to learn what
    was skipped or failed.
    """
    from kg.inputs import DEFAULT_GLOBS
    from kg.pipeline import build_graph

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    for p in map(Path, paths):
        if not p.exists():
            raise FileNotFoundError(2, "no such file or folder", str(p))
    return build_graph(paths, report, jobs=jobs, cache_dir=cache_dir, globs=list(globs or DEFAULT_GLOBS))


def build_texts(texts: Mapping[str, str] | Iterable[str], report: Report | None = None) -> nx.MultiDiGraph:
    """The graph of articles given as strings: ``{document id: text}``, or a list (ids ``text-1``, ``text-2``…).

    Each text goes through the same stages as a file (normalised, split into
    sentences, extracted, resolved); a text whose extraction fails is listed in
    ``G.graph["report"]`` and the rest go on.
    """
    from kg.assemble import Assembler
    from kg.model import Extraction
    from kg.pipeline import Report
    from kg.stages import StageError, process
    from kg.textio import make_document

    items = list(texts.items()) if isinstance(texts, Mapping) else [(f"text-{i}", t) for i, t in enumerate(texts, 1)]
    ids = [doc_id for doc_id, _ in items]
    if len(set(ids)) != len(ids):
        raise UserError("two texts have the same document id")
    assembler = Assembler()
    report = report if report is not None else Report()
    for doc_id, text in items:
        if not isinstance(text, str):
            raise UserError(f"text {doc_id!r} is a {type(text).__name__}, not a str")
        doc = make_document(doc_id, text)
        if not doc.text:
            report.skipped.append((doc_id, "empty text"))
            continue
        try:
            done = process(doc)
        except StageError as exc:
            report.failed.append((doc_id, str(exc)))
            continue
        report.documents += 1
        report.characters += len(doc.text)
        report.extracted += 1
        assembler.add(Extraction.of(done))
    return assembler.graph()


def write(G: nx.MultiDiGraph, out: str | os.PathLike, formats: str | Iterable[str] = "all") -> list[str]:
    """Write the exports of ``G`` into the folder ``out``; the names of the files written.

    ``formats`` is ``"all"`` or a list (or comma-separated string) of
    ``json``, ``ttl``, ``html``, ``gexf``, ``graphml``, ``neo4j``. The files
    change as one set, as ``kg build`` writes them (``kg.export.write_set``).
    """
    from kg.export import WRITERS, locked, write_set

    wanted = list(WRITERS) if formats in ("all", "") else _names(formats)
    unknown = [f for f in wanted if f not in WRITERS]
    if unknown:
        raise UserError(f"unknown format(s) {', '.join(unknown)}; choose from {', '.join(WRITERS)}")
    with locked(out):
        return write_set(G, out, wanted)


def _names(formats: str | Iterable[str]) -> list[str]:
    if isinstance(formats, str):
        return [f.strip() for f in formats.split(",") if f.strip()]
    return [str(f) for f in formats]
