"""Read-only resources that are slow to build, kept as plain data between runs.

Every kg process needs jieba's prefix dictionary and part-of-speech table;
building them from jieba's dictionary takes about a second, most of a small
build and of a rebuild that finds everything else in the cache, and it is paid
again by every ``-j`` worker. ``load`` builds a resource once per *key* (which
names the versions and files it is made from) and keeps it in
``$KG_RESOURCE_CACHE``, else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``.

What is kept is **data, never code**: JSON (orjson) of dicts, lists, tuples,
strings, numbers, bytes and arrays of numbers (``array.array``, as hex; tagged
so that a tuple comes back a tuple). A resource
that is anything else (an object, an automaton) is simply built in every
process: nothing in the folder is unpickled or imported, so a file planted
there can at worst cost the time of a rebuild. ``load_mapped`` keeps a binary
table (jieba's dictionary, ``kg.segment``) as a file that is mapped into memory
instead of read: its reader checks the layout (every offset inside the file)
before the first lookup. A folder that another user owns
or that its group or others may write is not used (one warning on stderr);
``$KG_NO_RESOURCE_CACHE`` turns the folder off. ``kg build --no-cache`` does
not: it bypasses the extraction cache (what was read from the corpus), while
this folder holds only tables derived from installed package files, as jieba
keeps its own dictionary cache in the temporary folder.

A file that is missing, unreadable, truncated or not the expected shape is
rebuilt; a folder that cannot be written costs time, never the run. Of each
resource the folder keeps the ``KEEP_VERSIONS`` most recently used versions
(other keys): writing a new one removes the rest. The result
equals what the builder returns, so outputs do not depend on the cache.

>>> import tempfile, os
>>> os.environ["KG_RESOURCE_CACHE"] = tempfile.mkdtemp()
>>> load("demo", "v1", lambda: {"a": (1, "x")})
{'a': (1, 'x')}
>>> load("demo", "v1", lambda: {"never": "called"})
{'a': (1, 'x')}
>>> del os.environ["KG_RESOURCE_CACHE"]
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import mmap
import os
import re
import secrets
import sys
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar, overload

import orjson

from kg import _files

T = TypeVar("T")
R = TypeVar("R")

#: The character tagger's model, shipped in ``kg/data`` (``kg.ner``).
NER_MODEL = _files.ner_model()
#: Set (to anything) to build every resource in the process, reading and writing no folder.
OFF = "KG_NO_RESOURCE_CACHE"
FORMAT = 1

_warned: set[str] = set()


def folder() -> Path:
    """Where resources are kept (see the module docstring)."""
    if os.environ.get("KG_RESOURCE_CACHE"):
        return Path(os.environ["KG_RESOURCE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


def usable_folder() -> Path | None:
    """``folder()`` if resources may be read from and kept in it, else None (after one warning)."""
    if os.environ.get(OFF):
        return None
    from kg.cache import check_folder

    where = folder()
    problem = check_folder(where)
    if problem is None:
        return where
    if str(where) not in _warned:
        _warned.add(str(where))
        print(f"kg: warning: not using the resource cache {where}: {problem}", file=sys.stderr)
    return None


@contextlib.contextmanager
def disabled() -> Iterator[None]:
    """Within the block (and in worker processes started in it) no resource folder is read or written."""
    before = os.environ.get(OFF)
    os.environ[OFF] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[OFF]
        else:
            os.environ[OFF] = before


def file_key(*paths: str | os.PathLike, extra: str = "") -> str:
    """A key for resources built from ``paths``: their names, sizes and modification times."""
    h = hashlib.sha256(f"{extra}\0python {sys.version_info[:2]} {sys.byteorder}\0format {FORMAT}".encode())
    for p in map(Path, paths):
        try:
            st = p.stat()
            h.update(f"\0{p.resolve()}\0{st.st_size}\0{st.st_mtime_ns}".encode("utf-8", "surrogateescape"))
        except OSError:
            h.update(f"\0{p}\0missing".encode("utf-8", "surrogateescape"))
    return h.hexdigest()[:20]


class Unstorable(TypeError):
    """A value that is not plain data (``encode``)."""


_SCALARS = (str, int, bool, type(None))
#: the array types ``encode`` keeps (``array.array`` typecodes of numbers)
_TYPECODES = frozenset("bBhHiIlLqQfd")


def _scalar(v: object) -> bool:
    t = type(v)
    return t in _SCALARS or (t is float and math.isfinite(v))  # type: ignore[arg-type]


def encode(value: object) -> object:
    """``value`` as JSON data with its containers tagged (``decode`` is the inverse); Unstorable if not plain.

    >>> encode({"a": (1, [2.5, None])})
    {'D': {'a': {'T': [1, {'L': [2.5, None]}]}}}
    """
    if _scalar(value):
        return value
    t = type(value)
    if t is tuple or t is list:
        return {"T" if t is tuple else "L": [encode(v) for v in value]}  # type: ignore[attr-defined]
    if t is dict:
        d: dict = value  # type: ignore[assignment]
        if not all(type(k) is str for k in d):
            raise Unstorable("a dict with keys that are not strings")
        if all(map(_scalar, d.values())):
            return {"S": d}  # the common big case (jieba's tables): written and read as it is
        return {"D": {k: encode(v) for k, v in d.items()}}
    if t is array:  # numbers in machine order, as hex (the key names the byte order: ``file_key``)
        return {"A": [value.typecode, value.tobytes().hex()]}  # type: ignore[attr-defined]
    if t is bytes:
        return {"B": value.hex()}  # type: ignore[attr-defined]
    raise Unstorable(f"a {t.__name__}")


def decode(data: Any) -> Any:
    """The value ``encode`` made ``data`` of; ValueError on anything else.

    >>> decode(encode({"a": (1, [2.5, None]), "b": {"c": "d"}}))
    {'a': (1, [2.5, None]), 'b': {'c': 'd'}}
    """
    if _scalar(data):
        return data
    if type(data) is not dict or len(data) != 1:
        raise ValueError("not an encoded value")
    ((tag, inner),) = data.items()
    if tag == "S" and type(inner) is dict:
        return inner
    if tag == "D" and type(inner) is dict:
        return {k: decode(v) for k, v in inner.items()}
    if tag in ("T", "L") and type(inner) is list:
        items = [decode(v) for v in inner]
        return tuple(items) if tag == "T" else items
    if tag == "B" and type(inner) is str:
        return bytes.fromhex(inner)
    if tag == "A" and type(inner) is list and len(inner) == 2 and inner[0] in _TYPECODES and type(inner[1]) is str:
        return array(inner[0], bytes.fromhex(inner[1]))
    raise ValueError("not an encoded value")


@overload
def load(name: str, key: str, build: Callable[[], T]) -> T: ...
@overload
def load(name: str, key: str, build: Callable[[], Any], read: Callable[[Any], R]) -> R: ...
def load(name: str, key: str, build: Callable[[], Any], read: Callable[[Any], Any] | None = None) -> Any:
    """The resource ``name`` for ``key``: from the cache folder, else ``build()`` (then stored if plain data).

    ``read``: makes the value returned of the data (stored or built), and checks
    it: a stored file whose data it refuses (ValueError, TypeError, KeyError) is
    built again and replaced, like a damaged one.
    """
    where = usable_folder()
    path = where / f"{name}-{key}.json" if where is not None else None
    if path is not None:
        from kg.cache import read_regular

        try:
            entry = orjson.loads(read_regular(path))
            if type(entry) is dict and entry.get("format") == FORMAT and entry.get("name") == name:
                data = decode(entry["value"])
                value = read(data) if read is not None else data
                _used(path)
                return value
        except (OSError, ValueError, KeyError, TypeError):  # missing, truncated, not ours: rebuild
            pass
    value = build()
    if path is None:
        return read(value) if read is not None else value
    stored = _store(path, name, value)
    return read(stored) if read is not None else stored


def load_mapped(name: str, key: str, build: Callable[[], bytes], read: Callable[[Any], R]) -> R:
    """The binary resource ``name`` for ``key``, mapped from its file in the cache folder, else ``build()`` (then kept).

    The file is mapped read-only into memory, not read: loading costs nothing and
    every process that maps it shares its pages. ``read`` makes the value of the
    mapped (or built) bytes and checks them; a file it refuses (ValueError) is
    built again and replaced, like a missing one. The file is only ever replaced
    whole (written beside it, then renamed), so a mapping never sees it change.
    """
    where = usable_folder()
    path = where / f"{name}-{key}.bin" if where is not None else None
    if path is not None:
        try:
            value = read(_map_regular(path))
            _used(path)
            return value
        except (OSError, ValueError):  # missing, empty, truncated, not ours: rebuild
            pass
    data = build()
    if path is not None:
        _write(path, data)
    return read(data)


def _map_regular(path: Path) -> mmap.mmap:
    """A read-only mapping of the regular file ``path`` (OSError for anything else; ValueError if empty)."""
    from kg.cache import open_regular

    fd = open_regular(path)
    try:
        return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    finally:
        os.close(fd)


def _write(path: Path, raw: bytes) -> None:
    """Put ``raw`` at ``path`` whole (a temporary file beside it, renamed), then prune the other versions
    of the resource (``_prune``); an unwritable folder costs nothing."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(tmp, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return
    m = _VERSIONED.fullmatch(path.name)
    if m:
        _prune(path.parent, m["name"])


#: How many versions of one resource the folder keeps: the most recently used. Its key changes with
#: the version and the place of kg, jieba and Python (each virtual environment has its own), so
#: without pruning every upgrade and every environment would leave its files behind (18 MB for
#: jieba's dictionary alone).
KEEP_VERSIONS = 3
#: A file ``load`` or ``load_mapped`` keeps (``.pickle``: what older versions of kg kept): its name and key.
_VERSIONED = re.compile(r"(?P<name>[a-z0-9-]+)-[0-9a-f]{20}\.(?:json|bin|pickle)")


def _used(path: Path) -> None:
    """Mark ``path`` as just used (its modification time), for ``_prune``."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _prune(where: Path, name: str) -> None:
    """Remove all but the ``KEEP_VERSIONS`` most recently used files of the resource ``name``."""
    try:
        versions = []
        with os.scandir(where) as entries:
            for entry in entries:
                m = _VERSIONED.fullmatch(entry.name)
                if m and m["name"] == name and entry.is_file(follow_symlinks=False):
                    versions.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
    except OSError:
        return
    for _, stale in sorted(versions, reverse=True)[KEEP_VERSIONS:]:
        with contextlib.suppress(OSError):
            os.unlink(where / stale)


def _store(path: Path, name: str, value: T) -> T:
    """Keep ``value`` at ``path`` if it is plain data; ``value``."""
    try:
        raw = orjson.dumps({"format": FORMAT, "name": name, "value": encode(value)})
    except (Unstorable, TypeError, orjson.JSONEncodeError):
        return value  # an object, not data: built in every process
    _write(path, raw)
    return value
