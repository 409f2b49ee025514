"""Exports are atomic, readable by others, cleaned up after a crash, and byte-identical run to run (issue 6)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.export import WRITERS, atomic_write, remove_stale_temps
from tests.conftest import ROOT, SEEDS


def files_under(folder: Path) -> dict[str, bytes]:
    """The export files under ``folder`` (those of ``WRITERS``, and temporary files), by relative name."""
    names = tuple(name for name, _ in WRITERS.values())
    return {
        rel: p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (rel := p.relative_to(folder).as_posix()).split("/")[0].lstrip(".").startswith(names)
    }


def test_atomic_write_uses_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.txt", "x")
        assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
        os.umask(0o002)
        atomic_write(tmp_path / "b.txt", b"y")
        assert (tmp_path / "b.txt").stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(old)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_every_export_is_world_readable(fmt, sample_graph, tmp_path):
    old = os.umask(0o022)
    try:
        name, writer = WRITERS[fmt]
        writer(sample_graph, tmp_path / name)
    finally:
        os.umask(old)
    for p in tmp_path.rglob("*"):
        if p.is_file():
            assert p.stat().st_mode & 0o044 == 0o044, p


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "graph.json"
    target.write_text("old", encoding="utf-8")

    def boom(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.json"]


def test_stale_temp_files_of_dead_runs_are_removed(tmp_path):
    # a pid that is surely not running: a finished child's
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    stale = tmp_path / f".graph.json.{child.pid}.0badc0de.tmp"
    stale.write_text("half a file", encoding="utf-8")
    live = tmp_path / f".graph.json.{os.getppid()}.0badc0de.tmp"  # a running process: left alone
    live.write_text("being written", encoding="utf-8")
    other = tmp_path / f".graph.ttl.{child.pid}.0badc0de.tmp"  # another file's: removed when it is written
    other.write_text("x", encoding="utf-8")
    atomic_write(tmp_path / "graph.json", "{}")
    assert not stale.exists() and live.exists() and other.exists()
    assert remove_stale_temps(tmp_path / "graph.ttl") == [other]


def _build(src: Path, out: Path, seed: str = "0") -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "build", str(src), "--out", str(out), "--no-cache"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """Two corpora and the exports of each, built once: A (the seeds) and B (the seeds plus more)."""
    base = tmp_path_factory.mktemp("atomic")
    a, b = base / "a", base / "b"
    a.mkdir()
    b.mkdir()
    seeds = sorted(SEEDS.glob("*.txt"))
    for p in seeds:
        (a / p.name).write_bytes(p.read_bytes())
        (b / p.name).write_bytes(p.read_bytes())
    (b / "extra.txt").write_text("河北日报讯 唐山市科技局局长张三在唐山市出席科技特派员制度推进会。", encoding="utf-8")
    exports = {}
    for name, src in (("a", a), ("b", b)):
        proc = _build(src, base / f"out-{name}")
        assert proc.wait(timeout=300) == 0, proc.stderr.read() if proc.stderr else ""
        exports[name] = files_under(base / f"out-{name}")
    assert exports["a"]["graph.json"] != exports["b"]["graph.json"]
    return base, exports


def _reset(out: Path, files: dict[str, bytes]) -> None:
    if out.exists():
        shutil.rmtree(out)
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)


def test_killed_build_leaves_the_old_set_or_the_new_one_never_a_mix(corpora):
    """SIGKILL ``kg build`` at random moments: the folder holds all the old files or all the new ones."""
    base, exports = corpora
    rnd = random.Random(13)
    out = base / "killed"
    staging = f".{out.name}.kg-"
    outcomes = set()
    started = time.monotonic()  # how long a build takes here: the kills below land anywhere in one
    assert _build(base / "b", base / "timed").wait(timeout=300) == 0
    length = time.monotonic() - started
    for attempt in range(5):
        _reset(out, exports["a"])
        proc = _build(base / "b", out)
        if attempt < 3:  # while the set is being written (the staging folder exists) ...
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                if any(p.name.startswith(staging + "new") for p in base.iterdir()):
                    break
                time.sleep(0.002)
            # the first kill lands as soon as the staging folder appears, before the set is swapped in
            # (a fast build writes the whole set in well under the 0.4 s the others may wait)
            time.sleep(0 if attempt == 0 else rnd.uniform(0, 0.4))
        else:  # ... or at any moment of the build
            time.sleep(rnd.uniform(0, length))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        now = files_under(out)
        assert now in (exports["a"], exports["b"]), (attempt, sorted(n for n in now if now[n] != exports["a"].get(n)))
        outcomes.add("new" if now == exports["b"] else "old")
    # the next run finishes the job and removes what the killed ones left beside the folder
    proc = _build(base / "b", out)
    assert proc.wait(timeout=300) == 0
    assert files_under(out) == exports["b"]
    assert sorted(p.name for p in base.iterdir() if p.name.startswith(staging)) == [staging + "lock"]
    assert "old" in outcomes


def test_a_full_disk_leaves_the_old_set(corpora, monkeypatch):
    """A writer that fails half-way (ENOSPC) leaves every old file and no staging folder."""
    import errno

    import kg.export
    from kg.pipeline import build

    base, exports = corpora
    out = base / "full"
    _reset(out, exports["a"])
    calls = []

    def no_space(G, path):
        calls.append(path)
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setitem(kg.export.WRITERS, "html", ("graph.html", no_space))
    with pytest.raises(OSError, match="No space left"):
        build([base / "b"], out, use_cache=False)
    assert calls and files_under(out) == exports["a"]
    assert not [p for p in base.iterdir() if p.name.startswith(".full.kg-new")]


@pytest.mark.parametrize("failing", ["html", "gexf"])
def test_a_full_disk_in_one_of_several_writing_processes_leaves_the_old_set(corpora, monkeypatch, failing):
    """With -j 2 the formats are written by two processes (html here, gexf in a forked one):
    a writer failing in either fails the build with its reason and leaves every old file."""
    import errno

    import kg.export
    from kg.export import _writer_groups
    from kg.pipeline import build

    assert "html" in _writer_groups(list(WRITERS), 2)[0] and "gexf" in _writer_groups(list(WRITERS), 2)[1]
    base, exports = corpora
    out = base / f"full-{failing}"
    _reset(out, exports["a"])

    def no_space(G, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setitem(kg.export.WRITERS, failing, (WRITERS[failing][0], no_space))
    with pytest.raises(OSError, match="No space left"):
        build([base / "b"], out, use_cache=False, jobs=2)
    assert files_under(out) == exports["a"]
    assert not [p for p in base.iterdir() if p.name.startswith(f".full-{failing}.kg-new")]


def test_several_writing_processes_write_the_same_bytes(corpora):
    from kg.pipeline import build

    base, exports = corpora
    build([base / "b"], base / "two-writers", use_cache=False, jobs=2)
    assert files_under(base / "two-writers") == exports["b"]


def test_a_second_build_into_the_same_folder_is_refused(corpora, tmp_path):
    """Two builds into one --out: the second stops at once with one error line, the first finishes."""
    base, exports = corpora
    big = tmp_path / "big"
    big.mkdir()
    for i in range(8):  # long enough that the first build still runs when the second starts
        for p in sorted((base / "b").iterdir()):
            (big / f"{i}-{p.name}").write_bytes(p.read_bytes())
    out = tmp_path / "out"
    first = _build(big, out)
    lock = tmp_path / ".out.kg-lock"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        if lock.exists() and lock.read_text().strip() == str(first.pid):
            break
        time.sleep(0.01)
    second = _build(base / "a", out)
    assert second.wait(timeout=120) == 2
    err = second.stderr.read().decode() if second.stderr else ""
    assert err.startswith(f"kg: error: another kg build is writing {out} (process {first.pid})"), err
    assert err.count("\n") == 1
    assert first.wait(timeout=300) == 0
    assert "graph.json" in files_under(out)


def test_every_format_is_byte_identical_across_runs_and_hash_seeds(corpora):
    base, exports = corpora
    proc = _build(base / "b", base / "seed-12345", seed="12345")
    assert proc.wait(timeout=300) == 0
    again = files_under(base / "seed-12345")
    assert sorted(again) == sorted(exports["b"])
    for name in again:
        assert again[name] == exports["b"][name], name


def test_an_out_folder_in_a_read_only_parent_is_written_file_by_file(corpora, monkeypatch, capsys):
    """Nothing may be created beside --out (only inside it): a lock inside, the files replaced one by one."""
    from kg.pipeline import build

    base, exports = corpora
    out = base / "inplace"
    _reset(out, exports["a"])
    real_open, real_mkdir = os.open, Path.mkdir

    def open_(path, *args, **kwargs):
        if str(path).endswith("/.inplace.kg-lock"):
            raise PermissionError(13, "Permission denied", str(path))  # what a read-only parent answers
        return real_open(path, *args, **kwargs)

    def mkdir(self, *args, **kwargs):
        if self.name.startswith(".inplace.kg-new"):
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    build([base / "b"], out, use_cache=False)
    assert "cannot be replaced as a whole: its files are replaced one by one" in capsys.readouterr().err
    assert files_under(out) == exports["b"]
    assert (out / ".kg-lock").exists()
