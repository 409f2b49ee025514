"""The statistical tagger's spans (a character CRF, ``kg.ner``), cleaned by rules that can see its mistakes."""

from __future__ import annotations

from functools import lru_cache

from kg import lexicon
from kg.extract.words import dictionary
from kg.model import Document, Mention
from kg.patterns import agency_pattern
from kg.places import gazetteer
from kg.segment import word_pos as dictionary_pos

_KINDS = {"PER": "Person", "LOC": "Place", "ORG": "Organization"}


def find_tagged(doc: Document, found: dict[str, list[Mention]] | None = None) -> list[Mention]:
    """PER/LOC/ORG spans from the character CRF shipped in ``kg/data``, cleaned, retyped and split."""
    cleaned = [_retype(c) for c in map(_clean, _tag(doc)) if c is not None]
    return [piece for c in cleaned for piece in (_split_place(c) if c.type == "Place" else [c])]


def _tag(doc: Document) -> list[Mention]:
    from kg.ner import default_tagger

    tagger = default_tagger()
    out = []
    for sent, spans in zip(doc.sentences, tagger.tag_many([s.text for s in doc.sentences])):
        for start, end, label in spans:
            s, e = sent.start + start, sent.start + end
            out.append(Mention(s, e, _KINDS[label], doc.text[s:e], "crf"))
    return out


def _clean(m: Mention) -> Mention | None:
    """Keep what the tagger finds where it is plausible as a name.

    Drops spans the sequence model gets wrong in a way rules can see: a
    person whose name begins with a place (玉田晶玉 of 玉田晶玉科技), an
    organisation that is only a head word or a generic description
    (研究院, 三甲医院, 厅党组); trims surrounding spaces.
    """
    text = m.text
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    if lead or trail:
        m = Mention(m.start + lead, m.end - trail, m.type, text.strip(), m.source)
        text = m.text
    if not text:
        return None
    if m.type in ("Organization", "Agency"):
        m = _without_a_leading_verb(m)
    return m if _plausible(m.text, m.type) else None


def _without_a_leading_verb(m: Mention) -> Mention:
    """建设|顺丰武汉电商产业园: a verb that introduces a name (``lexicon.boundary_words``) is no part of it."""
    cut = _leading_verb(m.text)
    return Mention(m.start + cut, m.end, m.type, m.text[cut:], m.source) if cut else m


@lru_cache(maxsize=1 << 14)
def _leading_verb(text: str) -> int:
    from kg.extract.words import STOP_WORDS, words

    if len(text) < 6 or not any(text[:n] in STOP_WORDS for n in _stop_word_lengths()):
        return 0  # jieba's first word is one of text's beginnings: none is a stop word
    first = words(text)[0]
    return len(first) if first in STOP_WORDS and len(text) - len(first) >= 5 else 0


@lru_cache(maxsize=1)
def _stop_word_lengths() -> tuple[int, ...]:
    from kg.extract.words import STOP_WORDS

    return tuple(sorted({len(w) for w in STOP_WORDS}))


@lru_cache(maxsize=1 << 16)
def _plausible(text: str, type_: str) -> bool:
    """The tests of ``_clean`` on a span's text and type (the tagger's spans recur across a corpus)."""
    m = Mention(0, len(text), type_, text, "crf")
    if m.type == "Place" and not gazetteer().lookup(text) and _not_a_place(text):
        return False  # 三城: a count
    if m.type in ("Organization", "Agency") and _not_a_body(text):
        return False  # 新疆维吾尔自治区及兵团, 全力支持北京科技创新中心, 王振林代表学校
    if m.type == "Place" and not gazetteer().lookup(text):
        # 康庄大道 (an idiom), 垃圾村 and 空壳村 (a word before 村): descriptions, not places
        if text in dictionary() and (
            dictionary_pos(text)[:1] in ("i", "l", "v", "a", "d") or dictionary_pos(text) == "nr"
        ):
            return False
        if (
            text[-1] in "村镇乡"
            and len(text) >= 3
            and text[:-1] in dictionary()
            and not dictionary_pos(text[:-1]).startswith(("ns", "nr", "nz"))
        ):
            return False
    if m.type == "Person":
        g = gazetteer()
        return not any(p.level in ("province", "city", "county") for n in (2, 3) for p in g.lookup(text[:n]))
    if m.type in ("Organization", "Agency"):
        suffixes = lexicon.org_suffixes()
        if suffixes.get(text, ("", ""))[1] == "name":
            return True  # 国务院, 省委: a head that is a name by itself
        head = next((s for s in lexicon.org_heads(text) if suffixes[s][1] != "gov"), "")
        body = text[: len(text) - len(head)]
        if head and len(body) < 2:
            return False  # 研究院
        if len(text) <= 3 and text[0] in "厅局委部院校所处科室":
            return False  # 厅党组
        if (
            len(text) <= 3
            and text[-1] in "厅局委部署"
            and not agency_pattern().search(text)
            and text not in dictionary()
        ):
            return False  # 开新局 (a slogan), not a department
        if head and (body in lexicon.generic_modifiers() or body in lexicon.event_heads()):
            return False  # 三甲医院, 省级重点实验室; 大赛组委会: the article's event's committee, no name
    return True


@lru_cache(maxsize=1 << 14)
def _divisions_in(name: str) -> tuple[tuple[int, int, str], ...]:
    """The gazetteer's names in a place name, leftmost-longest (the tagger's place names recur)."""
    return tuple(gazetteer().find(name))


def _split_place(m: Mention) -> list[Mention]:
    """邢台内丘县 → 邢台 + 内丘县: divisions the tagger ran together.

    Only a run of Chinese administrative divisions is split; 朝鲜半岛 and
    北京图书大厦 stay whole.
    """
    g = gazetteer()
    found = _divisions_in(m.text)
    if len(found) < 2 or found[0][0] != 0 or found[-1][1] != len(m.text):
        return [m]
    if not all(a[1] == b[0] for a, b in zip(found, found[1:])):
        return [m]
    if not all(g.lookup(t) and g.lookup(t)[0].level in ("province", "city", "county", "town") for _, _, t in found):
        return [m]
    return [Mention(m.start + s, m.start + e, "Place", t, m.source) for s, e, t in found]


def _retype(m: Mention) -> Mention:
    """The tagger says ORG (or LOC); the head word says whether it is an Agency (科技厅 is no place)."""
    type_ = _type_by_head(m.text, m.type)
    return m if type_ == m.type else Mention(m.start, m.end, type_, m.text, m.source)


@lru_cache(maxsize=1 << 14)
def _type_by_head(text: str, type_: str) -> str:
    if type_ == "Place" and not gazetteer().lookup(text):
        suffixes = lexicon.org_suffixes()
        gov = (s for s in lexicon.org_heads(text) if suffixes[s][1] == "gov" and len(text) > len(s))
        return "Agency" if next(gov, None) else type_
    if type_ == "Organization":
        heads = lexicon.org_heads(text)
        if heads and lexicon.org_suffixes()[heads[0]][0] == "Agency":
            return "Agency"
    return type_


#: The last characters of place names that are not divisions (长兴岛, 科学城, 滨海科技园 are places too).
_PLACE_ENDINGS = tuple("省市县区镇乡村州旗盟岛山河湖港湾城园谷湾路街坝峡") + ("新区", "片区", "特区")


def _not_a_place(text: str) -> bool:
    """A span that begins with a number (三城一区) is a count, not a place."""
    return text[0] in "一二三四五六七八九十两几数多"


def _not_a_body(text: str) -> bool:
    """A list of two bodies (A及B), a clause (全力支持X), a person inside (王振林代表学校)."""
    from kg.extract.words import words
    from kg.segment import word_pos

    if any(c in text for c in "及暨") or "代表" in text:
        return True
    if not text or not (text[0].isascii() or _may_open_with_a_verb(text)):
        return False
    first = words(text)[0]
    return bool(first and word_pos(first)[:1] in ("v", "d") and first not in _VERBS_IN_NAMES)


def _may_open_with_a_verb(text: str) -> bool:
    """Whether jieba's first word of ``text`` could be a verb or adverb: it is one of text's beginnings
    that the dictionary holds (or its first character), so if none of those is one, it is not."""
    from kg.extract.words import dictionary
    from kg.segment import word_pos

    freq = dictionary()
    for n in range(1, len(text) + 1):
        known = freq.get(text[:n])
        if known is None and n > 1:
            break  # the prefix dictionary holds every beginning of a word
        if (known or n == 1) and word_pos(text[:n])[:1] in ("v", "d") and text[:n] not in _VERBS_IN_NAMES:
            return True
    return False


#: Verbs that begin names of bodies all the same (建设银行, 发展研究中心).
_VERBS_IN_NAMES = frozenset({"建设", "开发", "发展", "服务", "合作"})
