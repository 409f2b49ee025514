"""A small character CRF tagger for persons, places and organizations (PER/LOC/ORG).

Why a character CRF: jieba.posseg's name/place/organization tags come from a word
dictionary and miss most multi-word organizations and unseen names (People's Daily dev
F1 0.54).  A character-level CRF trained on the MSRA news corpus needs no segmentation,
is small (a few MB), fast and deterministic. It is trained with python-crfsuite by
``scripts/train_ner.py``; the model file ships as package data and is decoded by
:mod:`kg.crf` (the same labels as python-crfsuite's tagger, in less time).

Text is ground truth, so every span is a pair of character offsets into the text the
caller passed, end exclusive.  Characters are normalised one at a time (see
:func:`normalize_char`), never as a whole string, so offsets never move.

>>> tagger = CrfTagger()
>>> text = "国务院总理李克强在北京会见了日本首相。"
>>> [(text[s:e], t) for s, e, t in tagger.tag(text)]  # doctest: +SKIP
[('国务院', 'ORG'), ('李克强', 'PER'), ('北京', 'LOC'), ('日本', 'LOC')]
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache, partial
from pathlib import Path

import numpy as np

from kg import crf, resources
from kg.crf import CrfModel
from kg.resources import NER_MODEL

#: The model shipped with the package (``kg/data``); retrain with the command below.
DEFAULT_MODEL_PATH = NER_MODEL
TRAIN_COMMAND = "pip install -e '.[train]' && python scripts/train_ner.py --train ../shared/train/msra_train.jsonl --out kg/data/ner_msra.crfsuite"

ENTITY_TYPES = ("PER", "LOC", "ORG")

#: Sentence-final punctuation where long text is cut into chunks (after normalisation,
#: so the full-width forms ！？； arrive here as ! ? ;).
_SENTENCE_END = frozenset("。！？；!?;\n")
#: Weaker break points, used only when a sentence is longer than the chunk limit.
_CLAUSE_END = frozenset("，、,：: \t")
MAX_CHUNK = 200

# General Chinese knowledge used as features (never names of specific entities).
#: Common single-character Chinese surnames (roughly the 120 most frequent).
SURNAME_CHARS = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单"
)
#: Characters that commonly end a place name (administrative units and geographic features).
PLACE_SUFFIX_CHARS = frozenset("省市县区镇村乡州国岛山河湖江海洋洲盟旗屯庄寨街路港湾峡岭原峰")
#: Characters that commonly end an organization name.
ORG_SUFFIX_CHARS = frozenset("部委局厅院校司会团社所行队党军报台馆厂署办处科室站中心组协联盟")
#: Chinese numeral characters (dates, counts, ordinal names).
_CN_DIGITS = frozenset("零〇一二三四五六七八九十百千万亿两")


@lru_cache(maxsize=8192)
def normalize_char(ch: str) -> str:
    """NFKC of one character, lower-cased, kept only when the result is still one character.

    Why: the MSRA training text has half-width digits and letters while other corpora use
    full-width ones; per-character normalisation makes them the same feature without ever
    changing the text length (whole-string NFKC turns e.g. '㈱' into three characters and
    shifts every offset after it).

    >>> normalize_char("Ａ"), normalize_char("１"), normalize_char("㈱"), normalize_char("中")
    ('a', '1', '㈱', '中')
    """
    n = unicodedata.normalize("NFKC", ch)
    if len(n) != 1:
        return ch
    low = n.lower()
    return low if len(low) == 1 else n


def normalize_text(text: str) -> str:
    """Normalise ``text`` character by character; the result has the same length.

    >>> normalize_text("ＮＢＡ２０２４年") == "nba2024年"
    True
    """
    return "".join(map(normalize_char, text))


def char_class(ch: str) -> str:
    """A coarse class of a (normalised) character: han, cnum, digit, latin, space, punct or other."""
    if ch in _CN_DIGITS:
        return "cnum"
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FA1F or 0xF900 <= o <= 0xFAFF:
        return "han"
    if ch.isdigit():
        return "digit"
    if ch.isalpha():
        return "latin"
    if ch.isspace():
        return "space"
    cat = unicodedata.category(ch)
    if cat[0] in "PS":
        return "punct"
    return "other"


def char_features(text: str) -> list[list[str]]:
    """CRF features for every character of an already normalised ``text``.

    Why these: character n-grams in a ±2 window carry almost all the signal for Chinese
    NER; the character class generalises digits and Latin runs; surname and suffix flags
    are general knowledge that helps names and organizations never seen in training.
    Features are plain strings (binary attributes), the fastest form for python-crfsuite.
    """
    n = len(text)
    pad = "\x02\x02" + text + "\x03\x03"  # start/end sentinels, never in normalised text
    cls = ["B", "B"] + [char_class(c) for c in text] + ["E", "E"]
    out: list[list[str]] = []
    for i in range(n):
        j = i + 2
        c_2, c_1, c0, c1, c2 = pad[j - 2], pad[j - 1], pad[j], pad[j + 1], pad[j + 2]
        k_1, k0, k1 = cls[j - 1], cls[j], cls[j + 1]
        f = [
            "b",
            "u0=" + c0,
            "u-1=" + c_1,
            "u1=" + c1,
            "u-2=" + c_2,
            "u2=" + c2,
            "b-2=" + c_2 + c_1,
            "b-1=" + c_1 + c0,
            "b0=" + c0 + c1,
            "b1=" + c1 + c2,
            "t0=" + c_1 + c0 + c1,
            "k0=" + k0,
            "k-1k0=" + k_1 + k0,
            "k0k1=" + k0 + k1,
        ]
        if c0 in SURNAME_CHARS:
            f.append("sn0")
        if c_1 in SURNAME_CHARS:
            f.append("sn-1")
        if c_2 in SURNAME_CHARS:
            f.append("sn-2")
        if c0 in PLACE_SUFFIX_CHARS:
            f.append("ls0")
        if c1 in PLACE_SUFFIX_CHARS:
            f.append("ls1")
        if c0 in ORG_SUFFIX_CHARS:
            f.append("os0")
        if c1 in ORG_SUFFIX_CHARS:
            f.append("os1")
        out.append(f)
    return out


def spans_to_tags(length: int, spans: Iterable[tuple[int, int, str]], scheme: str = "BIOES") -> list[str]:
    """Per-character labels for ``spans`` (start, end exclusive, type); overlapping spans are skipped.

    >>> spans_to_tags(6, [(0, 2, "LOC"), (3, 4, "PER"), (4, 6, "ORG")])
    ['B-LOC', 'E-LOC', 'O', 'S-PER', 'B-ORG', 'E-ORG']
    >>> spans_to_tags(4, [(0, 3, "ORG")], scheme="BIO")
    ['B-ORG', 'I-ORG', 'I-ORG', 'O']
    """
    if scheme not in ("BIO", "BIOES"):
        raise ValueError(f"unknown tagging scheme {scheme!r} (use BIO or BIOES)")
    tags = ["O"] * length
    for start, end, typ in sorted(spans):
        if not 0 <= start < end <= length or any(t != "O" for t in tags[start:end]):
            continue
        if scheme == "BIO":
            tags[start:end] = ["B-" + typ] + ["I-" + typ] * (end - start - 1)
        elif end - start == 1:
            tags[start] = "S-" + typ
        else:
            tags[start:end] = ["B-" + typ] + ["I-" + typ] * (end - start - 2) + ["E-" + typ]
    return tags


def tags_to_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Spans from BIO or BIOES labels, leniently: a broken sequence still yields its entity.

    >>> tags_to_spans(["B-LOC", "E-LOC", "O", "S-PER", "B-ORG", "I-ORG", "O", "I-PER"])
    [(0, 2, 'LOC'), (3, 4, 'PER'), (4, 6, 'ORG'), (7, 8, 'PER')]
    """
    spans: list[tuple[int, int, str]] = []
    start, typ = -1, ""
    for i, tag in enumerate(tags):
        if tag == "O":
            if start >= 0:
                spans.append((start, i, typ))
            start = -1
            continue
        prefix, _, t = tag.partition("-")
        if prefix in ("B", "S") or start < 0 or t != typ:
            if start >= 0:
                spans.append((start, i, typ))
            start, typ = i, t
        if prefix in ("E", "S"):
            spans.append((start, i + 1, typ))
            start = -1
    if start >= 0:
        spans.append((start, len(tags), typ))
    return spans


def split_chunks(text: str, max_len: int = MAX_CHUNK) -> Iterator[tuple[int, int]]:
    """(start, end) pieces of ``text`` cut after sentence punctuation, none longer than ``max_len``.

    Why: CRF decoding is linear in length, but one call on a whole article wastes memory
    and the model was trained on sentences; overlong sentences are cut at a comma or
    space when possible, else hard at ``max_len``.  Pieces cover the text exactly.

    >>> list(split_chunks("你好。再见！"))
    [(0, 3), (3, 6)]
    """
    n = len(text)
    start = 0
    while start < n:
        end = start
        limit = min(n, start + max_len)
        while end < limit:
            end += 1
            if text[end - 1] in _SENTENCE_END:
                break
        if end == limit and end < n and text[end - 1] not in _SENTENCE_END:
            for k in range(end - 1, start + max_len // 2, -1):
                if text[k] in _CLAUSE_END:
                    end = k + 1
                    break
        yield start, end
        start = end


#: The templates of :func:`char_features`, in its order: (name, the window it reads).
_TEMPLATES = (
    ("u0", "c0"),
    ("u-1", "c_1"),
    ("u1", "c1"),
    ("u-2", "c_2"),
    ("u2", "c2"),
    ("b-2", "c_2 c_1"),
    ("b-1", "c_1 c0"),
    ("b0", "c0 c1"),
    ("b1", "c1 c2"),
    ("t0", "c_1 c0 c1"),
    ("k0", "k0"),
    ("k-1k0", "k_1 k0"),
    ("k0k1", "k0 k1"),
)
#: The flags of :func:`char_features`, in its order: (name, the window character, its bit in ``_flag_bits``).
_FLAGS = (
    ("sn0", "c0", 1),
    ("sn-1", "c_1", 1),
    ("sn-2", "c_2", 1),
    ("ls0", "c0", 2),
    ("ls1", "c1", 2),
    ("os0", "c0", 4),
    ("os1", "c1", 4),
)
#: Largest key space looked up through a direct table rather than by binary search.
_DENSE = 1 << 16
#: Every class :func:`char_class` gives, and the start/end padding classes of :func:`char_features`.
_CLASSES = ("B", "E", "cnum", "digit", "han", "latin", "other", "punct", "space")


@lru_cache(maxsize=65536)
def _flag_bits(ch: str) -> int:
    """1: a surname character, 2: a place-name ending, 4: an organisation-name ending."""
    return (ch in SURNAME_CHARS) | (ch in PLACE_SUFFIX_CHARS) << 1 | (ch in ORG_SUFFIX_CHARS) << 2


class _FeatureIds:
    """:func:`char_features` of many texts as model attribute ids, computed with numpy.

    Row ``i`` of the result holds, in :func:`char_features` order, the id of
    each feature of position ``i`` that the model knows and ``model.none`` for
    the rest, so summing a row's weights in column order is CRFsuite's sum over
    a position's features. Characters become indices into the model's character
    vocabulary, n-grams become one integer each, and every template is one
    vectorised lookup: no feature string is ever built.
    """

    def __init__(self, model: CrfModel) -> None:
        self.none = model.none
        known = model.attributes
        self.bias = known.get("b", model.none)
        values: dict[str, dict[str, int]] = {name: {} for name, _ in _TEMPLATES}
        for attr, aid in known.items():
            name, sep, value = attr.partition("=")
            if sep and name in values:
                values[name][value] = aid
        chars = sorted({c for name, _ in _TEMPLATES if name[0] != "k" for v in values[name] for c in v})
        self.vocab = {c: i for i, c in enumerate(chars)}  # index len(chars): a character the model never saw
        self.classes = {c: i for i, c in enumerate(_CLASSES)}
        self.lookups: list[tuple[list[str], int, np.ndarray, np.ndarray | None]] = []
        for name, window in _TEMPLATES:
            parts = window.split()
            is_chars = name[0] != "k"
            index = self.vocab if is_chars else self.classes
            base = len(index) + 1
            keys, ids = [], []
            for value, aid in values[name].items():
                units = _split_units(value, len(parts), index, is_chars)
                if units is not None:
                    key = 0
                    for u in units:
                        key = key * base + u
                    keys.append(key)
                    ids.append(aid)
            size = base ** len(parts)
            if size <= _DENSE:  # single characters and class n-grams: a direct table
                table = np.full(size, model.none, dtype=np.intp)
                table[np.array(keys, dtype=np.int64)] = ids
                self.lookups.append((parts, base, table, None))
            else:  # character n-grams: sorted keys, found by binary search
                order = np.argsort(np.array(keys, dtype=np.int64), kind="stable")
                sorted_keys = np.array(keys, dtype=np.int64)[order]
                self.lookups.append((parts, base, np.array(ids, dtype=np.intp)[order], sorted_keys))
        self.flags = [(known.get(name, model.none), window, bit) for name, window, bit in _FLAGS]
        self._units: dict[int, tuple[int, int, int]] = {}  # code point -> (vocabulary, class, flag bits)

    def _units_of(self, code: int) -> tuple[int, int, int]:
        if code not in self._units:
            ch = chr(code)
            cls = "B" if ch == "\x02" else "E" if ch == "\x03" else char_class(ch)
            self._units[code] = (self.vocab.get(ch, len(self.vocab)), self.classes[cls], _flag_bits(ch))
        return self._units[code]

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        """Attribute ids of every character of ``texts`` (already normalised), texts one after another."""
        padded = "".join("\x02\x02" + t + "\x03\x03" for t in texts)
        codes = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        unique, inverse = np.unique(codes, return_inverse=True)
        per_code = np.array([self._units_of(code) for code in unique.tolist()], dtype=np.int64).reshape(-1, 3)
        units = {"c": per_code[inverse, 0], "k": per_code[inverse, 1]}
        bits = per_code[inverse, 2]
        starts = np.cumsum([0] + [len(t) + 4 for t in texts[:-1]]) + 2
        at = np.concatenate([np.arange(s, s + len(t)) for s, t in zip(starts.tolist(), texts)] or [np.zeros(0, int)])
        shift = {"c_2": -2, "c_1": -1, "c0": 0, "c1": 1, "c2": 2, "k_1": -1, "k0": 0, "k1": 1}
        columns = [np.full(len(at), self.bias, dtype=np.intp)]
        for parts, base, ids, keys in self.lookups:
            key = units[parts[0][0]][at + shift[parts[0]]]
            for part in parts[1:]:
                key = key * base + units[part[0]][at + shift[part]]
            if keys is None:
                columns.append(ids[key])
            elif not len(keys):
                columns.append(np.full(len(at), self.none, dtype=np.intp))
            else:
                slot = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
                columns.append(np.where(keys[slot] == key, ids[slot], self.none))
        for aid, window, bit in self.flags:
            columns.append(np.where(bits[at + shift[window]] & bit, aid, self.none))
        return np.stack(columns, axis=1)


def _split_units(value: str, n: int, index: dict[str, int], chars: bool) -> list[int] | None:
    """The indices of the ``n`` units an attribute value is made of: characters, or class names."""
    if chars:
        return [index[c] for c in value] if len(value) == n and all(c in index for c in value) else None
    if n == 1:
        return [index[value]] if value in index else None
    for first in index:
        if value.startswith(first):
            rest = _split_units(value[len(first) :], n - 1, index, chars)
            if rest is not None:
                return [index[first], *rest]
    return None


def _load_model(path: Path) -> tuple[CrfModel, _FeatureIds]:
    model = CrfModel(path)
    return model, _FeatureIds(model)


class CrfTagger:
    """PER/LOC/ORG tagger over a CRFsuite model file, loaded on first use.

    Why lazy: importing kg must stay cheap and must not fail when the model is absent
    (e.g. before it is trained); the error comes only when tagging is asked for.
    Decoding is :class:`kg.crf.CrfModel`'s (python-crfsuite's labels, faster).
    """

    def __init__(self, model_path: str | Path | None = None) -> None:
        self.model_path = Path(model_path) if model_path is not None else DEFAULT_MODEL_PATH
        self._model: tuple[CrfModel, _FeatureIds] | None = None

    def _crf(self) -> tuple[CrfModel, _FeatureIds]:
        if self._model is None:
            if not self.model_path.is_file():
                raise FileNotFoundError(f"NER model not found at {self.model_path}; train it with: {TRAIN_COMMAND}")
            # the model's tables and their vectorised feature index take 0.15 s to build, 0.01 s to load
            key = resources.file_key(self.model_path, __file__, crf.__file__)
            self._model = resources.load("ner-model", key, partial(_load_model, self.model_path))
        return self._model

    def tag(self, text: str) -> list[tuple[int, int, str]]:
        """Entity spans (start, end exclusive, 'PER'|'LOC'|'ORG') in ``text``, in order.

        Whitespace-only spans are dropped; ``text[start:end]`` is always the entity.
        """
        return self.tag_many([text])[0]

    def tag_many(self, texts: Iterable[str]) -> list[list[tuple[int, int, str]]]:
        """:meth:`tag` for each text, their chunks decoded together in batches of ``BATCH_CHARS``."""
        model, feature_ids = self._crf()
        norms = [normalize_text(t) for t in texts]
        chunks = [(k, cs, ce) for k, norm in enumerate(norms) for cs, ce in split_chunks(norm) if norm[cs:ce].strip()]
        out: list[list[tuple[int, int, str]]] = [[] for _ in norms]
        for batch in _batches(chunks, BATCH_CHARS):
            pieces = [norms[k][cs:ce] for k, cs, ce in batch]
            ids = feature_ids(pieces)
            bounds = np.cumsum([0] + [len(p) for p in pieces]).tolist()
            labels = model.decode([ids[a:b] for a, b in zip(bounds, bounds[1:])])
            for (k, cs, _ce), piece, tags in zip(batch, pieces, labels):
                for s, e, t in tags_to_spans(tags):
                    if t in ENTITY_TYPES and piece[s:e].strip():
                        out[k].append((cs + s, cs + e, t))
        return out


#: Characters decoded in one numpy batch: a few tens of MB of arrays, whatever the document's size.
BATCH_CHARS = 50_000


def _batches(chunks: list[tuple[int, int, int]], limit: int) -> Iterator[list[tuple[int, int, int]]]:
    """Consecutive runs of ``chunks`` holding at most ``limit`` characters each (at least one chunk)."""
    batch: list[tuple[int, int, int]] = []
    size = 0
    for chunk in chunks:
        length = chunk[2] - chunk[1]
        if batch and size + length > limit:
            yield batch
            batch, size = [], 0
        batch.append(chunk)
        size += length
    if batch:
        yield batch


@lru_cache(maxsize=1)
def default_tagger() -> CrfTagger:
    """The process-wide tagger over the packaged model (created once, loaded on first tag)."""
    return CrfTagger()
