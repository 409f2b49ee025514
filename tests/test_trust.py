"""A build that cannot be made to run code, lose a good graph or hang (issue 13, items 1-4).

Each test plays a hostile or careless user: a planted pickle, a cache folder
others may write, a file that changes during a build, a FIFO, /dev/zero, a
tree 1,000 folders deep, the output folder inside the input, an empty input,
two file names that read alike, old Mac line endings.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg import resources
from kg.cli import main
from kg.crf import speedups
from kg.inputs import list_items
from kg.pipeline import build
from tests.conftest import ROOT, SEEDS

ARTICLE = "河北日报讯 唐山市科技局局长张三在唐山市出席科技特派员制度推进会。"


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for p in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(p, folder / p.name)
    (folder / "extra.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def _exports(out: Path) -> dict[str, bytes]:
    """Every file of a build but report.json (whose cache counts differ from build to build)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "report.json"
    }


def _graph(out: Path) -> dict:
    return json.loads((out / "graph.json").read_text(encoding="utf-8"))


class _Payload:
    """Unpickling this runs a shell command that leaves a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# ---------------------------------------------------------------- 13.1 no code from the cache


def _kg_build(src: Path, out: Path, *args: str, res: Path) -> subprocess.CompletedProcess:
    """``kg build`` in a fresh process (this one may hold the resources in memory already)."""
    return subprocess.run(
        [sys.executable, "-m", "kg", "build", str(src), "--out", str(out), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "KG_RESOURCE_CACHE": str(res)},
    )


def test_planted_pickles_in_both_caches_do_not_run_and_change_nothing(tmp_path):
    res, cache = tmp_path / "res", tmp_path / "cache"
    src = _corpus(tmp_path / "in")
    first = tmp_path / "first"
    assert _kg_build(src, first, "--cache-dir", str(cache), res=res).returncode == 0
    marker = tmp_path / "PWNED"
    payload = pickle.dumps(_Payload(marker))
    assert not marker.exists()
    pickle.loads(payload)  # the payload works: unpickling it once leaves the marker
    assert marker.exists()
    marker.unlink()
    planted = []
    for folder in (cache, res):
        for p in [p for p in folder.rglob("*") if p.is_file()]:
            p.write_bytes(payload)  # every entry the build reads
            p.with_suffix(".pkl").write_bytes(payload)  # and where a pickle cache would look
            p.with_suffix(".pickle").write_bytes(payload)
            planted.append(p.name)
    # jieba's dictionary: a mapped table with the compiled extension, JSON without it
    assert any(name.startswith(("jieba-tables-", "jieba-word-table-")) for name in planted) and len(planted) >= 5
    again = tmp_path / "again"
    proc = _kg_build(src, again, "--cache-dir", str(cache), res=res)
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    report = json.loads((again / "report.json").read_text(encoding="utf-8"))
    assert (report["extracted"], report["cached"]) == (3, 0)  # the planted entries were misses
    assert _exports(again) == _exports(first)


def test_a_cache_folder_others_may_write_is_refused_and_the_build_runs_without_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KG_RESOURCE_CACHE", str(tmp_path / "res"))
    src = _corpus(tmp_path / "in")
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    assert main(["build", str(src), "--out", str(tmp_path / "out"), "--cache-dir", str(cache)]) == 0
    err = capsys.readouterr().err
    assert f"kg: warning: not using the cache {cache}: writable by others (mode 777)" in err
    assert not any(cache.iterdir())  # nothing read, nothing stored
    res = tmp_path / "res"
    res.mkdir(exist_ok=True)
    res.chmod(0o770)
    assert resources.usable_folder() is None
    assert "not using the resource cache" in capsys.readouterr().err


def test_a_cache_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    from kg.cache import check_folder

    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    assert check_folder(folder) is None
    monkeypatch.setattr(os, "geteuid", lambda: os.stat(folder).st_uid + 1)  # we are someone else
    assert check_folder(folder).startswith("owned by another user")


def _poison_jieba_dictionary(res: Path) -> None:
    """Replace the kept jieba dictionary by a well-formed one that knows no word (read, it changes the graph)."""
    fast = speedups()
    if fast is not None:  # a mapped table
        (table,) = res.glob("jieba-word-table-*.bin")
        table.write_bytes(fast.build_word_table({"x": 1}, {}, 1))
    else:
        (tables,) = res.glob("jieba-tables-*.json")
        tables.write_bytes(
            json.dumps({"format": 1, "name": "jieba-tables", "value": resources.encode(({"x": 1}, 1, {}))}).encode()
        )


def test_no_resource_cache_reads_and_writes_no_resource_cache(tmp_path):
    """``KG_NO_RESOURCE_CACHE``: a poisoned jieba table in the resource folder is not read, nothing is stored."""
    res = tmp_path / "res"
    src = _corpus(tmp_path / "in")
    env = {**os.environ, "KG_RESOURCE_CACHE": str(res)}
    run = [sys.executable, "-m", "kg", "build", str(src), "--format", "json"]
    subprocess.run([*run, "--out", str(tmp_path / "good")], env=env, check=True, capture_output=True, cwd=ROOT)
    _poison_jieba_dictionary(res)
    before = sorted(p.name for p in res.iterdir())
    proc = subprocess.run(
        [*run, "--out", str(tmp_path / "nocache"), "--no-cache"],
        env={**env, resources.OFF: "1"},
        capture_output=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert _graph(tmp_path / "nocache") == _graph(tmp_path / "good")
    assert sorted(p.name for p in res.iterdir()) == before


def test_no_cache_bypasses_the_extraction_cache_but_keeps_the_resource_cache(tmp_path):
    """``--no-cache`` is about what was read from the corpus: no ``.kg-cache``; jieba's tables are still kept."""
    res = tmp_path / "res"
    src = _corpus(tmp_path / "in")
    env = {k: v for k, v in os.environ.items() if k != resources.OFF}
    env["KG_RESOURCE_CACHE"] = str(res)
    cmd = [sys.executable, "-m", "kg", "build", str(src), "--format", "json", "--out", str(tmp_path / "out")]
    subprocess.run([*cmd, "--no-cache"], env=env, check=True, capture_output=True, cwd=ROOT)
    assert not (tmp_path / ".kg-cache").exists()
    assert list(res.glob("jieba-word-table-*.bin" if speedups() else "jieba-tables-*.json"))


# ---------------------------------------------------------------- 13.2 an entry describes what was extracted


def test_a_run_is_stored_under_the_bytes_extracted_not_those_hashed_before(tmp_path, monkeypatch):
    """The file is edited after the run's key was read and reverted before extraction (and the reverse)."""
    import kg.pipeline

    monkeypatch.setenv("KG_RESOURCE_CACHE", str(tmp_path / "res"))
    src = _corpus(tmp_path / "in")
    edited = "河北日报讯 保定市科技局局长李四在保定市出席创新大会。".encode()
    real = kg.pipeline.read_item

    def seen_edited(item):  # what the build hashed first; the workers read the file as it is
        return edited if item[0] == "extra.txt" else real(item)

    monkeypatch.setattr(kg.pipeline, "read_item", seen_edited)
    build([src], tmp_path / "out", cache_dir=tmp_path / "cache")
    monkeypatch.setattr(kg.pipeline, "read_item", real)
    (src / "extra.txt").write_bytes(edited)  # now the file really is the edited one
    summary = build([src], tmp_path / "out", cache_dir=tmp_path / "cache")
    assert summary.report.extracted >= 1
    build([src], tmp_path / "fresh", use_cache=False)
    assert _graph(tmp_path / "out") == _graph(tmp_path / "fresh")
    assert "李四" in {n["label"] for n in _graph(tmp_path / "out")["nodes"]}


def test_a_file_missing_during_one_build_is_read_by_the_next(tmp_path, monkeypatch):
    import kg.stages

    monkeypatch.setenv("KG_RESOURCE_CACHE", str(tmp_path / "res"))
    src = _corpus(tmp_path / "in")
    real = kg.stages.read_item

    def gone(item):
        if item[0] == "extra.txt":
            raise FileNotFoundError(2, "No such file or directory", item[1])
        return real(item)

    monkeypatch.setattr(kg.stages, "read_item", gone)
    first = build([src], tmp_path / "out", cache_dir=tmp_path / "cache")
    assert ("extra.txt", "No such file or directory") in first.report.skipped
    monkeypatch.setattr(kg.stages, "read_item", real)
    again = build([src], tmp_path / "out", cache_dir=tmp_path / "cache")
    assert not again.report.skipped
    assert "张三" in {n["label"] for n in _graph(tmp_path / "out")["nodes"]}


# ---------------------------------------------------------------- 13.4 inputs cannot trap a build


def test_out_and_cache_inside_the_input_are_not_read(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_RESOURCE_CACHE", str(tmp_path / "res"))
    src = _corpus(tmp_path / "in")
    out, cache = src / "exports", src / "cache"
    args = ["build", str(src), "--out", str(out), "--cache-dir", str(cache), "--glob", "*"]
    assert main(args) == 0
    first = _graph(out)
    for _ in range(2):
        assert main(args) == 0
    again = _graph(out)
    assert len(again["nodes"]) == len(first["nodes"])
    assert [d["id"] for d in again["graph"]["documents"]] == [d["id"] for d in first["graph"]["documents"]]
    assert main(["build", str(out), "--out", str(out)]) == 2  # the output folder as the input


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifos_and_devices_are_skipped_with_a_line(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_RESOURCE_CACHE", str(tmp_path / "res"))
    src = _corpus(tmp_path / "in")
    os.mkfifo(src / "pipe.txt")
    (src / "zero.txt").symlink_to("/dev/zero")
    proc = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(src), "--out", str(tmp_path / "out"), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=240,  # a FIFO used to hang forever, /dev/zero to fill the memory
        cwd=ROOT,
        env={**os.environ, "KG_RESOURCE_CACHE": str(tmp_path / "res")},
    )
    assert proc.returncode == 0, proc.stderr
    assert "skipped pipe.txt: not a file: a FIFO" in proc.stdout
    assert "skipped zero.txt: not a file: a device" in proc.stdout
    assert main(["build", "/dev/zero", "--out", str(tmp_path / "zero")]) == 2  # nothing else to read


def test_a_folder_a_thousand_levels_deep_is_walked(tmp_path):
    deep = tmp_path / "in"
    path = str(deep)
    os.mkdir(path)
    for _ in range(1000):  # one level at a time: Path.mkdir(parents=True) itself recurses
        path += "/d"
        os.mkdir(path)
    with open(path + "/a.txt", "w", encoding="utf-8") as fh:
        fh.write(ARTICLE)
    (deep / "b.txt").write_text(ARTICLE, encoding="utf-8")
    try:
        items = list_items([deep])
        assert [item[0] for item in items] == ["b.txt", "d/" * 1000 + "a.txt"]
    finally:  # bottom up, without recursion: shutil.rmtree (pytest's clean-up) would recurse
        os.unlink(path + "/a.txt")
        while path != str(deep):
            os.rmdir(path)
            path = path.rsplit("/", 1)[0]


def test_an_empty_input_does_not_replace_a_good_graph(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KG_RESOURCE_CACHE", str(tmp_path / "res"))
    src, empty, out = _corpus(tmp_path / "in"), tmp_path / "empty", tmp_path / "out"
    empty.mkdir()
    (empty / "notes.docx").write_bytes(b"PK\x03\x04")  # not a text file: not read
    assert main(["build", str(src), "--out", str(out)]) == 0
    good = _exports(out)
    capsys.readouterr()
    assert main(["build", str(empty), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kg: error: no document was read from") and err.count("\n") == 1, err
    assert f"{out} is left as it was" in err
    assert _exports(out) == good


def test_two_names_that_read_alike_keep_two_document_ids(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_RESOURCE_CACHE", str(tmp_path / "res"))
    src = tmp_path / "in"
    src.mkdir()
    gbk = b"\xba\xd3\xb1\xb1.txt".decode("utf-8", "surrogateescape")  # 河北.txt in GBK
    (src / gbk).write_text("唐山市科技局在唐山市召开会议。", encoding="utf-8")
    (src / "河北.txt").write_text("保定市科技局在保定市召开会议。", encoding="utf-8")
    summary = build([src], tmp_path / "out", formats="json", use_cache=False)
    assert summary.report.documents == 2
    ids = sorted(d["id"] for d in _graph(tmp_path / "out")["graph"]["documents"])
    assert ids == ["\\xbaӱ\\xb1.txt", "河北.txt"]  # the second: its bytes, as they are not UTF-8


def test_cr_only_line_endings_are_line_breaks(tmp_path):
    from kg.textio import read_document

    lines = ["记者 李明", "审核：王强", "河北日报", "省科技厅召开会议。"]
    docs = []
    for name, sep in (("lf.txt", "\n"), ("cr.txt", "\r"), ("crlf.txt", "\r\n")):
        (tmp_path / name).write_text(sep.join(lines), encoding="utf-8", newline="")
        docs.append(read_document(tmp_path / name))
    assert docs[0].text == docs[1].text == docs[2].text
    assert "李明审" not in docs[1].text and "王强河北日报" not in docs[1].text


# ---------------------------------------------------------------- issue 11: the cache key


def test_the_extractor_version_covers_every_module_extraction_runs_and_the_data(tmp_path):
    from kg import cache

    files = {p.relative_to(cache._HERE).as_posix() for p in cache._files()}
    assert {"data/china_divisions.txt", "data/countries.tsv", "data/ner_msra.crfsuite"} <= files
    assert {"lexicon/titles.txt", "extract/places.py", "relations/structure.py", "inputs.py", "textio.py"} <= files
    assert not {"assemble.py", "pipeline.py", "export/html.py", "cli.py", "cache.py"} & files
    # what a worker really loads to read and extract one document, found by running it
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    code = (
        "import sys; from kg.stages import process_path; "
        f"assert process_path(('a.txt', {str(tmp_path / 'a.txt')!r})).status == 'ok'; "
        "print(' '.join(m for m in sys.modules if m.startswith('kg.')))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    loaded = set(proc.stdout.split())
    assert "kg.extract.places" in loaded
    assert loaded - {"kg.cache"} <= set(cache.extraction_modules())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_planted_in_the_caches_is_a_miss_not_a_hang(tmp_path, monkeypatch):
    from kg.cache import DocumentCache
    from kg.model import Document, Extraction

    monkeypatch.setenv("KG_RESOURCE_CACHE", str(tmp_path / "res"))
    (tmp_path / "res").mkdir(mode=0o700)
    os.mkfifo(tmp_path / "res" / "thing-k.json")
    assert resources.load("thing", "k", lambda: 7) == 7
    cache = DocumentCache(tmp_path / "cache")
    ext = Extraction.of(Document(id="a.txt", text="龙奋杰任厅长。", sha256="0" * 64))
    path = cache._path(ext.id, ext.sha256)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    assert cache.get(ext) is None
