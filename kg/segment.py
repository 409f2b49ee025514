"""One private jieba set-up per process, shared by every stage.

jieba's global tokenizer is process-wide state (``load_userdict`` and
``enable_parallel`` change it for every caller), so kg builds its own
``jieba.Tokenizer`` once, lazily, and never touches the global one.

jieba is imported on first use, not with this module, and ``jieba.posseg``
never: importing it reads the whole dictionary (0.4 s) in every process and
``-j`` worker; ``kg.posseg`` is its cut over the tables kept by ``kg.resources``.

With the compiled extension, jieba's prefix dictionary and POS table are one
``kg._speedups.WordTable`` mapped from a file (``_word_table``): nothing to load,
pages shared by every process, and jieba's route looks substrings up in it
without making them. Without it they are the two dicts of ``_tables``. Both
answer every word alike (``tests/test_speedups.py``).
"""

from __future__ import annotations

import logging
import math
import pickle
import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg import resources
from kg.crf import speedups

if TYPE_CHECKING:
    import jieba

    from kg.posseg import POSTokenizer


def _jieba():
    """jieba, imported without ``pkg_resources`` (a tenth of a second), which it uses only to open its own files.

    Without it jieba opens them by path, as it does on any install without setuptools.
    """
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # makes `import pkg_resources` fail
        try:
            import jieba
        finally:
            del sys.modules["pkg_resources"]
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _dict_path() -> Path:
    jieba = _jieba()
    return Path(jieba.__file__).resolve().parent / jieba.DEFAULT_DICT_NAME


def _build_tables() -> tuple[dict[str, int], int, dict[str, str]]:
    """jieba's prefix dictionary, its total and its POS table, built from dict.txt."""
    jieba = _jieba()
    tk = jieba.Tokenizer()
    freq, total = tk.gen_pfdict(tk.get_dict_file())
    word_tag_tab: dict[str, str] = {}
    with open(_dict_path(), "rb") as fh:  # as jieba.posseg.POSTokenizer.load_word_tag reads it
        for raw in fh:
            line = raw.strip().decode("utf-8")
            if line:
                word, _, tag = line.split(" ")
                word_tag_tab[word] = tag
    # share the word and tag strings between the two tables, so a pickle stores each once
    words = {w: w for w in freq}
    tags: dict[str, str] = {}
    return freq, total, {words.get(w, w): tags.setdefault(t, t) for w, t in word_tag_tab.items()}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, int], int, dict[str, str]]:
    key = resources.file_key(_dict_path(), extra=f"jieba {_jieba().__version__}")
    return resources.load("jieba-tables", key, _build_tables)


@lru_cache(maxsize=1)
def _tokenizer_class() -> type:
    """jieba.Tokenizer, with its dictionary route (``get_DAG``, ``calc``) compiled when ``kg._speedups`` is built.

    The compiled twins look the same substrings up in the same ``FREQ`` dict and add
    the same logarithms in the same order, so every cut is jieba's own
    (``tests/test_speedups.py``).
    """
    base = _jieba().Tokenizer
    fast = speedups()
    if fast is None:
        return base

    class Tokenizer(base):  # type: ignore[misc, valid-type]
        def get_DAG(self, sentence):  # noqa: N802 (jieba's name)
            self.check_initialized()
            return fast.get_dag(self.FREQ, sentence)

        def calc(self, sentence, DAG, route):  # noqa: N803
            fast.calc(self.FREQ, math.log(self.total), sentence, DAG, route)

    return Tokenizer


@lru_cache(maxsize=1)
def _word_table():
    """jieba's prefix dictionary and POS table as one ``kg._speedups.WordTable``, mapped from its file
    (``kg.resources.load_mapped``); None without the compiled extension (then the dicts of ``_tables``)."""
    fast = speedups()
    if fast is None:
        return None
    key = resources.file_key(_dict_path(), extra=f"jieba {_jieba().__version__} word table {fast.VERSION}")

    def build() -> bytes:
        freq, total, tags = _build_tables()
        return fast.build_word_table(freq, tags, total)

    return resources.load_mapped("jieba-word-table", key, build, fast.WordTable)


class _Tags:
    """The POS table of a ``WordTable``, read as the dict it replaces is (``tags.get(word, default)``)."""

    __slots__ = ("get",)

    def __init__(self, table) -> None:
        self.get = table.tag


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """kg's own jieba tokenizer over the default dictionary (see ``kg.resources`` for the loading)."""
    tk = _tokenizer_class()()
    table = _word_table()
    if table is not None:
        tk.FREQ, tk.total = table, table.total  # jieba reads FREQ only with `in`, get and [] (kg never adds words)
    else:
        tk.FREQ, tk.total, _ = _tables()
    tk.initialized = True  # what Tokenizer.initialize() sets once FREQ and total are loaded
    return tk


HMM_FILES = ("char_state_tab.p", "prob_start.p", "prob_trans.p", "prob_emit.p")


def _hmm_paths() -> list[Path]:
    # jieba ships its POS HMM twice: as modules, and as these pickles (for Jython)
    return [_dict_path().parent / "posseg" / name for name in HMM_FILES]


def _build_hmm() -> tuple:
    tables = []
    for path in _hmm_paths():
        with open(path, "rb") as fh:
            tables.append(pickle.load(fh))
    return tuple(tables)


@lru_cache(maxsize=1)
def _hmm() -> tuple:
    """jieba.posseg's HMM tables: (char_state_tab, start, trans, emit)."""
    key = resources.file_key(*_hmm_paths(), extra=f"jieba {_jieba().__version__}")
    return resources.load("jieba-posseg-hmm", key, _build_hmm)


def _hmm_arrays() -> tuple | None:
    """The HMM's flat tables for the compiled Viterbi (``kg.posseg.hmm_arrays``), kept like the HMM itself."""
    from kg import posseg

    if speedups() is None:
        return None
    key = resources.file_key(*_hmm_paths(), posseg.__file__, extra=f"jieba {_jieba().__version__}")
    return resources.load("jieba-posseg-hmm-arrays", key, lambda: posseg.hmm_arrays(_hmm()))


@lru_cache(maxsize=1)
def pos_tokenizer() -> POSTokenizer:
    """jieba.posseg's cut (``kg.posseg``) over kg's tokenizer, POS table and HMM."""
    from kg.posseg import POSTokenizer

    table = _word_table()
    tags = _Tags(table) if table is not None else _tables()[2]
    return POSTokenizer(tokenizer(), tags, _hmm, _hmm_arrays())  # the HMM itself is loaded if needed


def word_pos(word: str) -> str:
    """The part of speech jieba's dictionary gives ``word`` ('' if unknown).

    >>> word_pos("天津")
    'ns'
    """
    return pos_tokenizer().word_tag_tab.get(word, "")


def crosses_word(left: str, right: str) -> bool:
    """Does a dictionary word run across the seam between ``left`` and ``right``?

    >>> crosses_word("省科技厅坚", "持“规定动作”")
    True
    >>> crosses_word("高扬主旋律", "7月6日")
    False
    """
    a, b = left[-3:], right[:3]
    seam = len(a)
    pos = 0
    for token in tokenizer().cut(a + b, HMM=False):
        if pos < seam < pos + len(token):
            return True
        pos += len(token)
    return False
