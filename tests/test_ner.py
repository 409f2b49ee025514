"""The character CRF tagger: what users see on plain sentences, offsets, chunking, training."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.ner import (
    DEFAULT_MODEL_PATH,
    ENTITY_TYPES,
    MAX_CHUNK,
    CrfTagger,
    default_tagger,
    normalize_char,
    normalize_text,
    spans_to_tags,
    split_chunks,
    tags_to_spans,
)

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
needs_model = pytest.mark.skipif(not DEFAULT_MODEL_PATH.is_file(), reason="packaged NER model not trained")


def found(text: str, tagger: CrfTagger | None = None) -> set[tuple[str, str]]:
    return {(text[s:e], t) for s, e, t in (tagger or default_tagger()).tag(text)}


# (sentence, entities that must be found as (surface, type))
SENTENCES = [
    ("国务院总理李克强在北京会见了日本首相。", {("李克强", "PER"), ("北京", "LOC"), ("日本", "LOC")}),
    ("清华大学校长王希勤出席了开幕式。", {("清华大学", "ORG"), ("王希勤", "PER")}),
    ("河北省科学技术厅在石家庄召开座谈会。", {("河北省科学技术厅", "ORG"), ("石家庄", "LOC")}),
    ("中国人民银行宣布下调存款准备金率。", {("中国人民银行", "ORG")}),
    ("张伟和李娜昨天从上海飞往广州。", {("张伟", "PER"), ("李娜", "PER"), ("上海", "LOC"), ("广州", "LOC")}),
    ("他毕业于北京大学，现任阿里巴巴集团副总裁。", {("北京大学", "ORG"), ("阿里巴巴集团", "ORG")}),
    ("记者从唐山市玉田县获悉，该县今年新建了三所学校。", {("唐山市", "LOC"), ("玉田县", "LOC")}),
]


@needs_model
@pytest.mark.parametrize(("text", "expected"), SENTENCES, ids=[s for s, _ in SENTENCES])
def test_sentences(text: str, expected: set[tuple[str, str]]) -> None:
    assert expected <= found(text)


@needs_model
def test_no_entities_in_plain_text() -> None:
    assert default_tagger().tag("今天天气很好，我们一起去散步吧。") == []
    assert default_tagger().tag("") == []
    assert default_tagger().tag("   \n  ") == []


@needs_model
@pytest.mark.parametrize("text", [s for s, _ in SENTENCES] + ["ＮＢＡ球星姚明回到上海。", "㈱東京\u3000２０２４年"])
def test_offsets_valid_and_deterministic(text: str) -> None:
    spans = default_tagger().tag(text)
    assert spans == sorted(spans)
    for s, e, t in spans:
        assert 0 <= s < e <= len(text)
        assert t in ENTITY_TYPES
        assert text[s:e].strip()
    assert CrfTagger().tag(text) == spans  # a fresh instance gives the same answer


@needs_model
def test_full_width_input_tags_like_half_width() -> None:
    assert default_tagger().tag("ＮＢＡ球星姚明回到上海。") == default_tagger().tag("NBA球星姚明回到上海。")


@needs_model
def test_long_text_chunks_keep_offsets() -> None:
    sentences = [f"第{i}次会议上，李克强在北京会见了日本首相。" for i in range(250)]
    text = "".join(sentences)
    assert len(text) > 5000
    spans = default_tagger().tag(text)
    expected = []
    offset = 0
    for sent in sentences:
        expected += [(offset + s, offset + e, t) for s, e, t in default_tagger().tag(sent)]
        offset += len(sent)
    assert spans == expected
    assert sum(text[s:e] == "李克强" for s, e, _ in spans) == 250


@needs_model
def test_text_without_punctuation_is_still_tagged() -> None:
    text = "李克强在北京会见了日本首相" * 400
    spans = default_tagger().tag(text)
    assert all(0 <= s < e <= len(text) for s, e, _ in spans)
    assert sum(text[s:e] == "北京" for s, e, _ in spans) > 300


@needs_model
def test_tag_many() -> None:
    texts = [s for s, _ in SENTENCES]
    assert default_tagger().tag_many(texts) == [default_tagger().tag(t) for t in texts]


def test_split_chunks_cover_text_and_respect_limit() -> None:
    text = ("甲" * 450) + "。" + ("乙，" * 150) + "丙！\n丁"
    chunks = list(split_chunks(text))
    assert chunks[0][0] == 0 and chunks[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:], strict=False))
    assert all(0 < e - s <= MAX_CHUNK for s, e in chunks)


@pytest.mark.parametrize("text", ["ＡＢＣ１２３", "㈱㍿ﬁ①", "İstanbul", "北京\u3000上海", "e\u0301", "😀中文", "Ⅻ月"])
def test_normaliser_keeps_length(text: str) -> None:
    norm = normalize_text(text)
    assert len(norm) == len(text)
    assert all(len(normalize_char(c)) == 1 for c in text)


def test_normaliser_maps_width_and_case() -> None:
    assert normalize_text("ＡＢＣ１２３，") == "abc123,"


@pytest.mark.parametrize("scheme", ["BIO", "BIOES"])
def test_tags_round_trip(scheme: str) -> None:
    spans = [(0, 3, "ORG"), (3, 4, "PER"), (6, 8, "LOC")]
    assert tags_to_spans(spans_to_tags(9, spans, scheme)) == spans


def test_missing_model_names_training_command(tmp_path: Path) -> None:
    tagger = CrfTagger(tmp_path / "absent.crfsuite")  # constructing is free: loading is lazy
    with pytest.raises(FileNotFoundError, match="train_ner.py"):
        tagger.tag("北京")


def _synthetic_jsonl(path: Path, n: int = 50) -> None:
    people = ["王小明", "李红", "张建国", "刘芳", "陈东"]
    places = ["北京", "上海", "河北省", "唐山市", "南京"]
    orgs = ["北京大学", "华北理工大学", "人民银行", "科学技术厅", "钢铁公司"]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            per, loc, org = people[i % 5], places[(i // 5) % 5], orgs[(i * 3) % 5]
            text = f"{per}在{loc}的{org}工作。"
            a = len(per) + 1
            b = a + len(loc) + 1
            ents = [
                {"start": 0, "end": len(per), "type": "PER"},
                {"start": a, "end": a + len(loc), "type": "LOC"},
                {"start": b, "end": b + len(org), "type": "ORG"},
            ]
            fh.write(json.dumps({"text": text, "entities": ents}, ensure_ascii=False) + "\n")


def test_training_script_end_to_end(tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    out = tmp_path / "model" / "ner.crfsuite"
    _synthetic_jsonl(train)
    cmd = [sys.executable, str(ROOT / "scripts" / "train_ner.py"), "--train", str(train), "--out", str(out)]
    subprocess.run([*cmd, "--iterations", "5"], check=True, cwd=ROOT, capture_output=True, timeout=60)
    assert out.is_file() and out.stat().st_size > 0
    text = "张建国在上海的北京大学工作。"
    spans = CrfTagger(out).tag(text)
    assert all(0 <= s < e <= len(text) and t in ENTITY_TYPES for s, e, t in spans)
    # Same data, same options: the same model bytes.
    out2 = tmp_path / "again.crfsuite"
    subprocess.run([*cmd[:-1], str(out2), "--iterations", "5"], check=True, cwd=ROOT, capture_output=True, timeout=60)
    assert out2.read_bytes() == out.read_bytes()


# --- kg.crf decodes exactly what python-crfsuite decodes -----------------------------------

_MIXED = (
    "河北省科学技术厅厅长龙奋杰在唐山市玉田县彩虹镇调研华北理工大学和开元公司的科技特派员工作"
    "王李张刘陈杨黄赵吴周一二三十百万0123456789ABCxyz，。、；：！？（）《》“”·—\u3000 \t\n"
    "㈱ＡＢＣ１２３😀é\u0301İ\x7f"
)


def _reference_labels(model_path: Path, text: str) -> list[list[str]]:
    import pycrfsuite

    from kg.ner import char_features

    ref = pycrfsuite.Tagger()
    ref.open(str(model_path))
    norm = normalize_text(text)
    return [ref.tag(char_features(norm[s:e])) for s, e in split_chunks(norm) if norm[s:e].strip()]


def _pieces(text: str) -> list[str]:
    norm = normalize_text(text)
    return [norm[s:e] for s, e in split_chunks(norm) if norm[s:e].strip()]


def _decoders() -> list:
    """Every route kg can decode with here: the compiled one (when built) and the pure-Python one."""
    from kg.ner import _load_model, compiled_decoder, python_decoder

    model, keys = _load_model(DEFAULT_MODEL_PATH)
    routes = [python_decoder(model)]
    compiled = compiled_decoder(model, keys)
    if compiled is not None:
        routes.append(compiled)
    return [(model, route) for route in routes]


DECODERS = _decoders() if DEFAULT_MODEL_PATH.is_file() else []


def _our_labels(model, decode, text: str) -> list[list[str]]:
    return [[model.labels[y] for y in labels] for labels in decode(_pieces(text))]


def test_the_compiled_decoder_is_built() -> None:
    """CI builds kg with its extension (pip install -e .); a build that silently lost it would be slow."""
    from kg import crf

    assert crf.speedups() is not None or os.environ.get("KG_PURE_PYTHON"), "kg._speedups is not built"


@needs_model
def test_model_reader_agrees_with_pycrfsuite() -> None:
    import pycrfsuite

    from kg.crf import CrfModel

    info = pycrfsuite.Tagger()
    info.open(str(DEFAULT_MODEL_PATH))
    dump = info.info()
    model = CrfModel(DEFAULT_MODEL_PATH)
    assert sorted(model.labels) == sorted(dump.labels) and set(model.attributes) == set(dump.attributes)
    y = {label: i for i, label in enumerate(model.labels)}
    for (a, label), w in list(dump.state_features.items())[:2000]:
        assert model.weight(model.attributes[a], y[label]) == pytest.approx(w, abs=1e-6)  # the dump prints %f
    for (a, b), w in dump.transitions.items():
        assert model.transition[y[a] * model.n_labels + y[b]] == pytest.approx(w, abs=1e-6)


@needs_model
def test_decoders_give_pycrfsuites_labels_on_seeds_and_odd_text() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += [_MIXED, _MIXED[::-1], "王", "。", "北京" * 150, "a\x02b\x03c王小明在北京"]
    for text in texts:
        reference = _reference_labels(DEFAULT_MODEL_PATH, text)
        for model, decode in DECODERS:
            assert _our_labels(model, decode, text) == reference
    # python-crfsuite cannot take a lone surrogate at all; kg tags around it
    odd = "a\ud800b王小明\udfff在北京"
    assert all(0 <= s < e <= len(odd) for s, e, _ in CrfTagger().tag(odd))


@needs_model
@pytest.mark.parametrize("name", ["peoples_daily_dev", "cluener_dev_a", "resume_dev"])
def test_decoders_give_pycrfsuites_labels_on_the_eval_sets(name: str) -> None:
    path = EVAL / f"{name}.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    with path.open(encoding="utf-8") as fh:
        texts = [json.loads(line)["text"] for line in fh if line.strip()][:400]
    pieces = [p for t in texts for p in _pieces(t)]
    import pycrfsuite

    from kg.ner import char_features

    ref = pycrfsuite.Tagger()
    ref.open(str(DEFAULT_MODEL_PATH))
    reference = [ref.tag(char_features(p)) for p in pieces]
    for model, decode in DECODERS:
        assert [[model.labels[y] for y in labels] for labels in decode(pieces)] == reference


@needs_model
@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(list(_MIXED)) | st.characters(exclude_categories=("Cs",)), max_size=80).map("".join))
def test_decoders_give_pycrfsuites_labels_on_any_text(text: str) -> None:
    reference = _reference_labels(DEFAULT_MODEL_PATH, text)
    for model, decode in DECODERS:
        assert _our_labels(model, decode, text) == reference


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path: Path) -> None:
    from kg.crf import CrfModel, ModelError

    model = DEFAULT_MODEL_PATH.read_bytes()
    for data in (b"", b"lCRF", b"not a model at all" * 10, model[:200], model[: len(model) // 2], model[:-100]):
        bad = tmp_path / "bad.crfsuite"
        bad.write_bytes(data)
        with pytest.raises(ModelError):
            CrfModel(bad)


@needs_model
def test_compiled_tagging_gives_the_python_steps_spans() -> None:
    """The compiled tag_many (normalise, chunk, decode, spans in one pass) against the Python steps around the decoder."""
    compiled = CrfTagger()
    compiled._crf()
    if compiled._fast is None:
        pytest.skip("kg._speedups is not built")
    steps = CrfTagger()
    steps._crf()
    steps._fast = None
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    for name in ("peoples_daily_dev", "cluener_dev_a", "resume_dev", "duie_kg_a"):
        path = EVAL / f"{name}.jsonl"
        if path.is_file():
            with path.open(encoding="utf-8") as fh:
                texts += [json.loads(line)["text"] for _, line in zip(range(300), fh)]
    texts += ["", "   \n  ", "李克强在北京会见了日本首相" * 400, ("甲" * 450) + "。" + ("乙，" * 150) + "丙！\n丁"]
    texts += ["ＮＢＡ球星姚明回到上海。", "a\ud800b王小明\udfff在北京", "😀中文王小明在上海", "\x02王小明\x03", _MIXED]
    assert compiled.tag_many(texts) == steps.tag_many(texts)
    assert compiled.tag_many(iter(texts[:5])) == steps.tag_many(texts[:5])
