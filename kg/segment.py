"""One private jieba set-up per process, shared by every stage.

jieba's global tokenizer is process-wide state (``load_userdict`` and
``enable_parallel`` change it for every caller), so kg builds its own
``jieba.Tokenizer`` once, lazily, and never touches the global one.

jieba is imported on first use, not with this module: importing
``jieba.posseg`` reads its whole dictionary (half a second), which a process
that only assembles cached results never needs.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kg import resources

if TYPE_CHECKING:
    import jieba
    import jieba.posseg


def _jieba():
    import jieba
    import jieba.posseg

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
    pos = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
    pos.load_word_tag(tk.get_dict_file())
    # share the word and tag strings between the two tables, so a pickle stores each once
    words = {w: w for w in freq}
    tags: dict[str, str] = {}
    return freq, total, {words.get(w, w): tags.setdefault(t, t) for w, t in pos.word_tag_tab.items()}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, int], int, dict[str, str]]:
    key = resources.file_key(_dict_path(), extra=f"jieba {_jieba().__version__}")
    return resources.load("jieba-tables", key, _build_tables)


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """kg's own jieba tokenizer over the default dictionary (see ``kg.resources`` for the loading)."""
    tk = _jieba().Tokenizer()
    tk.FREQ, tk.total, _ = _tables()
    tk.initialized = True  # what Tokenizer.initialize() sets once FREQ and total are loaded
    return tk


@lru_cache(maxsize=1)
def pos_tokenizer() -> jieba.posseg.POSTokenizer:
    """jieba's POS tokenizer over kg's tokenizer and the ready POS table (its __init__ would re-read dict.txt)."""
    pos = _jieba().posseg.POSTokenizer.__new__(_jieba().posseg.POSTokenizer)
    pos.tokenizer = tokenizer()
    pos.word_tag_tab = _tables()[2]
    return pos


def word_pos(word: str) -> str:
    """The part of speech jieba's dictionary gives ``word`` ('' if unknown).

    >>> word_pos("天津")
    'ns'
    """
    return pos_tokenizer().word_tag_tab.get(word, "")


def word_freq(word: str) -> int:
    return tokenizer().FREQ.get(word, 0)


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
