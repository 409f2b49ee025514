"""Reading articles as they really come: encodings, layout noise, sentences.

The document text kg works on is the *normalised* text: decoded, with
carriage returns, zero-width characters and layout line breaks (a line broken
in the middle of a sentence or a word, ``坚\\n\\n持``) removed. Every offset
in the graph points into that text, which ``read_document`` returns.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from kg.model import Document, Sentence

#: Characters that end a sentence (full- and half-width).
_TERMINAL = "。！？!?；;"
_CLOSERS = "”’\"')）】」』》"
_NO_JOIN_END = _TERMINAL + "：:…" + _CLOSERS
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\r"), None)
_HAN = re.compile(r"[\u3400-\u9fff]")


class DecodeError(ValueError):
    """The bytes are not text in any encoding kg reads."""


def detect_and_decode(raw: bytes) -> tuple[str, str, list[str]]:
    """Decode ``raw``; return ``(text, encoding, warnings)``.

    BOMs decide first; then strict UTF-8; then GB18030 (a superset of GBK and
    GB2312, the usual encodings of Chinese archives) when it decodes cleanly;
    then charset-normaliser's best guess. Bytes that still do not decode are
    replaced and reported with their offset, so nothing is dropped silently.

    >>> detect_and_decode("河北".encode("gbk"))[:2]
    ('河北', 'gb18030')
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return _decode_reporting(raw, enc)
    if b"\x00" in raw[:4096]:
        raise DecodeError("binary file (NUL bytes), not text")
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return raw.decode("gb18030"), "gb18030", []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        return _decode_reporting(raw, best.encoding)
    # Mostly UTF-8 with a few broken bytes: keep the rest, report the bytes.
    if utf8_error.start > 0 or len(raw) > 16:
        return _decode_reporting(raw, "utf-8")
    raise DecodeError("not text in UTF-8, GBK/GB18030 or a detectable encoding")


def _decode_reporting(raw: bytes, encoding: str) -> tuple[str, str, list[str]]:
    warnings: list[str] = []

    def handler(exc: UnicodeError):
        if isinstance(exc, UnicodeDecodeError) and len(warnings) < 20:
            warnings.append(f"undecodable bytes at byte offset {exc.start} ({encoding})")
        return ("\ufffd", exc.end)  # type: ignore[attr-defined]

    name = f"kg-report-{id(warnings)}"
    codecs.register_error(name, handler)
    text = raw.decode(encoding, errors=name)
    return text, codecs.lookup(encoding).name, warnings


def normalise(text: str) -> str:
    """Remove layout noise, keep everything that is text.

    * ``\\r``, zero-width characters and BOMs go; NBSP and ideographic spaces
      become plain spaces; trailing spaces on each line go.
    * A line break inside a sentence (the line does not end a sentence, the
      next line continues it) is removed, however many blank lines there are:
      ``省科技厅坚\\n\\n持“规定动作”`` → ``省科技厅坚持“规定动作”``. A short line
      without punctuation is a heading and keeps its break.

    >>> normalise("党史学习教育开展以来,省科技厅坚\\n\\n持“规定动作”做到位。")
    '党史学习教育开展以来,省科技厅坚持“规定动作”做到位。'
    >>> normalise("学习作表率,高扬主旋律\\n\\n7月6日,读书班开班。")
    '学习作表率,高扬主旋律\\n7月6日,读书班开班。'
    """
    text = text.translate(_ZERO_WIDTH).replace("\u00a0", " ").replace("\u3000", " ")
    paragraphs: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if paragraphs and _continues(paragraphs[-1], line):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return "\n".join(paragraphs)


def _continues(previous: str, line: str) -> bool:
    """Is ``line`` the rest of a sentence that ``previous`` broke off?"""
    last = previous[-1]
    if last in _NO_JOIN_END or previous.startswith(("#", "□")):
        return False
    if line.startswith(("#", "□", "——", "—", "上图", "下图", "图为", "（", "(")):
        return False
    if not (_HAN.match(line[0]) or line[0].isdigit() or line[0] in "“‘《"):
        return False
    # A word broken across the lines (坚 | 持) is the surest sign.
    from kg.segment import crosses_word

    if crosses_word(previous, line):
        return True
    # Otherwise a heading is short and holds no finished sentence; a broken
    # paragraph is long or has already ended a sentence.
    return any(p in previous for p in "。！？!?") or len(previous) >= 40


_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’\"'」』）)]*|\n|$)")


def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences with their offsets (a paragraph break ends a sentence too).

    >>> [s.text for s in split_sentences("他说：“好。”我们走吧！\\n标题")]
    ['他说：“好。”', '我们走吧！', '标题']
    """
    sentences: list[Sentence] = []
    for m in _SENTENCE.finditer(text):
        start, end = m.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            sentences.append(Sentence(start, end, text[start:end]))
    return tuple(sentences)


def make_document(doc_id: str, text: str, path: str = "", sha256: str = "", warnings=()) -> Document:
    """A ``Document`` from already decoded text: normalised and split."""
    clean = normalise(text)
    title = next((line.strip("# □").strip() for line in clean.split("\n") if line.strip("# □").strip()), "")
    return Document(
        id=doc_id,
        text=clean,
        path=path,
        sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=title[:80],
        sentences=split_sentences(clean),
        warnings=tuple(warnings),
    )


def read_document(path: str | Path, doc_id: str | None = None) -> Document:
    """Read one article file into a ``Document`` (raises ``DecodeError`` or ``OSError``)."""
    path = Path(path)
    raw = path.read_bytes()
    if not raw.strip():
        raise DecodeError("empty file")
    text, _encoding, warnings = detect_and_decode(raw)
    return make_document(
        doc_id or path.name, text, path=path.name, sha256=hashlib.sha256(raw).hexdigest(), warnings=warnings
    )
