"""The on-disk copies of jieba's tables and of the gazetteer are the same things, and never in the way."""

from __future__ import annotations

import os
import stat

import jieba
import jieba.posseg
import pytest

from kg import resources, segment
from kg.places import Gazetteer, gazetteer


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_RESOURCE_CACHE", str(tmp_path / "res"))
    return tmp_path / "res"


def test_a_stored_resource_is_built_once(folder):
    calls = []

    def build():
        calls.append(1)
        return {"x": [1, 2]}

    assert resources.load("thing", "k1", build) == {"x": [1, 2]}
    assert resources.load("thing", "k1", build) == {"x": [1, 2]}
    assert len(calls) == 1
    resources.load("thing", "k2", build)  # another key: built again
    assert len(calls) == 2


def test_a_damaged_file_is_rebuilt(folder):
    resources.load("thing", "k", lambda: "first")
    (path,) = folder.glob("thing-k.pickle")
    path.write_bytes(b"\x80\x05garbage")
    assert resources.load("thing", "k", lambda: "rebuilt") == "rebuilt"
    assert resources.load("thing", "k", lambda: "not again") == "rebuilt"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_folder_that_cannot_be_written_costs_time_not_the_run(folder):
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert resources.load("thing", "k", lambda: 42) == 42
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_folder_that_is_a_file_costs_time_not_the_run(folder):
    folder.write_text("not a folder")
    assert resources.load("thing", "k", lambda: 42) == 42


def test_the_key_follows_the_files(tmp_path):
    f = tmp_path / "dict.txt"
    f.write_text("a 1 n\n")
    before = resources.file_key(f)
    f.write_text("a 2 n\nb 1 v\n")
    assert resources.file_key(f) != before


def test_jieba_tables_from_the_cache_are_jiebas_own(folder):
    stored = resources.load("jieba-tables", "test", segment._build_tables)
    loaded = resources.load("jieba-tables", "test", lambda: pytest.fail("rebuilt"))
    ref = jieba.Tokenizer()
    ref.initialize()
    pos = jieba.posseg.POSTokenizer(ref)
    for tables in (stored, loaded):
        freq, total, tags = tables
        assert freq == ref.FREQ and total == ref.total and tags == pos.word_tag_tab


def test_kg_tokenizers_cut_like_jieba():
    text = "河北省科学技术厅厅长龙奋杰在唐山市玉田县调研科技特派员工作。"
    ref = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    assert [(w.word, w.flag) for w in segment.pos_tokenizer().cut(text)] == [(w.word, w.flag) for w in ref.cut(text)]
    assert list(segment.tokenizer().cut(text, HMM=False)) == list(ref.tokenizer.cut(text, HMM=False))


def test_the_cached_gazetteer_matches_a_fresh_one():
    text = "河北省唐山市玉田县彩虹镇与北京市、天津以及日本的合作"
    fresh, cached = Gazetteer(), gazetteer()
    assert list(cached.find(text)) == list(fresh.find(text))
    for name in ("唐山", "玉田", "彩虹镇", "日本", "北京"):
        assert cached.lookup(name) == fresh.lookup(name)
