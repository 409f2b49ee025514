"""Parallel, cached and Dask builds give the plain build's bytes; one bad document does not stop a run."""

from __future__ import annotations

import json
import shutil

import pytest

from kg import memory, pipeline, stages
from kg.cli import main
from kg.inputs import list_items
from kg.pipeline import Report, build, build_graph
from tests.conftest import SEEDS

EXTRA = {
    "x1.txt": "河北日报讯 省科技厅副厅长李从民在石家庄出席会议。",
    "x2.txt": "唐山市科技局党组书记潘树文表示,唐山推行基层科技特派员制度。",
}


@pytest.fixture
def corpus(tmp_path):
    src = tmp_path / "corpus"
    shutil.copytree(SEEDS, src)
    for name, text in EXTRA.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    return src


def exports(out):
    return {name: (out / name).read_bytes() for name in ("graph.json", "graph.ttl")}


def run_build(src, out, *args):
    assert main(["build", str(src), "--out", str(out), "--format", "json,ttl", "--no-progress", *args]) == 0
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["failed"] == []
    return exports(out)


def test_two_processes_give_the_bytes_of_one(corpus, tmp_path):
    one = run_build(corpus, tmp_path / "j1", "--no-cache")
    two = run_build(corpus, tmp_path / "j2", "--no-cache", "-j", "2")
    assert one == two


def test_rebuild_after_one_change_extracts_only_that_document(corpus, tmp_path):
    cache = tmp_path / "cache"
    first = build([corpus], tmp_path / "a", formats="json", cache_dir=cache).report
    assert (first.extracted, first.cached) == (5, 0)
    (corpus / "x1.txt").write_text("河北日报讯 省科技厅厅长龙奋杰在保定出席会议。", encoding="utf-8")
    again = build([corpus], tmp_path / "b", formats="json", cache_dir=cache).report
    assert (again.extracted, again.cached) == (1, 4)
    cold = build([corpus], tmp_path / "c", formats="json", use_cache=False).report
    assert cold.extracted == 5
    assert (tmp_path / "b" / "graph.json").read_bytes() == (tmp_path / "c" / "graph.json").read_bytes()
    report = json.loads((tmp_path / "b" / "report.json").read_text(encoding="utf-8"))
    assert (report["extracted"], report["cached"]) == (1, 4)


def test_unchanged_runs_are_merged_not_assembled_again(corpus, tmp_path, monkeypatch):
    """A rebuild adds only the documents of the run that changed; the rest come as assembled states."""
    from kg.assemble import Assembler

    monkeypatch.setattr(pipeline, "RUN_LENGTH", 2)  # several runs out of six files
    added: list[str] = []
    add = Assembler.add
    monkeypatch.setattr(Assembler, "add", lambda self, ext: (added.append(ext.id), add(self, ext))[1])
    cache = tmp_path / "cache"
    run_build(corpus, tmp_path / "a", "--cache-dir", str(cache))
    assert len(added) == 5
    runs = pipeline._runs(list_items([corpus]))
    assert len(runs) > 1

    plain = run_build(corpus, tmp_path / "plain", "--no-cache")
    added.clear()
    assert run_build(corpus, tmp_path / "b", "--cache-dir", str(cache)) == plain
    assert added == []  # every run, the one with the empty file too, came whole from the cache
    (corpus / "x1.txt").write_text("河北日报讯 省科技厅厅长龙奋杰在保定出席会议。", encoding="utf-8")
    rebuilt = run_build(corpus, tmp_path / "c", "--cache-dir", str(cache))
    changed_run = next(members for _, members in runs if any(d == "x1.txt" for d, _ in members))
    assert sorted(added) == sorted(d for d, _ in changed_run if d != "empty.txt")
    assert rebuilt == run_build(corpus, tmp_path / "d", "--no-cache")
    report = json.loads((tmp_path / "c" / "report.json").read_text(encoding="utf-8"))
    assert (report["extracted"], report["cached"], report["documents"]) == (1, 4, 5)
    assert [s["document"] for s in report["skipped"]] == ["empty.txt"]


def test_editing_articles_does_not_grow_the_cache(corpus, tmp_path, monkeypatch):
    """One stored extraction per article and one state per run: older versions are dropped."""
    monkeypatch.setattr(pipeline, "RUN_LENGTH", 2)
    cache = tmp_path / "cache"

    def entries():
        return sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*.json"))

    run_build(corpus, tmp_path / "a", "--cache-dir", str(cache))
    first = entries()
    assert len([e for e in first if "/docs/" in e]) == 5  # the empty file is not stored
    for n in range(3):
        (corpus / "x1.txt").write_text(f"河北日报讯 省科技厅第{n}次会议在保定召开。", encoding="utf-8")
        run_build(corpus, tmp_path / "a", "--cache-dir", str(cache))
    now = entries()
    assert len(now) == len(first)
    assert len(set(now) - set(first)) == 2  # x1's extraction and its run's state, replaced
    assert run_build(corpus, tmp_path / "b", "--cache-dir", str(cache)) == run_build(
        corpus, tmp_path / "c", "--no-cache"
    )


def test_a_rebuild_writes_again_only_the_turtle_of_what_changed(corpus, tmp_path, monkeypatch):
    from kg.export import turtle

    cache = tmp_path / "cache"
    run_build(corpus, tmp_path / "a", "--cache-dir", str(cache))
    (memo,) = cache.rglob("graph.ttl.memo")
    written: list[int] = []
    general = turtle._graph_blocks
    monkeypatch.setattr(turtle, "_graph_blocks", lambda G, *a: (written.append(len(G)), general(G, *a))[1])
    (corpus / "x1.txt").write_text("河北日报讯 省科技厅厅长龙奋杰在保定出席会议。", encoding="utf-8")
    rebuilt = run_build(corpus, tmp_path / "b", "--cache-dir", str(cache))
    assert rebuilt == run_build(corpus, tmp_path / "plain", "--no-cache")
    whole = len(json.loads(rebuilt["graph.json"])["nodes"])
    assert len(written) == 2 and 0 < written[0] < whole / 2  # the rebuild's own, and the whole graph without a cache


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "folder"])
def test_a_damaged_turtle_memo_costs_only_its_time(corpus, tmp_path, damage):
    cache = tmp_path / "cache"
    run_build(corpus, tmp_path / "a", "--cache-dir", str(cache))
    (memo,) = cache.rglob("graph.ttl.memo")
    raw = memo.read_bytes()
    if damage == "truncate":
        memo.write_bytes(raw[: len(raw) * 2 // 3])
    elif damage == "flip":  # a language tag of a block changed: the checksum no longer fits
        memo.write_bytes(raw.replace(b'"@zh', b'"@en', 1))
    elif damage == "garbage":
        memo.write_bytes(b'{"format": 1}\n' + bytes(range(256)))
    elif damage == "empty":
        memo.write_bytes(b"")
    else:
        memo.unlink()
        memo.mkdir()
    (corpus / "x1.txt").write_text("河北日报讯 省科技厅厅长龙奋杰在保定出席会议。", encoding="utf-8")
    assert run_build(corpus, tmp_path / "b", "--cache-dir", str(cache)) == run_build(
        corpus, tmp_path / "c", "--no-cache"
    )


def test_cache_is_keyed_by_extractor_version(corpus, tmp_path):
    from kg.cache import DocumentCache
    from kg.stages import process_path

    cache = tmp_path / "cache"
    item = ("x1.txt", str(corpus / "x1.txt"))
    assert not process_path(item, str(cache)).cached
    assert process_path(item, str(cache)).cached
    extraction = process_path(item).extraction
    assert DocumentCache(cache, version="other").get(extraction) is None


def test_a_failing_document_is_reported_and_the_run_goes_on(corpus, tmp_path, monkeypatch):
    def explode(doc):
        if doc.id == "x2.txt":
            raise ValueError("boom")
        return doc

    monkeypatch.setattr(stages, "STAGES", (*stages.STAGES, ("explode", explode)))
    out = tmp_path / "out"
    assert main(["build", str(corpus), "--out", str(out), "--format", "json", "--no-cache"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["failed"] == [{"document": "x2.txt", "reason": "stage 'explode' failed: ValueError: boom"}]
    assert report["skipped"][0]["document"] == "empty.txt"
    assert report["documents"] == 4
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    assert "x1.txt" in {d["id"] for d in graph["graph"]["documents"]}
    assert main(["build", str(corpus), "--out", str(out), "--format", "json", "--no-cache", "--strict"]) == 1


def test_dask_gives_the_bytes_of_a_local_build(corpus, tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed not installed: pip install 'kg[dask]'")
    local = run_build(corpus, tmp_path / "local", "--no-cache")
    dask = run_build(corpus, tmp_path / "dask", "--no-cache", "--engine", "dask", "-j", "1")
    assert local == dask


def test_progress_line_names_documents_and_rate():
    import io

    from kg.progress import Progress

    stream = io.StringIO()
    bar = Progress(2, 20, stream=stream, every=1)
    bar.update(10, 10)
    bar.update(10, 10)
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 and "2/2 docs" in lines[1] and "chars/s" in lines[1]


def test_build_graph_streams_without_a_cache(corpus):
    report = Report()
    G = build_graph([corpus], report)
    assert report.documents == 5 and report.extracted == 5 and G.number_of_nodes() > 0


def test_cycles_a_document_leaves_are_collected_during_a_build(tmp_path, monkeypatch):
    """The build pauses automatic collection but sweeps young garbage itself, and restores the collector."""
    import gc
    import weakref

    freed: list[str] = []
    freed_before: list[int] = []  # how many were freed when each document came

    class Cycle:
        pass

    def leave_a_cycle(doc):
        freed_before.append(len(freed))
        c = Cycle()
        c.me = c  # unreachable after the stage: only the cyclic collector frees it
        weakref.finalize(c, freed.append, doc.id)
        return doc

    src = tmp_path / "many"
    src.mkdir()
    for i in range(6):
        (src / f"d{i}.txt").write_text(f"省科技厅第{i}次会议在石家庄召开。", encoding="utf-8")
    monkeypatch.setattr(stages, "STAGES", (*stages.STAGES, ("cycle", leave_a_cycle)))
    monkeypatch.setattr(memory, "GC_EVERY", 2)
    assert gc.isenabled()
    build([src], tmp_path / "out", formats="json", use_cache=False)
    assert gc.isenabled()
    assert freed_before[-1] >= 4  # swept during the run, not only once the collector is back


# Workers are forked from the build's process where that is safe (no other thread runs), else spawned.
SPAWNED = "import threading, time\nthreading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
FORKED_DIE = "import os, kg.parallel\nkg.parallel._forked_start = lambda: os._exit(3)\n"


@pytest.mark.parametrize(
    "prelude, why",
    [
        (SPAWNED, "a script without the __main__ guard makes every spawned worker die at start-up"),
        (FORKED_DIE, "forked workers that die at start-up"),
    ],
)
def test_a_worker_that_cannot_start_is_an_error_not_a_hang(corpus, tmp_path, prelude, why):
    import subprocess
    import sys

    script = tmp_path / "no_guard.py"
    script.write_text(
        prelude + "from pathlib import Path\n"
        "from kg.pipeline import build\n"
        f"build([Path({str(corpus)!r})], Path({str(tmp_path / 'out')!r}), formats='json', jobs=2, use_cache=False)\n",
        encoding="utf-8",
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0, why
    assert "worker process died" in proc.stderr and "__main__" in proc.stderr


def test_spawned_workers_give_the_bytes_of_forked_ones(corpus, tmp_path):
    """While another thread runs, -j workers are spawned (fork would copy its locks); same output."""
    import threading

    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait, daemon=True)
    waiter.start()
    try:
        spawned = run_build(corpus, tmp_path / "spawned", "--no-cache", "-j", "2")
    finally:
        stop.set()
        waiter.join()
    assert spawned == run_build(corpus, tmp_path / "forked", "--no-cache", "-j", "2")


def test_python_m_kg_with_spawned_workers(corpus, tmp_path):
    """`python -m kg build -j 2` where workers are spawned (another thread runs, as on Windows):
    the command's own entry works with spawned workers (multiprocessing does not run a package's
    __main__ again in them)."""
    import subprocess
    import sys

    out = tmp_path / "out"
    code = (
        "import runpy, sys, threading, time\n"
        "threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n"
        f"sys.argv = ['kg', 'build', {str(corpus)!r}, '--out', {str(out)!r}, '-j', '2', '--no-cache',"
        " '--format', 'json', '--no-progress']\n"
        "runpy.run_module('kg', run_name='__main__', alter_sys=True)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (out / "graph.json").is_file()
