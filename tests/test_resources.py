"""The on-disk copies of jieba's tables and of the gazetteer are the same things, and never in the way."""

from __future__ import annotations

import functools
from pathlib import Path

import jieba
import jieba.posseg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import resources, segment
from kg.places import Gazetteer, gazetteer

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


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
    (path,) = folder.glob("thing-k.json")
    path.write_bytes(b"\x80\x05garbage")
    assert resources.load("thing", "k", lambda: "rebuilt") == "rebuilt"
    assert resources.load("thing", "k", lambda: "not again") == "rebuilt"


def test_a_stored_file_its_reader_refuses_is_built_again_and_replaced(folder):
    def read(data):
        if data != "good":
            raise ValueError("not the shape")
        return data.upper()

    assert resources.load("thing", "k", lambda: "bad") == "bad"  # kept as it was built
    assert resources.load("thing", "k", lambda: "good", read=read) == "GOOD"  # refused: built again, replaced
    assert resources.load("thing", "k", lambda: pytest.fail("rebuilt"), read=read) == "GOOD"


def test_a_folder_that_cannot_be_written_costs_time_not_the_run(folder, monkeypatch):
    def refuse(*args):
        raise PermissionError(13, "Permission denied")  # what a read-only folder answers (root is never refused)

    monkeypatch.setattr(resources.os, "replace", refuse)
    assert resources.load("thing", "k", lambda: 42) == 42
    assert resources.load("thing", "k", lambda: 43) == 43  # nothing was stored
    assert not list(folder.glob(".*.tmp"))


def test_a_folder_that_is_a_file_costs_time_not_the_run(folder):
    folder.write_text("not a folder")
    assert resources.load("thing", "k", lambda: 42) == 42


def test_values_come_back_with_their_types_and_objects_are_not_stored(folder):
    value = ({"a": 1, "b": "x"}, 3, [1.5, None, True], {"nested": (1, [2])})
    assert resources.load("plain", "k", lambda: value) == value
    assert resources.load("plain", "k", lambda: pytest.fail("rebuilt")) == value
    assert type(resources.load("plain", "k", list)[3]["nested"]) is tuple
    calls = []
    for _ in range(2):  # an object (or a dict with tuple keys) is built every time, never pickled
        resources.load("object", "k", lambda: calls.append(1) or Gazetteer)
        resources.load("tuple-keys", "k", lambda: calls.append(1) or {("B", "n"): 1.0})
    assert len(calls) == 4
    assert sorted(p.name for p in folder.iterdir()) == ["plain-k.json"]


def test_arrays_and_bytes_come_back_as_they_were(folder):
    from array import array

    value = (array("d", [1.5, float("-inf")]), b"\x00\xff", [array("Q", [1, 2**63]), array("H")])
    assert resources.load("arrays", "k", lambda: value) == value
    loaded = resources.load("arrays", "k", lambda: pytest.fail("rebuilt"))
    assert loaded == value and type(loaded[0]) is array and loaded[0].typecode == "d"
    (folder / "arrays-k.json").write_text('{"format": 1, "name": "arrays", "value": {"A": ["d", "0102"]}}')
    assert resources.load("arrays", "k", lambda: value) == value  # a wrong length: rebuilt


def test_the_compiled_pos_cut_does_not_load_the_hmm_tables(folder):
    if segment.speedups() is None:
        pytest.skip("kg._speedups is not built")
    from kg.posseg import POSTokenizer

    pos = POSTokenizer(segment.tokenizer(), segment._tables()[2], lambda: pytest.fail("loaded"), segment._hmm_arrays())
    text = "厅长龙奋杰在唐山市调研"  # 龙奋杰: cut by the HMM
    assert pos.lcut(text) == segment.pos_tokenizer().lcut(text)


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


def test_posseg_hmm_from_the_cache_is_jiebas_own(folder):
    for hmm in (segment._hmm.__wrapped__(), segment._hmm.__wrapped__()):  # built, then loaded
        assert hmm == (jieba.posseg.char_state_tab_P, jieba.posseg.start_P, jieba.posseg.trans_P, jieba.posseg.emit_P)


@functools.lru_cache(maxsize=1)
def _reference():
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())


@pytest.fixture
def reference():
    return _reference()


def _assert_cuts_alike(text, ref):
    for hmm in (True, False):
        assert segment.pos_tokenizer().lcut(text, HMM=hmm) == [(w.word, w.flag) for w in ref.cut(text, HMM=hmm)]
    assert list(segment.tokenizer().cut(text, HMM=False)) == list(ref.tokenizer.cut(text, HMM=False))


def test_kg_tokenizers_cut_the_seeds_like_jieba(reference):
    text = "河北省科学技术厅厅长龙奋杰在唐山市玉田县调研科技特派员工作。"
    _assert_cuts_alike(text, reference)
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            _assert_cuts_alike(line, reference)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("河北省科技厅唐山市张王李村镇研究院有限公司的了在和与，。、 \r\n\t1.5aBc#&_+-（）《》·")
        ),
        max_size=40,
    )
)
def test_kg_pos_cut_is_jiebas_on_any_text(text):
    _assert_cuts_alike(text, _reference())


def test_the_cached_gazetteer_matches_a_fresh_one():
    text = "河北省唐山市玉田县彩虹镇与北京市、天津以及日本的合作"
    fresh, cached = Gazetteer(), gazetteer()
    assert list(cached.find(text)) == list(fresh.find(text))
    for name in ("唐山", "玉田", "彩虹镇", "日本", "北京"):
        assert cached.lookup(name) == fresh.lookup(name)


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: {**t, "index": [0, 1]},  # a list where an array belongs
        lambda t: {**t, "first": t["first"][:-1]},  # one name short
        lambda t: {**t, "index": t["index"][:-1] + type(t["index"])("I", [10**6])},  # a row that is not there
        lambda t: {k: v for k, v in t.items() if k != "lengths"},
    ],
)
def test_gazetteer_tables_of_the_wrong_shape_are_built_again(folder, damage):
    from kg import places

    text = "河北省唐山市玉田县彩虹镇与北京市、天津以及日本的合作"
    expected = Gazetteer()
    places.gazetteer.cache_clear()
    try:
        places.gazetteer()  # builds and keeps the tables
        good = resources.load("gazetteer-tables", places._key(places._files.data_dir()), lambda: pytest.fail("rebuilt"))
        (path,) = folder.glob("gazetteer-tables-*.json")
        path.write_bytes(
            resources.orjson.dumps({"format": 1, "name": "gazetteer-tables", "value": resources.encode(damage(good))})
        )
        places.gazetteer.cache_clear()
        g = places.gazetteer()
        assert g.find(text) == expected.find(text) and g.lookup("唐山") == expected.lookup("唐山")
    finally:
        places.gazetteer.cache_clear()


@st.composite
def hmms(draw):
    """Small HMMs in jieba's shape, with impossible (-inf) starts and transitions among the scores."""
    score = st.one_of(st.just(float("-inf")), st.floats(-20, 0), st.sampled_from([-1.0, -2.0]))
    names = [("B", "n"), ("E", "n"), ("S", "v"), ("S", "x")]
    start = {s: draw(score) for s in names}
    trans = {s: {t: draw(score) for t in draw(st.sets(st.sampled_from(names), min_size=1))} for s in names}
    emit = {s: {c: draw(st.floats(-20, 0)) for c in draw(st.sets(st.sampled_from("abc")))} for s in names}
    states = {c: tuple(draw(st.sets(st.sampled_from(names), min_size=1))) for c in draw(st.sets(st.sampled_from("ab")))}
    return states, start, trans, emit


@settings(max_examples=300, derandomize=True, deadline=None)
@given(hmms(), st.text(alphabet="abcd", min_size=1, max_size=8))
def test_kg_viterbi_is_jiebas_on_any_hmm(hmm, text):
    from jieba.posseg.viterbi import viterbi as jieba_viterbi

    from kg.posseg import viterbi

    try:
        expected = jieba_viterbi(text, *hmm)
    except ValueError:  # jieba finds no path (max of nothing): kg must not invent one
        with pytest.raises(ValueError):
            viterbi(text, *hmm)
        return
    assert viterbi(text, *hmm) == expected


def _tag_seeds(tagger) -> list:
    return tagger.tag_many([p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))])


def test_the_kept_tagger_model_tags_as_the_model_file_does(folder):
    from kg import ner

    built = _tag_seeds(ner.CrfTagger())  # builds the model from its file and keeps it
    assert len(list(folder.glob("ner-model-*.json"))) == 1
    model, keys = ner._load_model(ner.DEFAULT_MODEL_PATH)
    kept = ner.CrfTagger()
    kept_model, kept_keys = ner._from_state(resources.load("ner-model", "k", lambda: ner._model_state(kept.model_path)))
    assert vars(kept_model) == vars(model) and vars(kept_keys) == vars(keys)
    assert _tag_seeds(kept) == built and any(built)


@pytest.mark.parametrize(
    "damage",
    [
        lambda m, k: (m, {**k, "ids": k["ids"][:-1] + type(k["ids"])("i", [10**6])}),  # an attribute that is not there
        lambda m, k: ({**m, "state": m["state"][:-1]}, k),  # cut short
        lambda m, k: ({**m, "attributes": {**m["attributes"], "x": "1"}}, k),
        lambda m, k: ({**m, "extra": 1}, k),  # a field this code does not know
        lambda m, k: ({**m, "labels": m["labels"][:-1]}, k),
    ],
)
def test_a_damaged_kept_tagger_model_is_built_again(folder, damage):
    from kg import ner

    expected = _tag_seeds(ner.CrfTagger())
    (path,) = folder.glob("ner-model-*.json")
    good = resources.load("ner-model", path.stem[len("ner-model-") :], lambda: pytest.fail("rebuilt"))
    value = resources.encode(damage(*good))
    path.write_bytes(resources.orjson.dumps({"format": 1, "name": "ner-model", "value": value}))
    with pytest.raises(ValueError):
        ner._from_state(resources.load("ner-model", path.stem[len("ner-model-") :], lambda: pytest.fail("rebuilt")))
    assert _tag_seeds(ner.CrfTagger()) == expected


# --- binary resources, mapped ----------------------------------------------------------------


def _checked(data) -> bytes:
    if bytes(data[:4]) != b"GOOD":
        raise ValueError("not the shape")
    return bytes(data)


def test_a_mapped_resource_is_built_once_then_mapped(folder):
    calls = []

    def build():
        calls.append(1)
        return b"GOOD and long"

    assert resources.load_mapped("blob", "k", build, _checked) == b"GOOD and long"
    assert resources.load_mapped("blob", "k", build, _checked) == b"GOOD and long"
    assert len(calls) == 1
    assert [p.name for p in folder.iterdir()] == ["blob-k.bin"]


@pytest.mark.parametrize("damage", [b"", b"GO", b"BAD!!!!!"])
def test_a_mapped_file_that_is_empty_cut_short_or_refused_is_built_again(folder, damage):
    resources.load_mapped("blob", "k", lambda: b"GOOD first", _checked)
    (folder / "blob-k.bin").write_bytes(damage)
    assert resources.load_mapped("blob", "k", lambda: b"GOOD again", _checked) == b"GOOD again"
    assert resources.load_mapped("blob", "k", lambda: pytest.fail("rebuilt"), _checked) == b"GOOD again"


def test_a_fifo_planted_as_a_mapped_file_does_not_block(folder):
    import os

    folder.mkdir(parents=True, mode=0o700)
    os.mkfifo(folder / "blob-k.bin")
    assert resources.load_mapped("blob", "k", lambda: b"GOOD built", _checked) == b"GOOD built"


def test_mapped_resources_without_a_folder_are_built_in_the_process(folder, monkeypatch):
    monkeypatch.setenv(resources.OFF, "1")
    calls = []
    for _ in range(2):
        resources.load_mapped("blob", "k", lambda: calls.append(1) or b"GOOD", _checked)
    assert len(calls) == 2
    assert not folder.exists()


def test_jiebas_dictionary_is_one_mapped_table_shared_by_the_tokenizers(folder):
    fast = segment.speedups()
    if fast is None:
        pytest.skip("kg._speedups is not built")
    built = segment._word_table.__wrapped__()
    mapped = segment._word_table.__wrapped__()  # from the file this time
    (path,) = folder.glob("jieba-word-table-*.bin")
    assert path.read_bytes() == fast.build_word_table(*[segment._build_tables()[i] for i in (0, 2, 1)])
    for table in (built, mapped):
        assert len(table) == len(segment._tables()[0])
        assert table.get("天津") == segment._tables()[0]["天津"] and table.tag("天津") == "ns"
    assert segment.tokenizer().FREQ is segment._word_table()


def test_only_the_most_recently_used_versions_of_a_resource_are_kept(folder):
    import os

    keys = [f"{i:020x}" for i in range(5)]
    resources.load("thing", keys[0], lambda: [1])
    for key in keys[1:4]:
        (folder / f"thing-{key}.json").write_bytes((folder / f"thing-{keys[0]}.json").read_bytes())
    (folder / f"thing-{'f' * 20}.pickle").write_bytes(b"what an older kg kept")
    for age, name in enumerate([f"thing-{'f' * 20}.pickle"] + [f"thing-{key}.json" for key in keys[:4]]):
        os.utime(folder / name, (1e9 + age, 1e9 + age))  # all built long ago, in this order
    (folder / f"thing-more-{keys[0]}.json").write_bytes(b"another resource")
    (folder / "thing-notakey.json").write_bytes(b"not one of kg's names")
    resources.load("thing", keys[0], lambda: pytest.fail("rebuilt"))  # the oldest, used again now
    resources.load_mapped("thing", keys[4], lambda: b"GOOD", _checked)  # a fifth version: the others pruned
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [
            f"thing-{keys[0]}.json",  # just used
            f"thing-{keys[3]}.json",  # the most recent of the others
            f"thing-{keys[4]}.bin",  # just written
            f"thing-more-{keys[0]}.json",  # another resource's
            "thing-notakey.json",
        ]
    )
