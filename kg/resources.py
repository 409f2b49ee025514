"""Read-only resources that are slow to build, kept as pickles between runs.

Every kg process needs jieba's prefix dictionary and part-of-speech table and
the gazetteer's automaton. Building them from their sources takes about two
seconds (jieba's own cache is a ``marshal`` file that loads three times slower
than a pickle of the same dicts, and it has no POS table); that is most of a
small build and of a rebuild that finds everything else in the cache, and it is
paid again by every ``-j`` worker. ``load`` builds a resource once per *key*
(which names the versions and files it is made from) and keeps it in
``$KG_RESOURCE_CACHE``, else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``.

A file that is missing, unreadable, truncated or from another Python is rebuilt;
a folder that cannot be written costs time, never the run. The result is the
same object the builder returns, so outputs do not depend on the cache.

>>> import tempfile, os
>>> os.environ["KG_RESOURCE_CACHE"] = tempfile.mkdtemp()
>>> load("demo", "v1", lambda: {"a": 1})
{'a': 1}
>>> load("demo", "v1", lambda: {"never": "called"})
{'a': 1}
>>> del os.environ["KG_RESOURCE_CACHE"]
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kg import _files

T = TypeVar("T")

#: The character tagger's model, shipped in ``kg/data`` (``kg.ner``).
NER_MODEL = _files.ner_model()


def folder() -> Path:
    """Where resources are kept (see the module docstring)."""
    if os.environ.get("KG_RESOURCE_CACHE"):
        return Path(os.environ["KG_RESOURCE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


def file_key(*paths: str | os.PathLike, extra: str = "") -> str:
    """A key for resources built from ``paths``: their names, sizes and modification times."""
    h = hashlib.sha256(f"{extra}\0python {sys.version_info[:2]}".encode())
    for p in map(Path, paths):
        try:
            st = p.stat()
            h.update(f"\0{p.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape"))
        except OSError:
            h.update(f"\0{p}\0missing".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:20]


def load(name: str, key: str, build: Callable[[], T]) -> T:
    """The resource ``name`` for ``key``: from the cache folder, else ``build()`` (then stored)."""
    path = folder() / f"{name}-{key}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, truncated, another Python: rebuild
        pass
    value = build()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return value
