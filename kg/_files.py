"""The files kg ships, found through ``importlib.resources``.

Wherever kg is installed (a wheel in site-packages, an editable install of the
repository), the same names give the same files:

- ``kg/lexicon/*``: the lexicons (``kg.lexicon``);
- ``kg/data/*``: the tagger's model and the gazetteer's tables;
- the ontology: ``kg.ttl``, ``shapes.ttl`` and ``queries/*.rq``, in the package
  ``kg.ontology``, which is the repository's top-level ``ontology/`` folder
  installed inside kg (pyproject.toml maps one to the other).
  ``$KG_ONTOLOGY_DIR``, when set, names another folder of the same shape.

Each is a ``pathlib.Path``: the caches key on the files' sizes and times, and
pip installs kg as files; a kg imported from a zip archive is refused with a
clear error rather than half working.

>>> lexicon_text("titles.txt").count("\\n") > 10
True
>>> sorted(p.name for p in query_dir().glob("officials*.rq"))
['officials_by_agency.rq']
>>> ontology_dir() / "shapes.ttl" == ontology_file("shapes.ttl")
True
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

#: The character tagger's model in ``kg/data`` (``kg.ner``).
NER_MODEL_NAME = "ner_msra.crfsuite"


def _folder(package: str) -> Path:
    root = files(package)
    if not isinstance(root, Path):  # a zip archive or another loader
        raise RuntimeError(f"kg needs its files on disk, but {package} is in {root}; install kg with pip")
    return root


def lexicon_path(name: str) -> Path:
    """The lexicon file ``name`` (``titles.txt``, ``org_suffixes.tsv``, …)."""
    return _folder("kg.lexicon") / name


def lexicon_text(name: str) -> str:
    return lexicon_path(name).read_text(encoding="utf-8")


def data_dir() -> Path:
    """The folder ``kg/data``: the tagger's model, the gazetteer's tables and their licence."""
    return _folder("kg") / "data"


def data_path(name: str) -> Path:
    """The file ``name`` in ``kg/data``."""
    return data_dir() / name


def ner_model() -> Path:
    """The bundled character tagger's model."""
    return data_path(NER_MODEL_NAME)


def ontology_dir() -> Path:
    """The folder of ``kg.ttl``, ``shapes.ttl`` and ``queries/``: ``$KG_ONTOLOGY_DIR`` or the installed ontology."""
    if os.environ.get("KG_ONTOLOGY_DIR"):
        return Path(os.environ["KG_ONTOLOGY_DIR"])
    return _folder("kg.ontology")


def ontology_file(name: str) -> Path:
    """``kg.ttl`` or ``shapes.ttl``."""
    return ontology_dir() / name


def query_dir() -> Path:
    """The folder of the named queries (``NAME.rq``)."""
    return ontology_dir() / "queries"
