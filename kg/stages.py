"""One document, from its file to its ``Extraction``: the unit of work every engine runs.

The stages are a plain loop ``Document -> Document``; a stage that fails
names itself in the error. This module is part of the extraction cache's key
(``kg.cache.EXTRACTION_MODULES``); how a corpus is built and assembled
(``kg.pipeline``, ``kg.assemble``) is not.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from kg.extract import find_entities
from kg.inputs import document_of, read_item
from kg.model import Document, Extraction
from kg.relations import find_relations
from kg.resolve import resolve_document
from kg.textio import DecodeError, display_name

Stage = Callable[[Document], Document]
STAGES: tuple[tuple[str, Stage], ...] = (
    ("entities", find_entities),
    ("resolve", resolve_document),
    ("relations", find_relations),
)


class StageError(RuntimeError):
    pass


def process(doc: Document, stages=None) -> Document:
    """Run every stage on one document; an exception names the stage it came from."""
    for name, stage in STAGES if stages is None else stages:
        try:
            result = stage(doc)
        except Exception as exc:
            raise StageError(f"stage {name!r} failed: {type(exc).__name__}: {exc}") from exc
        if not isinstance(result, Document):
            raise StageError(f"stage {name!r} returned {type(result).__name__}, not a Document")
        doc = result
    return doc


@dataclass(frozen=True)
class Outcome:
    """What became of one document: ``status`` is ``ok``, ``skipped`` (not text) or ``failed`` (a stage raised).

    ``sha256`` hashes the bytes the document was read from ('' if they could not be read).
    """

    doc_id: str
    status: str
    extraction: Extraction | None = None
    reason: str = ""
    cached: bool = False
    sha256: str = ""


def process_path(item: tuple, cache_dir: str | None = None) -> Outcome:
    """Read, extract (or fetch from the cache) one document; never raises for a bad document.

    ``item`` is ``(id, path)`` or ``(id, path, start, end)`` (``kg.inputs``). The
    bytes are read once: their hash finds the cache entry and they are what is
    extracted and stored under that hash, so an entry always describes the
    bytes of its key, however the file changes meanwhile. This is the unit of
    work every engine runs (see ``kg.parallel``).
    """
    doc_id = display_name(item[0])
    try:
        raw = read_item(item)
    except (DecodeError, OSError) as exc:
        return Outcome(doc_id, "skipped", reason=_reason(exc))
    digest = hashlib.sha256(raw).hexdigest()
    cache = None
    if cache_dir:
        from kg.cache import open_cache

        cache = open_cache(cache_dir)
        hit = cache.lookup(doc_id, digest)
        if hit is not None:
            return Outcome(doc_id, "ok", hit, cached=True, sha256=digest)
    try:
        doc = document_of((doc_id, *item[1:]), raw, digest)
    except (DecodeError, OSError) as exc:
        return Outcome(doc_id, "skipped", reason=_reason(exc), sha256=digest)
    del raw
    try:
        done = process(doc)
    except Exception as exc:
        return Outcome(
            doc_id, "failed", reason=str(exc) if isinstance(exc, StageError) else f"{type(exc).__name__}: {exc}"
        )
    extraction = Extraction.of(done)
    if cache is not None:
        with contextlib.suppress(OSError):  # a read-only or full cache folder costs speed, not the build
            cache.put(extraction)
    return Outcome(doc_id, "ok", extraction, sha256=digest)


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
