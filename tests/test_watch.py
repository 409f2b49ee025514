"""kg watch: a build, then the same build again after each change, from what stays in memory."""

from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from kg import pipeline
from kg.assemble import Assembler
from kg.inputs import list_items
from kg.pipeline import Resident, build, build_graph
from kg.watch import watch
from tests.conftest import ROOT, SEEDS

FORMATS = "json,ttl"
NAMES = ("graph.json", "graph.ttl", "report.json")


@pytest.fixture
def corpus(tmp_path):
    src = tmp_path / "corpus"
    shutil.copytree(SEEDS, src)
    (src / "x1.txt").write_text("河北日报讯 省科技厅副厅长李从民在石家庄出席会议。", encoding="utf-8")
    return src


class Watcher:
    """``watch`` in a thread: ``next()`` waits for its report of the next build."""

    def __init__(self, paths, out, **kw) -> None:
        self.reports: queue.Queue[str] = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=watch,
            args=(paths, out, FORMATS),
            kwargs=dict(interval=0.05, say=self.reports.put, stop=self.stop, **kw),
        )
        self.thread.start()

    def next(self, timeout: float = 60) -> str:
        return self.reports.get(timeout=timeout)

    def until(self, text: str, timeout: float = 60) -> str:
        """The first report holding ``text``: a change made in several steps may be built at one of them."""
        end = time.monotonic() + timeout
        while (said := self.next(max(0.1, end - time.monotonic()))) and text not in said:
            pass
        return said

    def quiet(self, seconds: float) -> bool:
        """True if no build was reported for ``seconds``."""
        try:
            self.reports.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()


@pytest.fixture
def watcher():
    made: list[Watcher] = []
    yield lambda *a, **kw: made.append(Watcher(*a, **kw)) or made[-1]
    for w in made:
        w.close()


def files(out):
    return {name: (out / name).read_bytes() for name in NAMES}


def fresh(src, out):
    """The exports ``kg build --no-cache`` writes for ``src`` now (report.json without the cache's counts)."""
    build([src], out, formats=FORMATS, use_cache=False)
    return files(out)


def same_graph(a: dict, b: dict) -> bool:
    ra, rb = (json.loads(x["report.json"]) for x in (a, b))
    counts = ("documents", "characters", "failed", "skipped", "warnings")
    return (
        a["graph.json"] == b["graph.json"] and a["graph.ttl"] == b["graph.ttl"] and all(ra[k] == rb[k] for k in counts)
    )


def test_each_change_is_built_again_to_the_bytes_of_a_fresh_build(corpus, tmp_path, watcher):
    out = tmp_path / "out"
    w = watcher([corpus], out, cache_dir=tmp_path / "cache")
    said = w.next()
    assert "built in" in said and "documents: 4 " in said
    assert same_graph(files(out), fresh(corpus, tmp_path / "f0"))

    (corpus / "x1.txt").write_text("河北日报讯 省科技厅厅长龙奋杰在保定出席会议。", encoding="utf-8")
    said = w.next()
    assert "cache: 3 reused, 1 extracted" in said
    assert same_graph(files(out), fresh(corpus, tmp_path / "f1"))

    (corpus / "x2.txt").write_text("唐山市科技局党组书记潘树文表示,唐山推行基层科技特派员制度。", encoding="utf-8")
    assert "cache: 4 reused, 1 extracted" in w.next()
    assert same_graph(files(out), fresh(corpus, tmp_path / "f2"))

    (corpus / "x1.txt").unlink()
    assert "documents: 4 " in w.next()
    assert same_graph(files(out), fresh(corpus, tmp_path / "f3"))
    assert w.quiet(0.5)  # nothing changed: nothing built


def test_bad_files_are_reported_and_an_empty_corpus_keeps_the_last_exports(corpus, tmp_path, watcher):
    out = tmp_path / "out"
    w = watcher([corpus], out, use_cache=False)
    w.next()
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "gbk.txt").write_bytes("河北省科技厅厅长在唐山市调研。".encode("gbk"))
    (staging / "binary.txt").write_bytes(bytes(range(256)) * 4)
    for f in staging.iterdir():  # just written: left to settle, so built together
        f.rename(corpus / f.name)
    said = w.next()
    assert "skipped binary.txt" in said and "documents: 5 " in said
    assert "cache: 4 reused, 1 extracted" in said  # without a cache folder: from memory
    assert same_graph(files(out), fresh(corpus, tmp_path / "f1"))
    kept = files(out)

    for f in corpus.iterdir():
        f.unlink()
    w.until("kg: error: no document was read")
    assert files(out) == kept  # the last good exports stay
    (corpus / "one.txt").write_text("河北省科技厅在石家庄召开会议。", encoding="utf-8")
    assert "documents: 1 " in w.next()
    assert same_graph(files(out), fresh(corpus, tmp_path / "f2"))


def test_a_watched_folder_removed_is_said_once_and_built_when_back(corpus, tmp_path, watcher):
    out = tmp_path / "out"
    w = watcher([corpus], out, use_cache=False)
    w.next()
    kept = files(out)
    shutil.rmtree(corpus)
    assert "kg: error: no such file or folder" in w.next()
    assert w.quiet(0.5) and files(out) == kept  # said once; the exports stay
    shutil.copytree(SEEDS, tmp_path / "staging")  # copied files keep their times: put in place at once
    (tmp_path / "staging").rename(corpus)
    assert "documents: 3 " in w.next()
    assert same_graph(files(out), fresh(corpus, tmp_path / "f"))


def test_exports_inside_the_watched_folder_do_not_start_builds(corpus, watcher):
    """The output and the cache are left out of what is watched, as out of what is read: no build of its own writing."""
    w = watcher([corpus], corpus / "exports")
    assert "documents: 4 " in w.next()
    assert w.quiet(0.5)


def test_memory_holds_the_current_corpus_only(corpus, monkeypatch):
    """What a resident build keeps is replaced, not added to: a long watch of an edited folder does not grow."""
    monkeypatch.setattr(pipeline, "RUN_LENGTH", 2)  # several runs
    resident = Resident()
    added: list[str] = []
    add = Assembler.add
    monkeypatch.setattr(Assembler, "add", lambda self, ext: (added.append(ext.id), add(self, ext))[1])
    for n in range(4):
        (corpus / "x1.txt").write_text(f"河北日报讯 省科技厅第{n}次会议在保定召开。", encoding="utf-8")
        build_graph([corpus], resident=resident)
    items = list_items([corpus])
    assert len(resident.docs) == len(items)
    assert len(resident.runs) == len(pipeline._runs(items))
    added.clear()
    build_graph([corpus], resident=resident)
    assert added == []  # every run from memory


def test_kg_watch_stops_on_ctrl_c(corpus, tmp_path):
    cmd = [sys.executable, "-m", "kg", "watch", str(corpus), "--out", str(tmp_path / "out"), "--format", "json"]
    proc = subprocess.Popen(
        cmd + ["--interval", "0.1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert "built in" in proc.stdout.readline()
        assert (tmp_path / "out" / "graph.json").is_file()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "stopped watching" in err


def test_kg_watch_refuses_a_zero_interval(corpus, tmp_path):
    from kg.cli import main

    assert main(["watch", str(corpus), "--out", str(tmp_path / "out"), "--interval", "0"]) == 2
    assert not (tmp_path / "out").exists()
