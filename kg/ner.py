"""A small character CRF tagger for persons, places and organizations (PER/LOC/ORG).

Why a character CRF: jieba.posseg's name/place/organization tags come from a word
dictionary and miss most multi-word organizations and unseen names (People's Daily dev
F1 0.54).  A character-level CRF trained on the MSRA news corpus needs no segmentation,
is small (a few MB), fast and deterministic. It is trained with python-crfsuite by
``scripts/train_ner.py``; the model file ships as package data and is decoded by
:mod:`kg.crf` (the same labels as python-crfsuite's tagger, in less time), compiled
(``kg._speedups``) when the extension is built.

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
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache, partial
from pathlib import Path

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


#: The templates of :func:`char_features`, in its order: (name, the window it reads, as offsets).
_TEMPLATES = (
    ("u0", (0,)),
    ("u-1", (-1,)),
    ("u1", (1,)),
    ("u-2", (-2,)),
    ("u2", (2,)),
    ("b-2", (-2, -1)),
    ("b-1", (-1, 0)),
    ("b0", (0, 1)),
    ("b1", (1, 2)),
    ("t0", (-1, 0, 1)),
    ("k0", (0,)),
    ("k-1k0", (-1, 0)),
    ("k0k1", (0, 1)),
)
#: The flags of :func:`char_features`, in its order (the compiled decoder reads them in this order).
_FLAGS = ("sn0", "sn-1", "sn-2", "ls0", "ls1", "os0", "os1")
#: Every class :func:`char_class` gives, and the start/end padding classes of :func:`char_features`.
_CLASSES = ("B", "E", "cnum", "digit", "han", "latin", "other", "punct", "space")
#: The index of a character the model never saw (``kg/_speedups.c``: ``UNKNOWN_CHAR``).
_UNKNOWN = 0xFFFF


def _flag_bits(ch: str) -> int:
    """1: a surname character, 2: a place-name ending, 4: an organisation-name ending."""
    return (ch in SURNAME_CHARS) | (ch in PLACE_SUFFIX_CHARS) << 1 | (ch in ORG_SUFFIX_CHARS) << 2


class _FeatureKeys:
    """The model's features as integer keys, for the compiled decoder (``kg/_speedups.c``).

    A character is its index in the model's character vocabulary, a class its
    index in ``_CLASSES``; an n-gram of 16-bit units is one integer, tagged with
    its template's number above bit 48. Only the features the model knows get a
    key, so a feature of :func:`char_features` is present exactly when its key is
    in the table. ``units(code)`` packs what the decoder needs of a character:
    vocabulary index | class << 16 | flag bits << 20.
    """

    def __init__(self, model: CrfModel) -> None:
        values: dict[str, dict[str, int]] = {name: {} for name, _ in _TEMPLATES}
        for attr, aid in model.attributes.items():
            name, sep, value = attr.partition("=")
            if sep and name in values:
                values[name][value] = aid
        chars = sorted({c for name, _ in _TEMPLATES if name[0] != "k" for v in values[name] for c in v})
        if len(chars) >= _UNKNOWN:
            raise crf.ModelError("the model's character vocabulary does not fit 16 bits")
        self.vocab = {c: i for i, c in enumerate(chars)}
        self.classes = {c: i for i, c in enumerate(_CLASSES)}
        keys, ids = array("Q"), array("i")
        for number, (name, window) in enumerate(_TEMPLATES):
            is_chars = name[0] != "k"
            index = self.vocab if is_chars else self.classes
            for value, aid in values[name].items():
                units = _split_units(value, len(window), index, is_chars)
                if units is not None:
                    key = 0
                    for u in units:
                        key = key << 16 | u
                    keys.append((number + 1) << 48 | key)
                    ids.append(aid)
        self.keys, self.ids = keys, ids
        self.bias = model.attributes.get("b", -1)
        self.flags = array("i", [model.attributes.get(name, -1) for name in _FLAGS])
        self.left = self._pack("\x02", "B")
        self.right = self._pack("\x03", "E")

    def _pack(self, ch: str, cls: str) -> int:
        return self.vocab.get(ch, _UNKNOWN) | self.classes[cls] << 16 | _flag_bits(ch) << 20

    def units(self, code: int) -> int:
        ch = chr(code)
        return self._pack(ch, char_class(ch))


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


def _load_model(path: Path) -> tuple[CrfModel, _FeatureKeys]:
    model = CrfModel(path)
    return model, _FeatureKeys(model)


#: The fields of a ``CrfModel`` and of its ``_FeatureKeys``, and their types: what ``_model_state`` keeps.
_MODEL_FIELDS = {"labels": list, "attributes": dict, "n_labels": int, "none": int, "state": array, "transition": array}
_KEYS_FIELDS = {
    "vocab": dict,
    "classes": dict,
    "keys": array,
    "ids": array,
    "bias": int,
    "flags": array,
    "left": int,
    "right": int,
}


def _model_state(path: Path) -> tuple[dict, dict]:
    """The model and its feature keys as plain data (``kg.resources`` keeps it: 0.02 s to load, 0.06 s to build)."""
    model, keys = _load_model(path)
    return vars(model), vars(keys)


def _from_state(state: object) -> tuple[CrfModel, _FeatureKeys]:
    """The model and keys ``_model_state`` kept; ValueError if the data is not of their shape.

    Checked field by field (the compiled decoder checks its tables' sizes and ids
    itself): a damaged or planted file costs a rebuild, never a wrong label or a crash.
    """
    if type(state) is not tuple or len(state) != 2 or not all(type(part) is dict for part in state):
        raise ValueError("not a model")
    for fields, data in ((_MODEL_FIELDS, state[0]), (_KEYS_FIELDS, state[1])):
        if data.keys() != fields.keys() or not all(type(data[k]) is t for k, t in fields.items()):
            raise ValueError("not a model")
    model = CrfModel.__new__(CrfModel)
    model.__dict__.update(state[0])
    keys = _FeatureKeys.__new__(_FeatureKeys)
    keys.__dict__.update(state[1])
    n, rows = model.n_labels, model.none + 1
    if not (
        0 < n == len(model.labels) <= 255
        and all(type(x) is str for x in model.labels)
        and model.state.typecode == model.transition.typecode == "d"
        and len(model.state) == rows * n
        and len(model.transition) == n * n
        and len(model.attributes) == model.none
        and all(type(a) is str and type(i) is int and 0 <= i < model.none for a, i in model.attributes.items())
        and keys.keys.typecode == "Q"
        and keys.ids.typecode == keys.flags.typecode == "i"
        and len(keys.keys) == len(keys.ids)
        and all(0 <= i < rows for i in keys.ids)
        and len(keys.flags) == len(_FLAGS)
        and keys.classes == {c: i for i, c in enumerate(_CLASSES)}
        and all(type(c) is str and type(i) is int and 0 <= i < _UNKNOWN for c, i in keys.vocab.items())
    ):
        raise ValueError("not a model")
    return model, keys


Decoder = Callable[[Sequence[str]], list[Sequence[int]]]


def python_decoder(model: CrfModel) -> Decoder:
    """Label indices of each normalised piece, in pure Python: feature strings, looked up, then Viterbi."""
    known = model.attributes

    def decode(pieces: Sequence[str]) -> list[Sequence[int]]:
        out: list[Sequence[int]] = []
        for piece in pieces:
            ids = [[known[f] for f in features if f in known] for features in char_features(piece)]
            out.append(model.viterbi(model.scores(ids)))
        return out

    return decode


def _compiled(model: CrfModel, keys: _FeatureKeys):
    """A ``kg._speedups.CrfDecoder`` of the model, set up to tag as :meth:`CrfTagger.tag_many` does; None without it."""
    fast = crf.speedups()
    if fast is None:
        return None
    decoder = fast.CrfDecoder(
        model.n_labels,
        model.state,
        model.transition,
        keys.keys,
        keys.ids,
        keys.bias,
        keys.flags,
        keys.left,
        keys.right,
        keys.units,
    )
    kinds, type_of = bytearray(), bytearray()  # what tags_to_spans reads of each label
    types: dict[str, int] = {}
    for label in model.labels:
        prefix, _, type_ = label.partition("-")
        kinds.append(0 if label == "O" else ord(prefix) if prefix in ("B", "S", "E") else ord("X"))
        type_of.append(types.setdefault(type_, len(types)))
    if len(types) > 255:
        return None
    names = tuple(types)
    decoder.set_spans(
        _normalized_code,
        "".join(sorted(_SENTENCE_END)),
        "".join(sorted(_CLAUSE_END)),
        MAX_CHUNK,
        bytes(kinds),
        bytes(type_of),
        names,
        bytes(t in ENTITY_TYPES for t in names),
    )
    return decoder


def _normalized_code(code: int) -> int:
    return ord(normalize_char(chr(code)))


def compiled_decoder(model: CrfModel, keys: _FeatureKeys) -> Decoder | None:
    """The same as :func:`python_decoder`, compiled (``kg._speedups``); None without the extension."""
    decoder = _compiled(model, keys)
    return None if decoder is None else decoder.decode


class CrfTagger:
    """PER/LOC/ORG tagger over a CRFsuite model file, loaded on first use.

    Why lazy: importing kg must stay cheap and must not fail when the model is absent
    (e.g. before it is trained); the error comes only when tagging is asked for.
    Decoding is :mod:`kg.crf`'s (python-crfsuite's labels, faster): compiled when
    ``kg._speedups`` is built, else in pure Python.
    """

    def __init__(self, model_path: str | Path | None = None) -> None:
        self.model_path = Path(model_path) if model_path is not None else DEFAULT_MODEL_PATH
        self._model: tuple[CrfModel, Decoder] | None = None
        self._fast = None  # the compiled decoder, which also does tag_many's steps around decoding

    def _crf(self) -> tuple[CrfModel, Decoder]:
        if self._model is None:
            if not self.model_path.is_file():
                raise FileNotFoundError(f"NER model not found at {self.model_path}; train it with: {TRAIN_COMMAND}")
            # the model's tables and their feature keys take 0.06 s to build, 0.02 s to load
            key = resources.file_key(self.model_path, __file__, crf.__file__)
            try:
                model, keys = resources.load("ner-model", key, partial(_model_state, self.model_path), read=_from_state)
            except ValueError:  # fields this code does not know how to check (a newer model class): not kept
                model, keys = _load_model(self.model_path)
            self._fast = _compiled(model, keys)
            self._model = model, self._fast.decode if self._fast is not None else python_decoder(model)
        return self._model

    def tag(self, text: str) -> list[tuple[int, int, str]]:
        """Entity spans (start, end exclusive, 'PER'|'LOC'|'ORG') in ``text``, in order.

        Whitespace-only spans are dropped; ``text[start:end]`` is always the entity.
        """
        return self.tag_many([text])[0]

    def tag_many(self, texts: Iterable[str]) -> list[list[tuple[int, int, str]]]:
        """:meth:`tag` for each text: compiled in one pass (``kg._speedups``), or the steps below."""
        model, decode = self._crf()
        if self._fast is not None:
            return self._fast.tag(list(texts))
        names = model.labels
        norms = [normalize_text(t) for t in texts]
        chunks = [(k, cs, ce) for k, norm in enumerate(norms) for cs, ce in split_chunks(norm) if norm[cs:ce].strip()]
        pieces = [norms[k][cs:ce] for k, cs, ce in chunks]
        out: list[list[tuple[int, int, str]]] = [[] for _ in norms]
        for (k, cs, _ce), piece, labels in zip(chunks, pieces, decode(pieces)):
            for s, e, t in tags_to_spans([names[y] for y in labels]):
                if t in ENTITY_TYPES and piece[s:e].strip():
                    out[k].append((cs + s, cs + e, t))
        return out


@lru_cache(maxsize=1)
def default_tagger() -> CrfTagger:
    """The process-wide tagger over the packaged model (created once, loaded on first tag)."""
    return CrfTagger()
