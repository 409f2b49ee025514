"""Agencies and organisations: a name before a head word (厅, 局, 大学, 有限公司…).

* agencies: [place] [Party committee] domain suffix (省科技厅, 唐山市科技局,
  省委组织部, 科技部) and the bodies named by a place (省委, 唐山市人民政府);
* organisations: a proper name before an institution head word, its left
  edge decided by jieba's words (华北理工大学, 唐山开元自动焊接装备有限公司).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from kg import lexicon
from kg.extract.merge import merge
from kg.extract.words import STOP_WORDS, dictionary, is_count, left_tokens, words
from kg.model import Document, Mention
from kg.patterns import abbreviation_pattern, agency_pattern, org_suffix_pattern
from kg.places import gazetteer

_BODY_OF_PLACE = re.compile("(?:人民政府|政府|省委|市委|县委|区委|人大常委会|政协)")


def find_agencies(doc: Document, found: dict[str, list[Mention]]) -> list[Mention]:
    """Government and Party departments: [place] [Party committee] domain suffix.

    省科技厅, 河北省科学技术厅, 唐山市科技局, 省委组织部, 科技部; also the
    bodies named by a place alone (省委, 市政府, 唐山市人民政府). The places
    come from ``found["places"]``.
    """
    text = doc.text
    place_ends = {m.end: m.start for m in found.get("places", ()) if m.type == "Place"}
    out = []
    for m in agency_pattern().finditer(text):
        start = m.start()
        if m.group("domain") == "科学" and not m.group("suffix").startswith("技术"):
            continue
        start = _extend_left_with_place(text, start, place_ends)
        party = m.group("party") or ""
        if start == m.start() and party[:1] in ("省", "市", "县", "区"):
            start = place_ends.get(m.start() + 1, start)  # 重庆市委教育工委: 市 ends the place too
        # a bare domain needs a level (省科技厅) unless it is a national ministry (科技部)
        national = m.group("suffix") in ("部", "委员会", "总局", "署")
        if start == m.start() and not m.group("party") and not national:
            continue
        out.append(Mention(start, m.end(), "Agency", text[start : m.end()], "agency"))
    g = gazetteer()
    for m in _BODY_OF_PLACE.finditer(text):
        body = m.group(0)
        start = _extend_left_with_place(text, m.start(), place_ends)
        if body[0] in "省市县区" and body.endswith("委"):
            # 湖南省委: the level character belongs to the place name too
            start = place_ends.get(m.start() + 1, start)
            league = next((p for p in lexicon.league_prefixes() if text.startswith(p, start - len(p))), "")
            if league:
                # 团省委, 民革河北省委: the Youth League's or a democratic party's committee, a body of its own
                start -= len(league)
        elif start == m.start():
            continue
        else:
            head = text[start : m.start()]
            divisions = g.lookup(head)
            if divisions and divisions[0].level == "country":
                continue  # 美国政府: news treats a foreign government as its country
        out.append(Mention(start, m.end(), "Agency", text[start : m.end()], "agency"))
    return merge(out)


def _extend_left_with_place(text: str, start: int, place_ends: dict[int, int]) -> int:
    if start in place_ends:
        # every division written before it: 太原市|尖草坪区|科技局
        while start in place_ends and place_ends[start] < start:
            start = place_ends[start]
        return start
    for prefix in lexicon.level_prefixes():
        s = start - len(prefix)
        if s >= 0 and text[s:start] == prefix:
            # 省 of 我省 / 全省 is not a level prefix of a name
            if s > 0 and text[s - 1] in "我全该本各外":
                return start
            return s
    return start


def find_organizations(doc: Document, found: dict[str, list[Mention]]) -> list[Mention]:
    """Organisations: a proper name followed by an institution head word.

    华北理工大学, 唐山开元自动焊接装备有限公司, 河北省儿童医院, 河北日报.
    The name must hold a proper name (a place, a name, a word jieba does not
    know), so 双方医院 and 行业协会 are not organisations; a sub-unit head
    (中心, 所) also needs a place or an organisation before it. Where the
    tagger's organisation (``found["tagger"]``) ends where a rule's does, its
    start is taken (``_align_with_tagger``).
    """
    text = doc.text
    suffixes = lexicon.org_suffixes()
    known = list(found.get("places", ())) + list(found.get("agencies", ()))
    known_starts = {m.start for m in known if m.type in ("Place", "Agency", "Organization")}
    # divisions written in full (云南省, 曲靖市), which an address opens with
    place_spans = {
        m.start: m.end
        for m in found.get("places", ())
        if m.type == "Place" and m.text.endswith(("省", "市", "县", "区"))
    }
    # towns and villages (found by their address), by where they end: a school may open with one
    place_ends = {
        m.end: m.start
        for m in found.get("places", ())
        if m.type == "Place" and m.text.endswith(("镇", "乡", "村", "街道"))
    }
    out = []
    for m in org_suffix_pattern().finditer(text):
        suffix = m.group(0)
        end = m.end()
        if end < len(text) and text[end] in "部门长员":
            continue
        if text[m.start() - 1 : m.start()] == "副":  # 城市副中心 is a district, not a body
            continue
        type_, kind = suffixes[suffix]
        company = suffix.endswith(("公司", "集团", "合作社", "厂"))
        start, proper = _org_left(text, m.start(), 24 if company else 16, allow_verbs=company)
        town = next((e for e in range(start, start - 3, -1) if e in place_ends), None) if kind == "name" else None
        if not proper and town is not None and "\u4e00" <= text[town] <= "\u9fff":
            start, proper = place_ends[town], True  # 霞阳镇|希望小学: a school named with its town
        body = text[start : m.start()]
        proper = proper or (kind == "unit" and start in known_starts)  # 科技部|火炬中心: a named parent
        if type_ == "Place":
            # a venue's name follows its address: 云南省曲靖市|曲靖会堂 (not 昆明|滇池国际会展中心)
            while start in place_spans and place_spans[start] <= m.start() - 2:
                start = place_spans[start]
        if len(body) < 2 or not proper:
            continue
        if kind == "unit" and not any(s in known_starts for s in range(start, m.start())):
            continue
        # a unit written after its parent's name is one name (科技部|火炬中心), surer than the parent alone
        source = "unit" if kind == "unit" and start in known_starts else "org"
        out.append(Mention(start, end, type_, text[start:end], source))
    out += _companies_before_titles(text)
    for m in abbreviation_pattern().finditer(text):
        full = lexicon.abbreviations()[m.group(0)]
        if full.startswith(("中国", "国家")):
            out.append(Mention(m.start(), m.end(), "Organization", m.group(0), "org"))
    tagged = [m for m in found.get("tagger", ()) if m.type != "Person"]
    return _align_with_tagger(out, tagged)


def _org_left(text: str, end: int, max_len: int, allow_verbs: bool) -> tuple[int, bool]:
    """Where an organisation name that ends at ``end`` begins, and whether it holds a proper name.

    Walks back over words that can be part of a name and stops at
    punctuation, function words, and (outside company names) verbs.
    """
    start = end
    proper = False
    stop_pos = lexicon.pos_classes()["stop"]
    proper_pos = lexicon.pos_classes()["proper"]
    levels = lexicon.level_words()
    for word, flag in reversed(left_tokens(text, end, max_len)):
        if word in STOP_WORDS or is_count(word):
            break
        if flag in stop_pos and not word.startswith("第") and not gazetteer().lookup(word):
            break  # (jieba may tag a place as an adverb: 和|大连|新阳光材料科技有限公司)
        if flag.startswith("v") and flag != "vn" and not allow_verbs:
            break
        start -= len(word)
        if (
            word in levels
            or gazetteer().lookup(word)
            or (flag in proper_pos or word not in dictionary())
            and not word.endswith("级")
        ):
            proper = True
    return start, proper


def _align_with_tagger(orgs: list[Mention], crf: Iterable[Mention]) -> list[Mention]:
    """Where the tagger's organisation ends where a rule's does, its start is the better guess.

    The rules know head words; the tagger knows where names begin
    (讯|广东香江企业集团, 赠送给|成都地质所).
    """
    by_end = {m.end: m for m in crf if m.type in ("Organization", "Agency")}
    out = []
    for m in orgs:
        c = by_end.get(m.end)
        if c is not None and c.start != m.start and c.end - c.start >= 3:
            extra = c.text[: m.start - c.start] if c.start < m.start else ""
            if not any(w in STOP_WORDS for w in words(extra)):
                m = Mention(c.start, m.end, m.type, c.text, m.source)
        out.append(m)
    return out


@cache
def _corporate_title() -> re.Pattern:
    return re.compile("|".join(map(re.escape, lexicon.corporate_titles())))


def _companies_before_titles(text: str) -> list[Mention]:
    """A company named before a title only enterprises have, the clause's first words: 、中国华电|董事长江毅.

    The name needs a proper word (a place, a word jieba does not know): 公司董事长 names no company.
    """
    out = []
    for m in _corporate_title().finditer(text):
        start = m.start()
        while start > 0 and start > m.start() - 12 and "\u4e00" <= text[start - 1] <= "\u9fff":
            start -= 1
        if start > 0 and text[start - 1] not in "，,、；;：:。\n “”（(" or m.start() - start < 2:
            continue
        name = text[start : m.start()]
        tokens = words(name)
        if any(w in STOP_WORDS for w in tokens) or lexicon.org_heads(name):
            continue
        if any(w not in dictionary() or gazetteer().lookup(w) for w in tokens) and not gazetteer().lookup(name):
            out.append(Mention(start, m.start(), "Organization", name, "org"))
    return out
