"""Per-document extraction results on disk, so a rebuild re-extracts only what changed.

A document's ``Extraction`` is stored under a key made of the extractor version,
the document id and the sha256 of the bytes it was extracted from (the bytes
read once by ``kg.stages.process_path``: what was hashed is what was
extracted). The extractor version is computed, never bumped by hand: a hash of
the source of every kg module that the extraction stages import (followed
through their imports, ``extraction_modules``), every file of ``kg/data`` and
``kg/lexicon`` (the place tables, the lexicons, the tagger model) and the
versions of kg, Python and the libraries that shape a result. Change any of
them and every entry is stale (and simply never read again; delete the folder
to reclaim the space).

Entries are **data, never code**: JSON (orjson) of the extraction's fields,
read back into an ``Extraction`` only after every field has the type it should.
Nothing in the folder is unpickled or imported, so a file planted in a cache
(shared by Dask workers, copied from another machine) can at worst cost a miss.
A folder that another user owns, or that its group or others may write, is
refused with a warning (``check_folder``) and the build runs without it.
An entry that cannot be read or has another format or version is a miss,
never an error.

The cache also keeps assembled *runs*: the ``kg.assemble.Assembler`` state of
a run of consecutive documents (``kg.pipeline`` cuts the corpus into runs),
keyed by the ids and hashes of its documents and a version that adds the
source of ``kg.assemble``. A rebuild merges the states of unchanged runs
instead of adding their documents one by one again.

>>> import tempfile
>>> from kg.model import Document, Extraction
>>> cache = DocumentCache(tempfile.mkdtemp())
>>> ext = Extraction.of(Document(id="a.txt", text="龙奋杰任厅长。", sha256="0" * 64))
>>> cache.get(ext) is None
True
>>> cache.put(ext)
>>> cache.get(ext) == ext
True
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
import sys
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

import orjson

from kg.model import Extraction

#: Bump only when the layout of an entry changes (the version covers the code).
#: 3: JSON entries (2 was pickles, never read again).
FORMAT = 3

_HERE = Path(__file__).resolve().parent
#: Where extraction starts: every kg module these import (at any depth, in any function) shapes it.
EXTRACTION_ROOTS = ("kg.stages",)
#: Folders of data files that shape extraction: lexicons, place tables, the tagger model.
DATA_FOLDERS = ("data", "lexicon")
#: Libraries whose version changes what extraction gives.
LIBRARIES = ("jieba", "ahocorasick-rs", "charset-normalizer", "numpy")
#: Modules that the extraction code imports but that do not decide what it finds.
NOT_EXTRACTION = frozenset({"kg.cache"})

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(kg(?:\.\w+)*)[ \t]+import[ \t]+(?:\(([^)]*)\)|([\w \t,]+))|import[ \t]+(kg(?:\.\w+)*))", re.M
)


def _module_file(name: str) -> Path | None:
    """The source file of the kg module ``name`` (``kg.extract`` → ``kg/extract/__init__.py``), or None."""
    parts = name.split(".")[1:]
    base = _HERE.joinpath(*parts)
    # a compiled module's C source (kg._speedups → kg/_speedups.c), else the built module itself
    compiled = sorted(base.parent.glob(base.name + ".*.so")) if parts else []
    for candidate in (
        base.with_suffix(".py") if parts else None,
        base / "__init__.py",
        base.with_suffix(".c") if parts else None,
        *compiled,
    ):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def extraction_modules() -> list[str]:
    """The kg modules that extraction runs: ``EXTRACTION_ROOTS`` and what they import, sorted.

    Found by reading ``import`` lines (function-level ones too), not by importing:
    a rebuild whose every document is in the cache loads no extraction code.

    >>> {"kg.textio", "kg.places", "kg.lexicon", "kg.relations.posts"} <= set(extraction_modules())
    True
    >>> "kg.assemble" in extraction_modules() or "kg.pipeline" in extraction_modules()
    False
    """
    seen: set[str] = set()
    todo = list(EXTRACTION_ROOTS)
    while todo:
        name = todo.pop()
        if name in seen or name in NOT_EXTRACTION or name == "kg":  # kg/__init__.py: lazy names, not extraction
            continue
        path = _module_file(name)
        if path is None:
            continue
        seen.add(name)
        if path.name == "__init__.py" and name != "kg":
            todo.append(name.rsplit(".", 1)[0])  # importing kg.a.b runs kg/a/__init__.py
        if path.suffix != ".py":
            continue
        for frm, wrapped, names, plain in _IMPORT.findall(path.read_text(encoding="utf-8")):
            if plain:
                todo.append(plain)
                continue
            todo.append(frm)
            for n in re.sub(r"#.*", "", wrapped or names).split(","):  # from kg import lexicon: a module
                if n.split():
                    todo.append(f"{frm}.{n.split()[0]}")
    return sorted(seen)


def _files() -> list[Path]:
    files = [p for p in map(_module_file, extraction_modules()) if p is not None]
    for folder in DATA_FOLDERS:
        files += sorted(p for p in (_HERE / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return files


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A hash of everything that decides what extraction gives (computed once per process).

    Neither jieba nor the tagger (numpy) is imported for it: a rebuild that finds
    every article in the cache needs neither.
    """
    from importlib.metadata import PackageNotFoundError, version

    from kg import __version__

    h = hashlib.sha256(f"kg {__version__} python {sys.version_info[:2]}\n".encode())
    for lib in LIBRARIES:
        try:
            h.update(f"{lib} {version(lib)}\n".encode())
        except PackageNotFoundError:
            h.update(f"{lib} -\n".encode())
    for path in _files():
        h.update(path.relative_to(_HERE).as_posix().encode() + b"\0")
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:20]


@lru_cache(maxsize=1)
def assembly_version() -> str:
    """A hash of the code that turns extractions into a run's assembled state."""
    h = hashlib.sha256()
    for name in ("assemble.py", "schema.py", "cache.py"):
        h.update((_HERE / name).read_bytes())
    return h.hexdigest()[:20]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


# ---------------------------------------------------------------- the folder


def check_folder(path: str | os.PathLike) -> str | None:
    """Why the cache folder ``path`` must not be used, or None if it may (or does not exist yet).

    A folder another user owns, or one its group or others may write, could hold
    entries someone else planted: it is refused. (Root may use its own folders.)

    >>> import tempfile
    >>> check_folder(tempfile.mkdtemp()) is None
    True
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    if not stat.S_ISDIR(st.st_mode):
        return "not a folder"
    if st.st_uid != os.geteuid():
        return f"owned by another user (uid {st.st_uid})"
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"writable by {'others' if st.st_mode & stat.S_IWOTH else 'its group'} (mode {st.st_mode & 0o777:o})"
    return None


def open_regular(path: str | os.PathLike) -> int:
    """A read-only descriptor of the regular file ``path``; OSError for anything else (a FIFO planted
    there never blocks). The caller closes it."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(21, "not a regular file", str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str | os.PathLike) -> bytes:
    """The bytes of the regular file ``path``; OSError for anything else (``open_regular``)."""
    fd = open_regular(path)
    try:
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def make_folder(path: Path) -> None:
    """Create ``path`` (and its parents) for the owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


# ---------------------------------------------------------------- entries as data


def _rows(value: object, types: tuple[type, ...]) -> tuple[tuple, ...]:
    """``value`` (a list of lists) as a tuple of tuples whose columns have ``types``, else ValueError."""
    if not isinstance(value, list):
        raise ValueError("not a list")
    out = []
    n = len(types)
    for row in value:
        if not isinstance(row, list) or len(row) != n:
            raise ValueError("bad row")
        for cell, t in zip(row, types):
            if type(cell) is not t:
                raise ValueError("bad cell")
        out.append(tuple(row))
    return tuple(out)


_S, _I = str, int
_SENTENCE = (_S, _I, _I)
_MENTION = (_S, _S, _S, _S, _I)
_RELATION = (_S, _S, _S, _S, _S, _S, _S, _S, _I)


def extraction_to_data(ext: Extraction) -> list:
    """The fields of ``ext`` as JSON-able lists (``extraction_from_data`` reads them back)."""
    return [
        ext.id,
        ext.path,
        ext.sha256,
        ext.title,
        ext.chars,
        ext.warnings,
        ext.sentences,
        ext.mentions,
        ext.relations,
    ]


def extraction_from_data(data: object) -> Extraction:
    """An ``Extraction`` from ``extraction_to_data``'s lists; ValueError if any field has the wrong type."""
    if not isinstance(data, list) or len(data) != 9:
        raise ValueError("not an extraction")
    id_, path, sha256, title, chars, warnings, sentences, mentions, relations = data
    if not all(type(x) is str for x in (id_, path, sha256, title)) or type(chars) is not int:
        raise ValueError("bad header")
    if not isinstance(warnings, list) or not all(type(w) is str for w in warnings):
        raise ValueError("bad warnings")
    return Extraction(
        id=id_,
        path=path,
        sha256=sha256,
        title=title,
        chars=chars,
        warnings=tuple(warnings),
        sentences=_rows(sentences, _SENTENCE),
        mentions=_rows(mentions, _MENTION),
        relations=_rows(relations, _RELATION),
    )


#: The attributes of an Assembler and how each is stored; a state with others is not stored.
_STATE_FIELDS = ("docs", "type_votes", "aliases", "mentions", "documents", "first_sentence", "first_seen", "links")


def state_to_data(part, lines: list) -> dict | None:
    """A run's ``(Assembler, report lines)`` as JSON-able data, or None if the assembler has changed shape."""
    fields = vars(part)
    if set(fields) != set(_STATE_FIELDS) or not isinstance(fields["mentions"], Counter):
        return None  # kg.assemble grew or renamed a field: better no stored runs than half-stored ones
    return {
        "docs": part.docs,
        "type_votes": part.type_votes,
        "aliases": {k: sorted(v) for k, v in part.aliases.items()},
        "mentions": dict(part.mentions),
        "documents": {k: sorted(v) for k, v in part.documents.items()},
        "first_sentence": part.first_sentence,
        "first_seen": part.first_seen,
        "links": part.links,
        "lines": lines,
    }


def _evidence(ev: object) -> dict:
    if not isinstance(ev, dict) or set(ev) != {"document", "sentence", "start", "end"}:
        raise ValueError("bad evidence")
    if type(ev["document"]) is not str or type(ev["sentence"]) is not str:
        raise ValueError("bad evidence")
    if type(ev["start"]) is not int or type(ev["end"]) is not int:
        raise ValueError("bad evidence")
    return ev


def _str_map(value: object) -> dict:
    if not isinstance(value, dict):
        raise ValueError("not a map")
    return value


def state_from_data(data: object) -> tuple:
    """``(Assembler, report lines)`` from ``state_to_data``'s data; ValueError if it is not that shape."""
    from kg.assemble import Assembler

    if not isinstance(data, dict) or set(data) != {*_STATE_FIELDS, "lines"}:
        raise ValueError("not a run state")
    part = Assembler()
    docs = data["docs"]
    if not isinstance(docs, list) or not all(isinstance(d, dict) for d in docs):
        raise ValueError("bad docs")
    part.docs = docs
    votes = _str_map(data["type_votes"])
    for tally in votes.values():
        if not isinstance(tally, dict) or not all(type(n) is int for n in tally.values()):
            raise ValueError("bad votes")
    part.type_votes = votes
    for name in ("aliases", "documents"):
        table: defaultdict[str, set[str]] = defaultdict(set)
        for key, values in _str_map(data[name]).items():
            if not isinstance(values, list) or not all(type(v) is str for v in values):
                raise ValueError(f"bad {name}")
            table[key] = set(values)
        setattr(part, name, table)
    mentions = _str_map(data["mentions"])
    if not all(type(n) is int for n in mentions.values()):
        raise ValueError("bad mentions")
    part.mentions = Counter(mentions)
    part.first_sentence = {k: _evidence(ev) for k, ev in _str_map(data["first_sentence"]).items()}
    first_seen: dict = {}
    for key, first in _str_map(data["first_seen"]).items():
        if first is None:
            first_seen[key] = None
        elif isinstance(first, list) and len(first) == 4 and all(type(x) is str for x in first[:3]):
            first_seen[key] = (first[0], first[1], first[2], _evidence(first[3]))
        else:
            raise ValueError("bad first_seen")
    part.first_seen = first_seen
    links = []
    for link in data["links"] if isinstance(data["links"], list) else ():
        if not isinstance(link, list) or len(link) != 5 or not all(type(x) is str for x in link[:4]):
            raise ValueError("bad link")
        links.append((link[0], link[1], link[2], link[3], _evidence(link[4])))
    part.links = links
    lines: list[tuple] = []
    for line in data["lines"] if isinstance(data["lines"], list) else ():
        if not isinstance(line, list) or len(line) != 3 or type(line[0]) is not str or type(line[1]) is not int:
            raise ValueError("bad report line")
        doc_id, chars, note = line
        if chars < 0:
            if type(note) is not str:
                raise ValueError("bad report line")
            lines.append((doc_id, chars, note))
        else:
            if not isinstance(note, list) or not all(type(w) is str for w in note):
                raise ValueError("bad report line")
            lines.append((doc_id, chars, tuple(note)))
    return part, lines


# ---------------------------------------------------------------- the cache


class DocumentCache:
    """Extractions of documents in ``root/VERSION/docs/NA/ME/CONTENT.json``, runs' states in ``root/VERSION/runs/``.

    ``NAME`` hashes a document's id (a run's, its last document's id) and
    ``CONTENT`` the bytes it was made from. Storing an entry removes the other
    entries of the same name: the cache keeps one version of each article and
    of each run, so editing articles does not grow it.
    """

    def __init__(self, root: str | os.PathLike, version: str | None = None) -> None:
        self.root = Path(root)
        self.version = version or extractor_version()

    def _entry(self, folder: str, name: str, content: str) -> Path:
        named = _hash(name)
        return self.root / self.version / folder / named[:2] / named[2:32] / f"{content[:32]}.json"

    def _path(self, doc_id: str, sha256: str) -> Path:
        return self._entry("docs", doc_id, _hash(f"{doc_id}\0{sha256}"))

    def get(self, doc: Extraction) -> Extraction | None:
        """The stored extraction of the document ``doc`` names (by id and hash), else None."""
        return self.lookup(doc.id, doc.sha256)

    @staticmethod
    def _read(path: Path) -> object:
        """The JSON data at ``path``, or None (missing, truncated, not JSON)."""
        try:
            return orjson.loads(read_regular(path))
        except (OSError, orjson.JSONDecodeError):
            return None

    def lookup(self, doc_id: str, sha256: str) -> Extraction | None:
        """The extraction of the document with this id whose bytes hash to ``sha256``, else None."""
        entry = self._read(self._path(doc_id, sha256))
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("version") != self.version:
            return None
        try:
            cached = extraction_from_data(entry.get("doc"))
        except ValueError:
            return None
        if cached.id != doc_id or cached.sha256 != sha256:
            return None
        return cached

    def _state_path(self, run: list[tuple[str, str]]) -> Path:
        h = hashlib.sha256(f"run {FORMAT} {assembly_version()}".encode())
        for doc_id, sha256 in run:
            h.update(f"\0{doc_id}\0{sha256}".encode("utf-8", "surrogateescape"))
        return self._entry("runs", run[-1][0], h.hexdigest())

    def lookup_run(self, run: list[tuple[str, str]]) -> tuple | None:
        """What ``put_run`` stored for this run of (document id, sha256 of its bytes), else None."""
        entry = self._read(self._state_path(run))
        if not isinstance(entry, dict) or entry.get("run") != [list(item) for item in run]:
            return None
        try:
            return state_from_data(entry.get("state"))
        except (ValueError, TypeError, KeyError):
            return None

    def put_run(self, run: list[tuple[str, str]], state: tuple) -> None:
        data = state_to_data(*state)
        if data is not None:
            self._write(self._state_path(run), {"run": run, "state": data})

    def put(self, doc: Extraction) -> None:
        entry = {"format": FORMAT, "version": self.version, "doc": extraction_to_data(doc)}
        self._write(self._path(doc.id, doc.sha256), entry)

    def _write(self, path: Path, entry: dict) -> None:
        """Store ``entry`` at ``path`` atomically, then drop the older entries of the same name."""
        try:
            raw = orjson.dumps(entry)
        except (TypeError, orjson.JSONEncodeError):
            return  # something that is not plain data: not stored
        make_folder(path.parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(raw)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        for old in path.parent.glob("*.json"):  # the folder holds this name's entries only
            if old != path:
                old.unlink(missing_ok=True)


@lru_cache(maxsize=4)
def open_cache(root: str) -> DocumentCache:
    """The ``DocumentCache`` of ``root`` for this process (one per folder, made once)."""
    return DocumentCache(root)
