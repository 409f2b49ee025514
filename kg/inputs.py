"""What a build reads: the files under the paths given, and the documents in each by its format.

Formats (by the file name's ending, case-insensitive):

* ``.txt``: an article, UTF-8 or GBK/GB18030 or Big5 (``kg.textio``);
* ``.md``, ``.markdown``: an article in Markdown, its markup dropped (headings,
  emphasis, links keep their text, images and code blocks go);
* ``.html``, ``.htm``: a scraped page; its main text is extracted with
  trafilatura (``pip install 'kg[html]'``), menus, adverts and footers dropped;
* ``.jsonl``: one document per line, ``{"id": …, "text": …, …}`` (a newspaper
  dump); the document's id is ``FILE#ID`` (``FILE#line N`` without an id); a
  line that is not such an object is reported and skipped, the rest are kept.

A folder is walked without recursion (any depth), in sorted order; only files
whose names match the globs (``DEFAULT_GLOBS``, ``kg build --glob`` to change
them) are read, hidden ones (``.name``) never; the output folder and the cache
are never read as input. A path that is not a regular file (a FIFO, a device,
a socket) is skipped with a line instead of blocking or filling memory; a file
named directly is read whatever its name.

Every document is an *item*: ``(id, path)`` for a file, ``(id, path, start, end)``
for a line of a JSONL file. ``read_item`` reads its bytes once; the cache key
and the extraction both come from those bytes.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from kg.errors import UserError
from kg.model import Document
from kg.textio import DecodeError, detect_and_decode, display_name, document_from_bytes, make_document

#: What a folder's files must match to be read (``kg build --glob``).
DEFAULT_GLOBS = ("*.txt", "*.md", "*.markdown", "*.html", "*.htm", "*.jsonl")
HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")
JSONL_SUFFIXES = (".jsonl",)
HTML_HINT = "reading .html pages needs trafilatura: pip install 'kg[html]'"

Item = tuple  # (id, path) or (id, path, start, end)


# ---------------------------------------------------------------- listing


def _matches(name: str, globs: Sequence[str]) -> bool:
    low = name.lower()
    return any(fnmatch.fnmatchcase(low, g.lower()) for g in globs)


def _walk(root: Path, excluded: set[tuple[int, int]], skipped: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every non-hidden entry under ``root`` that is not a folder: ``(path relative to root, path)``.

    An explicit stack, not recursion: a tree 10,000 levels deep is walked like a flat one.
    Folders are followed through links once each (a loop of links ends).
    """
    found: list[tuple[str, str]] = []
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, str]] = [("", os.fspath(root))]
    while stack:
        rel, folder = stack.pop()
        try:
            st = os.stat(folder)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append((rel or root.name, f"cannot read the folder: {exc.strerror or exc}"))
            continue
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        subfolders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            name = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir()  # through a link too
            except OSError:
                is_dir = False
            if is_dir:
                try:
                    dst = entry.stat()
                except OSError:
                    continue
                if (dst.st_dev, dst.st_ino) in excluded:
                    skipped.append((name, "kg's own output or cache folder: not read as input"))
                    continue
                subfolders.append((name, entry.path))
            else:
                found.append((name, entry.path))
        stack.extend(reversed(subfolders))
    found.sort(key=lambda x: x[0].split("/"))  # as sorted(root.rglob("*")) ordered them
    return found


def list_items(
    paths: Iterable[str | os.PathLike],
    *,
    globs: Sequence[str] = DEFAULT_GLOBS,
    exclude: Iterable[str | os.PathLike] = (),
    skipped: list[tuple[str, str]] | None = None,
) -> list[Item]:
    """The items (documents) under ``paths``, in order, each with a unique id.

    A document's id is its path relative to the folder given (its file name for
    a file given directly), as readable Unicode (``display_name``); two names
    that read alike (one in GBK, one in UTF-8) keep different ids. ``exclude``:
    folders never read (the output and the cache). What cannot be read is
    added to ``skipped`` as ``(name, reason)``.
    """
    skipped = skipped if skipped is not None else []
    items: list[Item] = []
    used: set[str] = set()
    for rel, path in list_files(paths, globs=globs, exclude=exclude, skipped=skipped):
        doc_id = _unique(display_name(rel), rel, used)
        if path.lower().endswith(JSONL_SUFFIXES):
            items += _jsonl_items(doc_id, path, used, skipped)
        else:
            items.append((doc_id, os.path.abspath(path)))
    return items


def list_files(
    paths: Iterable[str | os.PathLike],
    *,
    globs: Sequence[str] = DEFAULT_GLOBS,
    exclude: Iterable[str | os.PathLike] = (),
    skipped: list[tuple[str, str]] | None = None,
) -> list[tuple[str, str]]:
    """The files ``list_items`` reads, in order: ``(path relative to the folder given, path)``."""
    skipped = skipped if skipped is not None else []
    excluded = set()
    for p in exclude:
        try:
            st = os.stat(p)
            excluded.add((st.st_dev, st.st_ino))
        except OSError:
            pass
    files: list[tuple[str, str]] = []
    for root in map(Path, paths):
        if root.is_dir():
            st = root.stat()
            if (st.st_dev, st.st_ino) in excluded:
                raise UserError(f"{root} is kg's own output or cache folder, not a folder of articles")
            files += [(rel, p) for rel, p in _walk(root, excluded, skipped) if _matches(os.path.basename(p), globs)]
        elif root.exists() or root.is_symlink():
            files.append((root.name, os.fspath(root)))
        else:
            raise FileNotFoundError(2, "no such file or folder", str(root))
    return files


def _unique(name: str, raw: str, used: set[str]) -> str:
    """``name``, or if taken its bytes shown as ``\\xNN``, or ``NAME~2``…: never an id twice."""
    candidate = name
    if candidate in used:
        candidate = re.sub("[\udc80-\udcff]", lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", raw)
    n = 2
    base = candidate
    while candidate in used:
        candidate = f"{base}~{n}"
        n += 1
    used.add(candidate)
    return candidate


def _jsonl_items(file_id: str, path: str, used: set[str], skipped: list[tuple[str, str]]) -> list[Item]:
    """One item per good line of the JSONL file ``path``: ``(FILE#ID, path, start, end)``.

    Read a line at a time: a dump of many gigabytes needs the memory of its longest line.
    """
    items: list[Item] = []
    absolute = os.path.abspath(path)
    try:
        fd = _open_regular(path)
    except (OSError, DecodeError) as exc:
        skipped.append((file_id, str(getattr(exc, "strerror", None) or exc)))
        return items
    with os.fdopen(fd, "rb") as fh:
        start = 0
        for line_no, line in enumerate(fh, 1):
            end = start + len(line)
            if line.strip():
                try:
                    record = _record(line)
                except ValueError as exc:
                    skipped.append((f"{file_id} line {line_no}", str(exc)))
                else:
                    rid = record.get("id")
                    named = rid is not None and str(rid).strip()
                    doc_id = f"{file_id}#{rid}" if named else f"{file_id}#line {line_no}"
                    if doc_id in used:
                        skipped.append((f"{file_id} line {line_no}", f"the id {rid!s} again: the first one is kept"))
                    else:
                        used.add(doc_id)
                        items.append((doc_id, absolute, start, end))
            start = end
    return items


def _record(line: bytes) -> dict:
    """The JSON object of one JSONL line, with a string ``text``; ValueError (one line) otherwise."""
    import orjson

    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({str(exc).splitlines()[0]})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    if not isinstance(record.get("text"), str):
        raise ValueError('no "text" string')
    rid = record.get("id")
    if rid is not None and not isinstance(rid, (str, int)):
        raise ValueError('"id" is not a string or a number')
    return record


# ---------------------------------------------------------------- reading


def _open_regular(path: str | os.PathLike) -> int:
    """A descriptor of the regular file ``path``; DecodeError for a FIFO, a device, a socket, a folder.

    Opened without blocking and checked on the open file: a FIFO put in the
    place of a file after the listing cannot hang the build, nor ``/dev/zero``
    fill the memory.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    mode = os.fstat(fd).st_mode
    if stat.S_ISREG(mode):
        return fd
    os.close(fd)
    if stat.S_ISFIFO(mode):
        kind = "a FIFO"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISDIR(mode):
        kind = "a folder"
    else:
        kind = "not a regular file"
    raise DecodeError(f"not a file: {kind}")


def read_bytes(path: str | os.PathLike, start: int = 0, end: int = -1) -> bytes:
    """The bytes of a regular file (``start:end`` of it); DecodeError for anything else (``_open_regular``)."""
    with os.fdopen(_open_regular(path), "rb") as fh:
        if start:
            fh.seek(start)
        return fh.read() if end < 0 else fh.read(end - start)


def read_item(item: Item) -> bytes:
    """The bytes of one item: its file, or its line of a JSONL file."""
    if len(item) == 4:
        return read_bytes(item[1], item[2], item[3])
    return read_bytes(item[1])


def item_size(item: Item) -> int:
    if len(item) == 4:
        return item[3] - item[2]
    try:
        return os.stat(item[1]).st_size
    except OSError:
        return 0


def document_of(item: Item, raw: bytes, sha256: str) -> Document:
    """The ``Document`` of an item's bytes (read once by ``read_item``), by its format.

    Raises ``DecodeError`` (one line) when the bytes are not a document of that format.
    """
    doc_id, path = item[0], item[1]
    name = display_name(os.path.basename(path))
    low = name.lower()
    if len(item) == 4:
        try:
            record = _record(raw)
        except ValueError as exc:
            raise DecodeError(str(exc)) from None
        return _from_text(doc_id, record["text"], name, sha256)
    if low.endswith(HTML_SUFFIXES):
        return _from_text(doc_id, html_text(raw), name, sha256)
    if low.endswith(MARKDOWN_SUFFIXES):
        if not raw or raw.isspace():
            raise DecodeError("empty file")
        text, _encoding, warnings = detect_and_decode(raw)
        return _from_text(doc_id, markdown_text(text), name, sha256, warnings)
    return document_from_bytes(raw, doc_id, name, sha256)


def _from_text(doc_id: str, text: str, name: str, sha256: str, warnings=()) -> Document:
    if not text.strip():
        raise DecodeError("no text")
    return make_document(doc_id, text, path=name, sha256=sha256, warnings=warnings)


def html_text(raw: bytes) -> str:
    """The main text of an HTML page (trafilatura, precision first: menus, sidebars, footers and comments dropped).

    Its encoding is the page's own (``<meta charset>``) or detected, as trafilatura decides.
    """
    try:
        import trafilatura
    except ImportError:
        raise DecodeError(HTML_HINT) from None
    # favor_precision: on a short article the default mode keeps the menus and the sidebar too
    text = trafilatura.extract(
        raw, include_comments=False, include_tables=True, favor_precision=True, output_format="txt"
    )
    if not text:
        raise DecodeError("no main text found in the page")
    return text


_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# [ \t], not \s: a pattern anchored at a line's start must not run on into the next lines
_REF_DEF = re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*\S.*$", re.M)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*(.*?)[ \t]*#*[ \t]*$", re.M)
_QUOTE_LIST = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+|^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.M)
_RULE = re.compile(r"^[ \t]{0,3}(?:[-*_][ \t]*){3,}$", re.M)
_EMPHASIS = re.compile(r"(\*{1,3}|_{2,3}|~~|`+)(?=\S)(.+?)(?<=\S)\1")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]*>")


def markdown_text(text: str) -> str:
    """Markdown as the text a reader sees: markup gone, words kept.

    >>> markdown_text("# 标题\\n\\n**省科技厅**召开[会议](http://x)。![图](a.png)\\n\\n- 一项\\n")
    '标题\\n\\n省科技厅召开会议。\\n\\n一项\\n'
    """
    text = _FENCE.sub("", text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _REF_DEF.sub("", text)
    text = _HEADING.sub(r"\1", text)
    text = _RULE.sub("", text)
    text = _QUOTE_LIST.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _HTML_TAG.sub("", text)
