"""Reading articles as they really come: encodings, layout noise, sentences.

The document text kg works on is the *normalised* text: decoded, with
line endings made ``\\n`` (CRLF and a lone CR too), zero-width characters and layout line breaks (a line broken
in the middle of a sentence or a word, ``坚\\n\\n持``) removed. Every offset
in the graph points into that text, which ``read_document`` returns.

What is not text is refused with a one-line ``DecodeError`` (the pipeline
lists the file as skipped): an empty file, a file whose first bytes say it is
an image, a PDF, an archive or a program, and a file full of NUL or control
bytes. The encoding is detected per file from the bytes, never from the name:
byte-order marks first (UTF-8, UTF-16 LE/BE), then strict UTF-8, then
whichever of GB18030 (a superset of GBK) and Big5 reads as more plausible
Chinese (see ``plausibility``). Bytes that do not decode are replaced by
U+FFFD and reported with their byte offset; the rest of the file is used.

Reading is linear and keeps few copies: a 100 MB file with no line break is
decoded once, normalised without copying when there is nothing to remove,
and cut into sentences of at most ``MAX_SENTENCE`` characters (at a comma
where there is one) so that extraction stays linear too.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from kg.model import Document, Sentence

#: Characters that end a sentence (full- and half-width).
_TERMINAL = "。！？!?；;"
_CLOSERS = "”’\"')）】」』》"
_NO_JOIN_END = _TERMINAL + "：:…" + _CLOSERS
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\r]+")
_HAN = re.compile(r"[\u3400-\u9fff]")

#: A "sentence" longer than this is cut (at a comma if there is one in its second half).
MAX_SENTENCE = 500
#: How many undecodable byte sequences are reported one by one per file.
MAX_DECODE_WARNINGS = 20
#: How much of a file the encoding and binary checks look at.
_SNIFF = 64 * 1024


class DecodeError(ValueError):
    """The bytes are not text in any encoding kg reads (the message is one line: why)."""


# ---------------------------------------------------------------- not text at all

#: (offset, magic bytes, what the file is): the first bytes of common non-text files.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (0, b"%PDF-", "PDF"),
    (0, b"%!PS", "PostScript"),
    (0, b"{\\rtf", "RTF document"),
    (0, b"PK\x03\x04", "ZIP archive or Office document"),
    (0, b"PK\x05\x06", "ZIP archive"),
    (0, b"\x1f\x8b", "GZIP archive"),
    (0, b"BZh", "BZIP2 archive"),
    (0, b"\xfd7zXZ\x00", "XZ archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"\x28\xb5\x2f\xfd", "Zstandard archive"),
    (257, b"ustar", "TAR archive"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office document (OLE2)"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (0, b"\x7fELF", "executable (ELF)"),
    (0, b"\xfe\xed\xfa\xce", "executable (Mach-O)"),
    (0, b"\xfe\xed\xfa\xcf", "executable (Mach-O)"),
    (0, b"\xce\xfa\xed\xfe", "executable (Mach-O)"),
    (0, b"\xcf\xfa\xed\xfe", "executable (Mach-O)"),
    (0, b"\xca\xfe\xba\xbe", "Java class or Mach-O binary"),
    (0, b"\x00asm", "WebAssembly module"),
    (0, b"ID3", "MP3 audio"),
    (0, b"OggS", "Ogg media"),
    (0, b"fLaC", "FLAC audio"),
    (4, b"ftyp", "MP4/QuickTime media"),
    (0, b"\x1a\x45\xdf\xa3", "Matroska/WebM media"),
    (0, b"wOFF", "web font"),
    (0, b"wOF2", "web font"),
)
_CONTROL_BYTES = bytes(i for i in range(32) if chr(i) not in "\t\n\r\f\x1b") + b"\x7f"


def sniff_binary(raw: bytes) -> str | None:
    """What ``raw`` is if it is plainly not text (``"PDF"``, ``"NUL bytes"``…), else ``None``.

    >>> sniff_binary(b"%PDF-1.7 ...")
    'PDF'
    >>> sniff_binary("河北".encode()) is None
    True
    """
    for offset, magic, what in _MAGIC:
        if raw[offset : offset + len(magic)] == magic:
            return what
    if raw[:2] == b"MZ" and b"\x00" in raw[:64]:
        return "executable (Windows)"
    if raw[:4] == b"RIFF" and raw[8:12] in (b"WAVE", b"AVI ", b"WEBP"):
        return {b"WAVE": "WAV audio", b"AVI ": "AVI video", b"WEBP": "WebP image"}[raw[8:12]]
    head = raw[:_SNIFF]
    if b"\x00" in head:
        return "NUL bytes"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if head and controls / len(head) > 0.05:
        return f"{controls / len(head):.0%} control bytes"
    return None


# ---------------------------------------------------------------- which encoding


@cache
def _common_chars() -> tuple[frozenset[str], frozenset[str]]:
    """(simplified, traditional): GB2312 level 1 (3755 most used) and Big5 常用字 (5401).

    Both standards were laid out by frequency of use, so their common blocks
    are the everyday characters of mainland and Taiwan/Hong Kong text.
    """
    simplified = set()
    for b1 in range(0xB0, 0xD8):
        for b2 in range(0xA1, 0xFF):
            simplified.add(bytes((b1, b2)).decode("gb2312", "ignore"))
    traditional = set()
    for b1 in range(0xA4, 0xC7):
        for b2 in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if (b1, b2) > (0xC6, 0x7E):
                break
            traditional.add(bytes((b1, b2)).decode("big5", "ignore"))
    return frozenset(simplified - {""}), frozenset(traditional - {""})


def _punctuation(ch: str) -> bool:
    o = ord(ch)
    return 0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFF5E or 0x2010 <= o <= 0x2027 or o in (0xB7, 0x2030, 0x2103)


def plausibility(text: str, common: frozenset[str] | None = None, other: frozenset[str] = frozenset()) -> float:
    """How much ``text`` looks like real Chinese: 0 (gibberish) … 1.

    Each non-ASCII character scores 1 if it is an everyday Han character
    (in ``common``; by default simplified or traditional) or CJK punctuation,
    0.75 for one in ``other`` (the everyday characters of the other script),
    0.25 for a rarer Han character, 0 for anything else (kana, box drawing,
    private use, U+FFFD). Text with no non-ASCII character scores 1. Big5
    bytes read as GBK land on kana, private-use and rare characters; GBK bytes
    read as Big5 on bopomofo and rare characters: the right reading wins.

    >>> plausibility("河北省科学技术厅。") > plausibility("河北省科学技术厅。".encode("gbk").decode("big5", "replace"))
    True
    """
    if common is None:
        simplified, traditional = _common_chars()
        common = simplified | traditional
    score = 0.0
    total = 0
    for ch in text:
        if ch < "\x80":
            continue
        total += 1
        if ch in common or _punctuation(ch):
            score += 1
        elif ch in other:
            score += 0.75
        elif _HAN.match(ch):
            score += 0.25
    return score / total if total else 1.0


_REPORTS: list[list[int]] = []


def _report_error(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    if _REPORTS:
        _REPORTS[-1].append(exc.start)
    return "\ufffd", exc.end


codecs.register_error("kg-report", _report_error)


def _decode(raw: bytes, encoding: str, final: bool = True) -> tuple[str, list[int]]:
    """Decode with U+FFFD for bad bytes; return the text and each bad sequence's byte offset."""
    offsets: list[int] = []
    _REPORTS.append(offsets)
    try:
        if final:
            text = raw.decode(encoding, errors="kg-report")
        else:  # a sample cut anywhere: leave a trailing partial character out
            text = codecs.getincrementaldecoder(encoding)(errors="kg-report").decode(raw, final=False)
    finally:
        _REPORTS.pop()
    return text, offsets


def _warnings(offsets: list[int], encoding: str, base: int = 0) -> list[str]:
    out = [f"undecodable bytes at byte offset {base + o} ({encoding}), replaced by U+FFFD" for o in offsets]
    if len(out) > MAX_DECODE_WARNINGS:
        more = len(out) - MAX_DECODE_WARNINGS
        out = out[:MAX_DECODE_WARNINGS] + [f"… and {more} more undecodable byte sequences ({encoding})"]
    return out


#: (BOM, codec for the bytes after it, name reported): longest BOM first.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
#: Legacy Chinese encodings tried when the bytes are not UTF-8 (cp950 is Big5 with Microsoft's additions).
_LEGACY = ("gb18030", "cp950")


def detect_and_decode(raw: bytes) -> tuple[str, str, list[str]]:
    """Decode ``raw``; return ``(text, encoding, warnings)`` or raise ``DecodeError``.

    A byte-order mark decides first; then strict UTF-8; otherwise UTF-8,
    GB18030 and Big5 (cp950) each decode a sample (64 KB from the first
    non-ASCII byte) and the most plausible Chinese wins (``plausibility``,
    with every undecodable byte counting against its encoding). If none of
    them reads as Chinese, charset-normalizer's guess is tried. The whole file
    is then decoded once with the winner; bytes that still do not decode are
    replaced and reported with their byte offset.

    >>> detect_and_decode("河北".encode("gbk"))[:2]
    ('河北', 'gb18030')
    >>> detect_and_decode("臺灣的科學技術".encode("big5"))[:2]
    ('臺灣的科學技術', 'cp950')
    """
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            text, offsets = _decode(raw[len(bom) :], codec)
            if name == "utf-8-sig":
                return text, name, _warnings(offsets, name, len(bom))
            if not text.strip("\x00"):
                raise DecodeError(f"empty file ({name} byte-order mark only)")
            return text, name, _warnings(offsets, name, len(bom))
    what = sniff_binary(raw)
    if what is not None:
        raise DecodeError(f"binary file ({what}), not text")
    try:
        return raw.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    first = re.search(rb"[\x80-\xff]", raw)
    start = max(0, first.start() - 64) if first else 0
    sample = raw[start : start + _SNIFF]
    simplified, traditional = _common_chars()
    sets = {
        "utf-8": (simplified | traditional, frozenset()),
        "gb18030": (simplified, traditional),
        "cp950": (traditional, simplified),
    }
    scores = {}
    for encoding in ("utf-8", *_LEGACY):
        text, _offsets = _decode(sample, encoding, final=False)
        scores[encoding] = plausibility(text, *sets[encoding])
    best = max(scores, key=lambda e: scores[e])  # ties: the first (utf-8, then gb18030)
    if scores[best] < 0.5:
        guess = _charset_normalizer_guess(raw[: 4 * _SNIFF])
        if guess is not None:
            best = guess
        elif scores[best] < 0.2:
            raise DecodeError("not text in UTF-8, GBK/GB18030, Big5 or a detectable encoding")
    text, offsets = _decode(raw, best)
    name = codecs.lookup(best).name
    return text, name, _warnings(offsets, name)


def _charset_normalizer_guess(sample: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency; without it, only UTF-8/GB18030/Big5
        return None
    match = from_bytes(sample).best()
    if match is None or match.encoding in ("utf_8", "ascii"):
        return None
    return match.encoding


# ---------------------------------------------------------------- layout noise


def normalise(text: str) -> str:
    """Remove layout noise, keep everything that is text.

    * ``\\r\\n`` and a lone ``\\r`` are line breaks; zero-width characters and BOMs go; NBSP and ideographic spaces
      become plain spaces; trailing spaces on each line go.
    * A line break inside a sentence (the line does not end a sentence, the
      next line continues it) is removed, however many blank lines there are:
      ``省科技厅坚\\n\\n持“规定动作”`` → ``省科技厅坚持“规定动作”``. A short line
      without punctuation is a heading and keeps its break.

    Linear in the length of the text; a text with nothing to remove is not copied.

    >>> normalise("党史学习教育开展以来,省科技厅坚\\n\\n持“规定动作”做到位。")
    '党史学习教育开展以来,省科技厅坚持“规定动作”做到位。'
    >>> normalise("学习作表率,高扬主旋律\\n\\n7月6日,读书班开班。")
    '学习作表率,高扬主旋律\\n7月6日,读书班开班。'
    """
    if "\r" in text:  # CRLF and a lone CR (old Mac files) end a line like LF
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text).replace("\u00a0", " ").replace("\u3000", " ")
    if "\n" not in text:
        return text.strip()
    paragraphs: list[_Paragraph] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if paragraphs and _continues(paragraphs[-1], line):
            paragraphs[-1].add(line)
        else:
            paragraphs.append(_Paragraph(line))
    return "\n".join("".join(p.parts) for p in paragraphs)


class _Paragraph:
    """A paragraph being joined from lines: its parts and what ``_continues`` asks of it, kept up to date."""

    __slots__ = ("parts", "length", "ended_a_sentence", "marked")

    def __init__(self, line: str) -> None:
        self.parts = [line]
        self.length = len(line)
        self.ended_a_sentence = any(p in line for p in "。！？!?")
        self.marked = line.startswith(("#", "□"))

    def add(self, line: str) -> None:
        self.parts.append(line)
        self.length += len(line)
        self.ended_a_sentence = self.ended_a_sentence or any(p in line for p in "。！？!?")

    def tail(self, n: int) -> str:
        out = ""
        for part in reversed(self.parts):
            out = part[-(n - len(out)) :] + out
            if len(out) >= n:
                break
        return out


_DATE_OPENING = re.compile(r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日|初|中旬|下旬|底)?[,，]")


def _continues(previous: _Paragraph, line: str) -> bool:
    """Is ``line`` the rest of a sentence that ``previous`` broke off?"""
    last = previous.parts[-1][-1]
    if last in _NO_JOIN_END or previous.marked:
        return False
    if line.startswith(("#", "□", "——", "—", "上图", "下图", "图为", "（", "(")):
        return False
    if not (_HAN.match(line[0]) or line[0].isdigit() or line[0] in "“‘《"):
        return False
    # A word broken across the lines (坚 | 持) is the surest sign.
    from kg.segment import crosses_word

    if crosses_word(previous.tail(3), line[:3]):
        return True
    # A line opening with a date (9月15日,) starts a paragraph or a photo caption.
    if _DATE_OPENING.match(line):
        return False
    # Otherwise a heading is short and holds no finished sentence; a broken
    # paragraph is long or has already ended a sentence.
    return previous.ended_a_sentence or previous.length >= 40


# ---------------------------------------------------------------- sentences

_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’\"'」』）)]*|\n|$)")
_SOFT_BREAKS = "，,、：:　 "


def _pieces(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most ``limit`` characters, after a comma where possible."""
    while end - start > limit:
        cut = -1
        for ch in _SOFT_BREAKS:
            cut = max(cut, text.rfind(ch, start + limit // 2, start + limit))
        stop = cut + 1 if cut >= 0 else start + limit
        yield start, stop
        start = stop
    yield start, end


def split_sentences(text: str, max_length: int = MAX_SENTENCE) -> tuple[Sentence, ...]:
    """Sentences with their offsets (a paragraph break ends a sentence too).

    A run of more than ``max_length`` characters without a sentence end is
    cut into pieces of at most ``max_length``, after a comma (or space) in the
    second half of the piece when there is one, so no sentence is unboundedly
    long and extraction stays linear in the text.

    >>> [s.text for s in split_sentences("他说：“好。”我们走吧！\\n标题")]
    ['他说：“好。”', '我们走吧！', '标题']
    >>> [s.text for s in split_sentences("一二三，四五六七，八九", max_length=6)]
    ['一二三，', '四五六七，', '八九']
    """
    sentences: list[Sentence] = []
    for m in _SENTENCE.finditer(text):
        for start, end in _pieces(text, *m.span(), max_length):
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                sentences.append(Sentence(start, end, text[start:end]))
    return tuple(sentences)


def _title(text: str) -> str:
    """The first non-empty line, without heading marks, at most 80 characters (without splitting the text)."""
    pos = 0
    while pos < len(text):
        nl = text.find("\n", pos, pos + 4096)
        stop = nl if nl >= 0 else min(len(text), pos + 4096)
        line = text[pos:stop].strip("# □").strip()
        if line:
            return line[:80]
        if nl < 0:
            nl = text.find("\n", stop)
            if nl < 0:
                break
        pos = nl + 1
    return ""


def make_document(doc_id: str, text: str, path: str = "", sha256: str = "", warnings=()) -> Document:
    """A ``Document`` from already decoded text: normalised and split."""
    clean = normalise(text)
    return Document(
        id=doc_id,
        text=clean,
        path=path,
        sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=_title(clean),
        sentences=split_sentences(clean),
        warnings=tuple(warnings),
    )


def display_name(name: str) -> str:
    """A file name as valid Unicode: names that are not UTF-8 on disk are read as GB18030 or Big5 if
    that gives plausible Chinese, else their odd bytes are shown as ``\\xNN``.

    On Linux a name in GBK arrives as a str with surrogate escapes, which no
    UTF-8 output can hold: ``河北.txt`` written in GBK becomes ``河北.txt`` again.

    >>> display_name(b"\\xba\\xd3\\xb1\\xb1.txt".decode("utf-8", "surrogateescape"))
    '河北.txt'
    >>> display_name(b"a\\xff.txt".decode("utf-8", "surrogateescape"))
    'a\\\\xff.txt'
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    raw = name.encode("utf-8", "surrogateescape")
    simplified, traditional = _common_chars()
    for encoding, common, other in (("gb18030", simplified, traditional), ("cp950", traditional, simplified)):
        try:
            decoded = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if plausibility(decoded, common, other) >= 0.75:
            return decoded
    return raw.decode("utf-8", "backslashreplace")


def read_document(path: str | Path, doc_id: str | None = None) -> Document:
    """Read one article file into a ``Document``.

    Raises ``DecodeError`` (one line: why the file is not text) or ``OSError``
    (missing, unreadable); both mean "skip this file" to the pipeline.
    """
    path = Path(path)
    raw = path.read_bytes()
    return document_from_bytes(raw, display_name(doc_id or path.name), display_name(path.name))


def document_from_bytes(raw: bytes, doc_id: str, name: str = "", sha256: str = "") -> Document:
    """The ``Document`` of a file's bytes, already read: what is hashed is what is extracted.

    ``sha256`` is the hash of ``raw`` when the caller has it already.
    """
    if not raw or raw.isspace():
        raise DecodeError("empty file")
    sha256 = sha256 or hashlib.sha256(raw).hexdigest()
    text, _encoding, warnings = detect_and_decode(raw)
    del raw  # the decoded text is all that is needed from here on
    if len(text) < 4096 and not normalise(text):
        raise DecodeError("empty file (only spaces or invisible characters)")
    return make_document(doc_id, text, path=name or doc_id, sha256=sha256, warnings=warnings)
