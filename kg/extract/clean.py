"""After the merge: what the finders got wrong in ways the whole document shows.

* 国务院国资委|党委书记: a Party title after a body is a title, not a body "X党委";
* 省委常委、市委书记: a bare committee before a Party title is part of the title, and the post is
  in the place (kg.relations.posts), as it is for 市长;
* 梁胜|宣读, 商黎光|简要: a name the tagger ran into the next word, where the article names
  the person without it;
* 沿|海城市, 党建引领乡|村振兴: a division's name inside another word, or running into one, is no place;
* 新华网|福州12月6日电: the place of a dateline is not part of the agency's name;
* 国投晋创谷(|太原)发展运营有限公司, 新华网发(|福建支部生活杂志社: a body's name holds both of its
  brackets or neither;
* 沈阳市、…铁岭市及沈抚改革创新示范区: a zone listed with places is a place, not a programme;
* 宣传司|副司长: a "name" whose last character is the unit the title after it heads is that unit;
* 华西二|院长, 在杨凌|举行: no person where the name runs on into a body's name the article
  writes (四川大学华西二院), and one name, one sense: a "person" the article also finds as a place
  is that place.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kg import lexicon
from kg.extract.words import PUNCT, STOP_WORDS, cuts_a_word, dictionary, words
from kg.model import Mention
from kg.patterns import title_pattern


def clean(text: str, mentions: list[Mention]) -> list[Mention]:
    mentions = _party_committee_titles(text, mentions)
    mentions = [m for m in mentions if not (m.text in _BARE_COMMITTEES and text.startswith(_PARTY_TITLES, m.end))]
    mentions = _names_run_into_words(text, mentions)
    mentions = _names_of_places_and_bodies(text, mentions)
    mentions = _zones_listed_with_places(text, mentions)
    mentions = [m for m in mentions if not (m.type == "Person" and _unit_before_its_head(text, m))]
    mentions = _without_overlaps([_bracketed(text, m) if m.type in ("Organization", "Agency") else m for m in mentions])
    mentions = [
        m for m in mentions if not (m.type == "Place" and (_inside_a_word(text, m) or _runs_into_a_word(text, m)))
    ]
    mentions = [_without_an_adverb(m) if m.type == "Place" and m.source == "crf" else m for m in mentions]
    return [piece for m in mentions for piece in _dateline(text, m)]


#: A body's Party committee or group, and the Party titles that may follow it.
_COMMITTEES = ("党委", "党组", "党工委")
_PARTY_TITLES = ("书记", "副书记", "第一书记", "委员", "常委", "成员")
#: A Party committee named by its level alone.
_BARE_COMMITTEES = frozenset({"省委", "市委", "县委", "区委", "州委", "盟委", "旗委"})


def _party_committee_titles(text: str, mentions: list[Mention]) -> list[Mention]:
    """国务院国资委|党委书记, 四川大学|党委副书记: the Party title belongs to the title, not to a "X党委" body.

    Only where what is left is a body by its own head word (国资委, 大学); 兵团党委 and 自治区党委 stay.
    """
    out = []
    for m in mentions:
        committee = next((c for c in _COMMITTEES if m.text.endswith(c)), "")
        rest = m.text[: -len(committee)] if committee else ""
        heads = lexicon.org_heads(rest) if committee else []
        if (
            heads
            and m.type in ("Agency", "Organization")
            and text.startswith(_PARTY_TITLES, m.end)
            and len(rest) >= 3
            and not rest.endswith(_COMMITTEES)
        ):
            type_ = lexicon.org_suffixes()[heads[0]][0]
            m = replace(
                m, end=m.end - len(committee), text=rest, type=type_ if type_ in ("Agency", "Organization") else m.type
            )
        out.append(m)
    return out


def _names_run_into_words(text: str, mentions: list[Mention]) -> list[Mention]:
    """梁胜宣 → 梁胜 where the article also names 梁胜 and 宣读 is a word."""
    from kg.segment import word_pos

    names = {m.text for m in mentions if m.type == "Person"}
    out = []
    for m in mentions:
        if m.type == "Person" and len(m.text) >= 3:
            tail = text[m.end - 1 : m.end + 1]
            word = len(tail) == 2 and tail in dictionary()
            # the last character begins a verb or an adverb (宣读, 共同, 简要), or the article names the person without it
            # (and the name is whole when a word that follows names comes right after it: 龙奋杰|出席, not 杰出)
            followed = any(text.startswith(f, m.end) for f in (*lexicon.name_followers(), *_AFTER_NAMES) if len(f) >= 2)
            if word and not followed and (m.text[:-1] in names or word_pos(tail)[:1] in ("v", "d")):
                m = replace(m, end=m.end - 1, text=m.text[:-1])
        out.append(m)
    return out


def _zones_listed_with_places(text: str, mentions: list[Mention]) -> list[Mention]:
    """A name with a zone's head word (示范区, 新区) listed right after a place is a place too."""
    heads = tuple(lexicon.zone_heads())
    out: list[Mention] = []
    for m in mentions:
        if (
            m.type == "Initiative"
            and m.text.endswith(heads)
            and out
            and out[-1].type == "Place"
            and text[out[-1].end : m.start] in ("、", "及", "和", "与", "以及")
        ):
            m = replace(m, type="Place", source="place")
        out.append(m)
    return out


def _unit_before_its_head(text: str, m: Mention) -> bool:
    """宣传司|副司长, 规划处|处长: the title after the "name" heads the unit its last character names."""
    title = title_pattern().match(text, m.end)
    if title is None:
        return False
    head = title.group(0).removeprefix("常务").removeprefix("副")
    return len(head) >= 2 and head[0] == m.text[-1] and head[0] in _UNIT_CHARACTERS


#: Characters that end the name of a unit and begin the title of its head (司长, 处长, 局长, 科长…).
_UNIT_CHARACTERS = frozenset("司处局科厅部院所室委")


def _names_of_places_and_bodies(text: str, mentions: list[Mention]) -> list[Mention]:
    """华西二|院长 (the article writes 四川大学华西二院): no person; 在杨凌举行 (杨凌 a place elsewhere): a place."""
    bodies = [m.text for m in mentions if m.type in ("Agency", "Organization", "Place") and len(m.text) >= 4]
    places = {m.text for m in mentions if m.type == "Place"}
    out = []
    for m in mentions:
        if m.type == "Person":
            run_on = text[m.start : m.end + 1]
            if len(run_on) > len(m.text) and any(run_on in name for name in bodies):
                continue
            if m.text in places:
                m = replace(m, type="Place", source="place-short")
        out.append(m)
    return out


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """After a name grew over its neighbours (国投晋创谷|(太原)…), the longer name wins; mentions stay disjoint."""
    out: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if out and m.start < out[-1].end:
            if m.end - m.start > out[-1].end - out[-1].start:
                out[-1] = m
            continue
        out.append(m)
    return out


_OPENING = "(（"
_CLOSING = ")）"


def _bracketed(text: str, m: Mention) -> Mention:
    """国投晋创谷(|太原)发展运营有限公司 → the whole name; 新华网发(|福建支部生活杂志社 → 福建支部生活杂志社."""
    depth = 0
    for ch in m.text:
        if ch in _OPENING:
            depth += 1
        elif ch in _CLOSING:
            if depth == 0:  # closes a bracket opened before the name: take the words before that bracket too
                opening = max(text.rfind(o, max(0, m.start - 8), m.start) for o in _OPENING)
                if opening <= 0:
                    return m
                start = opening
                for word in reversed(words(text[max(0, opening - 12) : opening])):
                    if word in STOP_WORDS or any(c in PUNCT for c in word):
                        break
                    start -= len(word)
                if opening - start < 2:
                    return m
                return replace(m, start=start, text=text[start : m.end])
            depth -= 1
    if depth > 0:  # opens a bracket it does not close: the name is what follows it
        cut = max(m.text.rfind(o) for o in _OPENING) + 1
        if len(m.text) - cut < 4:
            return m
        return replace(m, start=m.start + cut, text=m.text[cut:])
    return m


#: Verbs that often follow a name, besides the name followers of the lexicon.
_AFTER_NAMES = ("出席", "参加", "主持", "陪同", "会见", "调研", "考察")


def _inside_a_word(text: str, m: Mention) -> bool:
    """Does a word begin before the place and run into it (沿海|城市: no 海城市)?"""
    if m.start == 0 or m.source not in ("place", "place-short", "crf"):
        return False
    lo = max(0, m.start - 3)
    return cuts_a_word(text[lo : m.end], m.start - lo)


def _runs_into_a_word(text: str, m: Mention) -> bool:
    """Does the place's division suffix begin a word, after words that name nothing (党建引领乡|村振兴, 云南区|位优势)?

    Only for names the gazetteer does not hold whole (唐山市|长 is still 唐山市), and only at a
    division suffix: a word after a name (中国|人民, 日本|人) is no reason to doubt it.
    """
    from kg.places import gazetteer

    if m.end >= len(text) or m.source not in ("crf", "address") or m.text[-1] not in "乡镇村区县市州":
        return False
    if any(p.name == m.text for p in gazetteer().lookup(m.text)):
        return False
    if text[m.end - 1 : m.end + 1] not in dictionary():
        return False  # the suffix does not begin a word with what follows
    # and what comes before the suffix is no proper name (党建|引领, not 北庄 of 北庄村|村史馆), or is a
    # province or city, which takes no such suffix (云南|区位)
    from kg.segment import word_pos

    prefix = m.text[:-1]
    if any(p.level in ("province", "city") and p.short == prefix for p in gazetteer().lookup(prefix)):
        return True
    return not any(word_pos(w).startswith(("ns", "nr", "nz")) for w in words(prefix))


def _without_an_adverb(m: Mention) -> Mention:
    """西宁与洛阳都|和西安: an adverb the tagger ran into a division's name is not part of it."""
    from kg.places import gazetteer

    if len(m.text) >= 3 and m.text[-1] in "都也均还就又" and gazetteer().lookup(m.text[:-1]):
        return replace(m, end=m.end - 1, text=m.text[:-1])
    return m


_DATELINE = re.compile(r"\d{1,2}月\d{1,2}日电")


def _dateline(text: str, m: Mention) -> list[Mention]:
    """新华网福州12月6日电: the news agency's name ends before the place it files from, itself a place."""
    if m.type != "Organization" or not _DATELINE.match(text, m.end):
        return [m]
    from kg.places import gazetteer

    for n in range(2, min(5, len(m.text) - 1)):
        if gazetteer().lookup(m.text[-n:]):
            place = Mention(m.end - n, m.end, "Place", m.text[-n:], "place")
            return [replace(m, end=m.end - n, text=m.text[:-n]), place]
    return [m]
