"""What the finders share about words: characters, punctuation, jieba's dictionary and cuts.

Finders match on characters; jieba only judges where words begin and end
(``left_tokens``, ``ends_a_word``) and whether a word is in its dictionary.
"""

from __future__ import annotations

from functools import lru_cache

from kg import lexicon
from kg.segment import pos_tokenizer, tokenizer

HAN = r"\u3400-\u9fff"
PUNCT = frozenset("，,。.！!？?；;：:、“”\"‘’'（）()《》〈〉【】[]「」『』—…·/\\|\n\t ")
NUMERALS = frozenset("0123456789一二三四五六七八九十百千万两几多数")

STOP_WORDS = lexicon.boundary_words()


def is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def is_count(word: str) -> bool:
    """三大, 1个, 几家: a count, which ends a name (第十三所 does not)."""
    return word[0] in NUMERALS and not word.isdigit()


@lru_cache(maxsize=1)
def dictionary():
    """jieba's prefix dictionary (word -> frequency; 0 for a prefix that is no word)."""
    return tokenizer().FREQ


def left_tokens(text: str, end: int, max_len: int):
    """jieba words (word, flag) of the run of text before ``end``, nearest last."""
    lo = end
    while (
        lo > 0
        and end - lo < max_len
        and (text[lo - 1] not in PUNCT or text[lo - 1] == "·")
        and not text[lo - 1].isspace()
    ):
        lo -= 1
    return pos_cut(text[lo:end])


@lru_cache(maxsize=1 << 16)
def pos_cut(window: str) -> tuple[tuple[str, str], ...]:
    """jieba.posseg words of ``window``, memoised: the words before a head word
    (河北省科学技术 before 厅) recur across a corpus, and jieba's POS HMM is slow."""
    return tuple(pos_tokenizer().cut(window, HMM=True))


def words(text: str) -> list[str]:
    """jieba's words of ``text`` (dictionary only, no HMM)."""
    return list(tokenizer().cut(text, HMM=False)) if text else []


def ends_a_word(text: str, end: int) -> bool:
    """Does a word end at ``end``? (国际货币基金|组织 and 人民大会|堂 do not.)"""
    lo = max(0, end - 4)
    pos = lo
    for token in tokenizer().cut(text[lo : end + 3], HMM=False):
        if pos < end < pos + len(token):
            return False
        pos += len(token)
        if pos >= end:
            return True
    return True


def _may_cut(window: str, at: int) -> bool:
    """Whether jieba could cut a word of ``window`` across ``at`` at all: a dictionary word spans it, or a
    run of ASCII letters and digits does (jieba's no-HMM cut keeps those together). Cheaper than the cut,
    and most places and names have no such word around their edge."""
    if 0 < at < len(window) and _ascii_word(window[at - 1]) and _ascii_word(window[at]):
        return True
    freq = dictionary()
    for i in range(at):
        # the prefix dictionary holds every beginning of a word: once window[i:j] is none, no longer one is a word
        for j in range(at + 1, len(window) + 1):
            known = freq.get(window[i:j])
            if known is None:
                break
            if known:
                return True
    return False


def _ascii_word(ch: str) -> bool:
    """A character jieba's ``re_eng`` keeps in a run (ASCII letters and digits)."""
    return ch.isascii() and ch.isalnum()


def crosses_word_end(text: str, start: int, end: int) -> bool:
    """Does a dictionary word of ``text[start:end+2]`` run across ``end``? (a name cannot end inside a word)"""
    return cuts_a_word(text[start : end + 2], end - start)


@lru_cache(maxsize=1 << 16)
def cuts_a_word(window: str, at: int) -> bool:
    """Does one of jieba's dictionary words of ``window`` run across position ``at``?

    >>> cuts_a_word("沿海城市", 2), cuts_a_word("沿海城市", 1)
    (False, True)
    """
    return _may_cut(window, at) and _cut_crosses(window, at)


def _cut_crosses(window: str, at: int) -> bool:
    """``cuts_a_word`` by jieba's cut itself, without the guard."""
    pos = 0
    for token in tokenizer().cut(window, HMM=False):
        if pos < at < pos + len(token):
            return True
        pos += len(token)
        if pos >= at:
            break
    return False
