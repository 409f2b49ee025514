"""One private jieba set-up per process, shared by every stage.

jieba's global tokenizer is process-wide state (``load_userdict`` and
``enable_parallel`` change it for every caller), so kg builds its own
``jieba.Tokenizer`` once, lazily, and never touches the global one.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import jieba
import jieba.posseg

jieba.setLogLevel(logging.WARNING)


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


@lru_cache(maxsize=1)
def pos_tokenizer() -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(tokenizer())


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
