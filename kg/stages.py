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
from pathlib import Path

from kg.extract import find_entities
from kg.model import Document, Extraction
from kg.relations import find_relations
from kg.resolve import resolve_document
from kg.textio import DecodeError, display_name, read_document

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
    """What became of one file: ``status`` is ``ok``, ``skipped`` (not text) or ``failed`` (a stage raised)."""

    doc_id: str
    status: str
    extraction: Extraction | None = None
    reason: str = ""
    cached: bool = False


def process_path(item: tuple[str, str | Path], cache_dir: str | None = None) -> Outcome:
    """Read, extract (or fetch from the cache) one file; never raises for a bad document.

    This is the unit of work every engine runs (see ``kg.parallel``).
    """
    doc_id, path = item
    cache = None
    if cache_dir:
        from kg.cache import open_cache

        cache = open_cache(cache_dir)
        try:  # an unchanged file is found by the hash of its bytes, before any decoding
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            digest = ""
        hit = cache.lookup(display_name(doc_id), digest) if digest else None
        if hit is not None:
            return Outcome(doc_id, "ok", hit, cached=True)
    try:
        doc = read_document(path, doc_id)
    except (DecodeError, OSError) as exc:
        return Outcome(doc_id, "skipped", reason=str(exc))
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
    return Outcome(doc_id, "ok", extraction)
