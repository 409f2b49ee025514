"""jieba's part-of-speech cut, without importing ``jieba.posseg``.

Importing ``jieba.posseg`` builds a module-level ``POSTokenizer`` that reads
the whole of dict.txt (0.4 s) and imports its HMM tables from Python modules
that are slow to load, in every process, before kg can hand it the tables it
already keeps (``kg.resources``). This module is jieba 0.42's
``POSTokenizer.cut`` and its Viterbi decoder (MIT licence, Sun Junyi),
changed only to yield ``(word, flag)`` tuples instead of ``pair`` objects and
to take its tables as arguments; ``tests/test_resources.py`` checks that it
cuts exactly like ``jieba.posseg`` on real and random text.

Its two costly steps, the dictionary route (``Tokenizer.get_DAG`` and ``calc``)
and the HMM Viterbi, run compiled in ``kg._speedups`` when it is built: the
same lookups, sums and tie-breaks in the same order, so the same words and tags
(``tests/test_speedups.py`` compares both routes with ``jieba.posseg``).

>>> from kg.segment import pos_tokenizer
>>> pos_tokenizer().lcut("河北省科技厅在唐山市")
[('河北省', 'ns'), ('科技厅', 'n'), ('在', 'p'), ('唐山市', 'ns')]
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable, Iterator
from typing import Protocol

from kg.crf import speedups

MIN_FLOAT = -3.14e100
MIN_INF = float("-inf")

re_han_detail = re.compile("([\u4e00-\u9fd5]+)")
re_skip_detail = re.compile(r"([\.0-9]+|[a-zA-Z0-9]+)")
re_han_internal = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._]+)")
re_skip_internal = re.compile(r"(\r\n|\s)")
re_eng = re.compile("[a-zA-Z0-9]+")
re_num = re.compile(r"[\.0-9]+")
re_eng1 = re.compile("^[a-zA-Z0-9]$", re.U)

Word = tuple[str, str]


def viterbi(obs: str, states, start_p, trans_p, emit_p) -> tuple[float, list]:
    """jieba.posseg.viterbi.viterbi, with the same sums in the same order, so the same path.

    Two changes make it about twice as fast: a state's emission is looked up
    once, not once per previous state; and only previous states with a
    transition into a state are tried (the others score -inf), unless none of
    those scores better than -inf, when jieba's full comparison decides.
    """
    V: list[dict] = [{}]
    mem_path: list[dict] = [{}]
    all_states = trans_p.keys()
    for y in states.get(obs[0], all_states):
        V[0][y] = start_p[y] + emit_p[y].get(obs[0], MIN_FLOAT)
        mem_path[0][y] = ""
    for t in range(1, len(obs)):
        prev = V[t - 1]
        here: dict = {}
        path: dict = {}
        V.append(here)
        mem_path.append(path)
        prev_states = [x for x in mem_path[t - 1] if len(trans_p[x]) > 0]
        prev_states_expect_next = {y for x in prev_states for y in trans_p[x]}
        obs_states = set(states.get(obs[t], all_states)) & prev_states_expect_next
        if not obs_states:
            obs_states = prev_states_expect_next if prev_states_expect_next else all_states
        char = obs[t]
        for y in obs_states:
            em = emit_p[y].get(char, MIN_FLOAT)
            best = None
            for y0 in prev_states:
                tr = trans_p[y0].get(y)
                if tr is not None:
                    cand = (prev[y0] + tr + em, y0)
                    if best is None or cand > best:
                        best = cand
            if best is None or best[0] == MIN_INF:
                best = max((prev[y0] + trans_p[y0].get(y, MIN_INF) + em, y0) for y0 in prev_states)
            here[y], path[y] = best
    prob, state = max((V[-1][y], y) for y in mem_path[-1])
    route: list = [None] * len(obs)
    i = len(obs) - 1
    while i >= 0:
        route[i] = state
        state = mem_path[i][state]
        i -= 1
    return prob, route


def hmm_arrays(hmm: tuple) -> tuple | None:
    """jieba's POS HMM as the flat tables ``kg._speedups.PosHmm`` takes, and its states by id.

    States are numbered in the sorted order of their (position, tag) tuples, so the
    compiled tie-break on the larger id is jieba's ``max`` over (score, state) tuples.
    None for tables the compiled route does not take (jieba would fail on them, or a
    character lies beyond the BMP): the Python route decides there. Plain data, so
    ``kg.segment`` keeps it with the other resources (building it takes 0.1 s).
    """
    char_states, start, trans, emit = hmm
    states = sorted(trans)  # jieba's all_states
    known = set(states)
    if not (known == set(start) == set(emit)) or any(not set(d) <= known for d in trans.values()):
        return None  # a table jieba would fail on with a KeyError: its own route says so
    if any(not set(v) <= known for v in char_states.values()):
        return None
    chars = [c for c in char_states] + [c for d in emit.values() for c in d]
    if any(len(c) != 1 or ord(c) >= 0x10000 for c in chars):
        return None
    ids = {y: i for i, y in enumerate(states)}
    n = len(states)
    starts = array("d", [start[y] for y in states])
    table = array("d", [MIN_INF]) * (n * n)
    has = bytearray(n * n)
    for y0, row in trans.items():
        for y, value in row.items():
            table[ids[y0] * n + ids[y]] = value
            has[ids[y0] * n + ids[y]] = 1
    codes, offsets, pool = array("i"), array("i"), array("H")
    for ch, allowed in char_states.items():
        codes.append(ord(ch))
        offsets.append(len(pool))
        pool.append(len(allowed))
        pool.extend(ids[y] for y in allowed)
    keys, values = array("Q"), array("d")
    for y, row in emit.items():
        for ch, value in row.items():
            keys.append((ids[y] + 1) << 32 | ord(ch))
            values.append(value)
    return states, (n, starts, table, bytes(has), codes, offsets, pool, keys, values)


def compiled_hmm(hmm: tuple, arrays: tuple | None = None):
    """(``kg._speedups.PosHmm``, states by id) of jieba's POS HMM; None without the extension."""
    fast = speedups()
    if fast is None:
        return None
    arrays = arrays if arrays is not None else hmm_arrays(hmm)
    if arrays is None:
        return None
    states, args = arrays
    return fast.PosHmm(*args), states


class TagTable(Protocol):
    """jieba's POS table: a dict of word -> part of speech, or what reads like one (``kg.segment._Tags``)."""

    def get(self, word: str, default: str, /) -> str: ...


class POSTokenizer:
    """jieba.posseg.POSTokenizer over a ready ``jieba.Tokenizer``, POS table and HMM tables."""

    def __init__(
        self, tokenizer, word_tag_tab: TagTable, hmm: tuple | Callable[[], tuple], arrays: tuple | None = None
    ) -> None:
        """``hmm``: the tables, or a function that loads them (called only if the Python Viterbi runs:
        with ``arrays`` and the compiled extension that is only for text it does not take)."""
        self.tokenizer = tokenizer
        self.word_tag_tab = word_tag_tab
        self._hmm = hmm
        self._hmm_c = compiled_hmm(self.hmm if arrays is None and speedups() else (), arrays)
        self._routes = speedups()

    @property
    def hmm(self) -> tuple:
        """(char_state_tab, start, trans, emit), loaded on first use."""
        if callable(self._hmm):
            self._hmm = self._hmm()
        return self._hmm

    def _viterbi(self, sentence: str) -> list:
        if self._hmm_c is not None:
            hmm_c, states = self._hmm_c
            route = hmm_c.viterbi(sentence)
            if route is not None:
                return [states[i] for i in array("H", route)]
        return viterbi(sentence, *self.hmm)[1]

    def _cut(self, sentence: str) -> Iterator[Word]:
        pos_list = self._viterbi(sentence)
        begin, nexti = 0, 0
        for i, char in enumerate(sentence):
            pos = pos_list[i][0]
            if pos == "B":
                begin = i
            elif pos == "E":
                yield sentence[begin : i + 1], pos_list[i][1]
                nexti = i + 1
            elif pos == "S":
                yield char, pos_list[i][1]
                nexti = i + 1
        if nexti < len(sentence):
            yield sentence[nexti:], pos_list[nexti][1]

    def _cut_detail(self, sentence: str) -> Iterator[Word]:
        for blk in re_han_detail.split(sentence):
            if re_han_detail.match(blk):
                yield from self._cut(blk)
            else:
                for x in re_skip_detail.split(blk):
                    if x:
                        if re_num.match(x):
                            yield x, "m"
                        elif re_eng.match(x):
                            yield x, "eng"
                        else:
                            yield x, "x"

    def _dag_words(self, sentence: str) -> Iterator[str]:
        """The words of jieba's best route through its dictionary DAG of ``sentence``."""
        if self._routes is not None:
            tk = self.tokenizer
            tk.check_initialized()
            x = 0
            for y in self._routes.dag_word_ends(tk.FREQ, math.log(tk.total), sentence):
                yield sentence[x:y]
                x = y
            return
        route: dict = {}
        self.tokenizer.calc(sentence, self.tokenizer.get_DAG(sentence), route)
        x = 0
        while x < len(sentence):
            y = route[x][1] + 1
            yield sentence[x:y]
            x = y

    def _cut_dag_no_hmm(self, sentence: str) -> Iterator[Word]:
        tags, buf = self.word_tag_tab, ""
        for word in self._dag_words(sentence):
            if re_eng1.match(word):
                buf += word
                continue
            if buf:
                yield buf, "eng"
                buf = ""
            yield word, tags.get(word, "x")
        if buf:
            yield buf, "eng"

    def _flush(self, buf: str) -> Iterator[Word]:
        tags = self.word_tag_tab
        if len(buf) == 1:
            yield buf, tags.get(buf, "x")
        elif not self.tokenizer.FREQ.get(buf):
            yield from self._cut_detail(buf)
        else:
            for elem in buf:
                yield elem, tags.get(elem, "x")

    def _cut_dag(self, sentence: str) -> Iterator[Word]:
        tags, buf = self.word_tag_tab, ""
        for word in self._dag_words(sentence):
            if len(word) == 1:
                buf += word
                continue
            if buf:
                yield from self._flush(buf)
                buf = ""
            yield word, tags.get(word, "x")
        if buf:
            yield from self._flush(buf)

    def cut(self, sentence: str, HMM: bool = True) -> Iterator[Word]:  # noqa: N803 (jieba's name)
        """``(word, flag)`` for every word of ``sentence``, as ``jieba.posseg`` cuts it."""
        cut_blk = self._cut_dag if HMM else self._cut_dag_no_hmm
        for blk in re_han_internal.split(sentence):
            if re_han_internal.match(blk):
                yield from cut_blk(blk)
            else:
                for x in re_skip_internal.split(blk):
                    if re_skip_internal.match(x):
                        yield x, "x"
                    else:
                        for xx in x:
                            if re_num.match(xx):
                                yield xx, "m"
                            elif re_eng.match(x):
                                yield xx, "eng"
                            else:
                                yield xx, "x"

    def lcut(self, sentence: str, HMM: bool = True) -> list[Word]:  # noqa: N803
        return list(self.cut(sentence, HMM))
