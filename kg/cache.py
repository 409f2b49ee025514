"""Per-document extraction results on disk, so a rebuild re-extracts only what changed.

A document's ``Extraction`` is stored under a key made of the extractor version,
the document id and the sha256 of the file's bytes. The extractor version is
computed, never bumped by hand: a hash of the source of every module that
shapes extraction, every lexicon file, the tagger model and the versions of
kg, jieba and Python. Change any of them and every entry is stale (and simply
never read again; delete the folder to reclaim the space).

Entries are pickles of ``{"format": FORMAT, "version": ..., "doc": Extraction}``
written atomically; an entry that cannot be read or has another format or
version is a miss, never an error.

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
>>> cache.get(ext).chars
7
"""

from __future__ import annotations

import hashlib
import os
import pickle
import secrets
import sys
from functools import lru_cache
from pathlib import Path

from kg.model import Extraction
from kg.resources import NER_MODEL

#: Bump only when the layout of an entry changes (the version covers the code).
FORMAT = 2

_HERE = Path(__file__).resolve().parent
#: Modules whose source decides what a document's extraction gives.
EXTRACTION_MODULES = (
    "textio",
    "segment",
    "posseg",
    "places",
    "extract/__init__",
    "extract/bodies",
    "extract/initiatives",
    "extract/merge",
    "extract/parts",
    "extract/persons",
    "extract/places",
    "extract/tagger",
    "extract/words",
    "patterns",
    "schema",
    "relations/__init__",
    "relations/context",
    "relations/events",
    "relations/patterns",
    "relations/posts",
    "relations/structure",
    "relations/view",
    "resolve",
    "ner",
    "crf",
    "model",
    "stages",
)


def _files() -> list[Path]:
    files = [_HERE / f"{name}.py" for name in EXTRACTION_MODULES]
    files += sorted(p for p in (_HERE / "lexicon").iterdir() if p.is_file() and p.suffix in (".py", ".txt", ".tsv"))
    files.append(NER_MODEL)
    return files


@lru_cache(maxsize=1)
def extractor_version() -> str:
    """A hash of everything that decides what extraction gives (computed once per process).

    Neither jieba nor the tagger (numpy) is imported for it: a rebuild that finds
    every article in the cache needs neither.
    """
    from importlib.metadata import version

    from kg import __version__

    h = hashlib.sha256()
    h.update(f"kg {__version__} jieba {version('jieba')} python {sys.version_info[:2]}\n".encode())
    for path in _files():
        h.update(path.name.encode() + b"\0")
        try:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        except FileNotFoundError:
            h.update(b"<missing>")
    return h.hexdigest()[:20]


@lru_cache(maxsize=1)
def assembly_version() -> str:
    """A hash of the code that turns extractions into a run's assembled state."""
    h = hashlib.sha256()
    for name in ("assemble.py", "schema.py"):
        h.update((_HERE / name).read_bytes())
    return h.hexdigest()[:20]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


class DocumentCache:
    """Extractions of documents in ``root/VERSION/docs/NA/ME/CONTENT.pkl``, runs' states in ``root/VERSION/runs/``.

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
        return self.root / self.version / folder / named[:2] / named[2:32] / f"{content[:32]}.pkl"

    def _path(self, doc_id: str, sha256: str) -> Path:
        return self._entry("docs", doc_id, _hash(f"{doc_id}\0{sha256}"))

    def get(self, doc: Extraction) -> Extraction | None:
        """The stored extraction of the document ``doc`` names (by id and hash), else None."""
        return self.lookup(doc.id, doc.sha256)

    def lookup(self, doc_id: str, sha256: str) -> Extraction | None:
        """The extraction of the document with this id whose file bytes hash to ``sha256``, else None.

        Needs only the raw bytes' hash, so a rebuild does not even decode an unchanged file.
        """
        try:
            with open(self._path(doc_id, sha256), "rb") as fh:
                entry = pickle.loads(fh.read())  # one read: pickle.load(fh) makes many small ones
        except Exception:  # missing, truncated, from another Python: a miss
            return None
        if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("version") != self.version:
            return None
        cached = entry.get("doc")
        if not isinstance(cached, Extraction) or cached.id != doc_id or cached.sha256 != sha256:
            return None
        return cached

    def _state_path(self, run: list[tuple[str, str]]) -> Path:
        h = hashlib.sha256(f"run {FORMAT} {assembly_version()}".encode())
        for doc_id, sha256 in run:
            h.update(f"\0{doc_id}\0{sha256}".encode("utf-8", "surrogateescape"))
        return self._entry("runs", run[-1][0], h.hexdigest())

    def lookup_run(self, run: list[tuple[str, str]]) -> tuple | None:
        """What ``put_run`` stored for this run of (document id, file sha256), else None."""
        try:
            with open(self._state_path(run), "rb") as fh:
                entry = pickle.loads(fh.read())
        except Exception:  # missing, truncated, from another Python: a miss
            return None
        if not isinstance(entry, dict) or entry.get("run") != run:
            return None
        return entry.get("state")

    def put_run(self, run: list[tuple[str, str]], state: tuple) -> None:
        self._write(self._state_path(run), {"run": run, "state": state})

    def put(self, doc: Extraction) -> None:
        self._write(self._path(doc.id, doc.sha256), {"format": FORMAT, "version": self.version, "doc": doc})

    @staticmethod
    def _write(path: Path, entry: dict) -> None:
        """Store ``entry`` at ``path`` atomically, then drop the older entries of the same name."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "wb") as fh:
                pickle.dump(entry, fh, protocol=5)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        for old in path.parent.glob("*.pkl"):  # the folder holds this name's entries only
            if old != path:
                old.unlink(missing_ok=True)


@lru_cache(maxsize=4)
def open_cache(root: str) -> DocumentCache:
    """The ``DocumentCache`` of ``root`` for this process (one per folder, made once)."""
    return DocumentCache(root)
