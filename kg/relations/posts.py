"""Posts: who holds which title in which body, read from the chain of titles before a name.

``江苏省委常委、苏州市委书记许昆林`` is a chain of two segments, each a body and
its titles: (江苏省委, 常委), (苏州市委, 书记). A segment without a body takes the
previous one's (``国务院国资委党委书记、主任张玉卓``: 主任 of 国务院国资委); a bare
body takes the place the chain has named (``重庆市委教育工委书记、教委主任`` →
重庆市教委) or the article's; a title held in a place's government (市长,
副省长: ``lexicon.place_titles``) goes to that government where the article
names it, else to the place itself (``宜宾市委副书记、市长廖文彬`` → 宜宾市).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

from kg import lexicon
from kg.model import Mention, Relation
from kg.patterns import agency_pattern, title_pattern
from kg.places import gazetteer
from kg.relations.context import BODIES, DocContext
from kg.relations.view import View
from kg.resolve import canonical

#: A bare body at the start of a segment: a level's Party committee or government (市委, 区政府),
#: a committee of a zone (管委会, 党工委), a department without its place (教委, 教育厅), or a one-character
#: body the article names in full elsewhere (厅党组书记 → its 厅).
_LEVEL_BODY = re.compile("(?:省|市|县|区|镇|乡|州|自治区)(?:委|政府|人民政府)$|(?:党工委|工委|管委会|党委|党组|两委)$")
_ONE_CHAR_BODY = "厅局委部院校"
_TWO_CHAR_BODIES = ("集团", "公司", "大学", "学院", "医院", "银行")
#: Titles that stand for membership of a body rather than a post in it.
_MEMBER_TITLES = ("委员", "常委", "成员")


@dataclass
class _Segment:
    body: Mention | None
    bare: str  # text of a bare body (市委, 教委) when no mention names it
    place: Mention | None  # a place written in the segment (沧州市市长)
    titles: list[str]
    start: int
    unit_end: int = 0  # for a unit listed after another post (、宣传司|副司长): where its name ends


def post_relations(view: View) -> list[Relation]:
    """holdsPosition for each title before (or right after) a person, affiliatedWith for 市领导A、B."""
    out: list[Relation] = []
    ctx, text, sent = view.ctx, view.ctx.doc.text, view.sent
    by_end = {m.end: m for m in view.mentions}
    by_end_body = {e: m for e, m in by_end.items() if m.type in BODIES}
    place_seen: Mention | None = None  # the last place (or placed body) named in the sentence so far
    persons = [m for m in view.mentions if m.type == "Person"]
    last_end = sent.start
    last_body: Mention | None = None  # the body of the previous person's last post, for 主任A、副主任B
    last_posts: list[tuple[Mention, str]] = []  # the previous person's posts, for 领导班子成员A、B、C
    for p in persons:
        segments = _chain(text, p.start, max(last_end, sent.start), by_end)
        between = text[last_end : segments[0].start] if segments else ""
        listed = last_body is not None and bool(segments) and bool(_LISTED.fullmatch(between))
        same_list = not segments and last_end > sent.start and text[last_end : p.start] == "、"
        last_end = p.end
        for m in view.mentions:
            if m.end <= (segments[0].start if segments else p.start) and m.type in ("Place", *BODIES):
                place_seen = m
        posts = _resolve(ctx, segments, place_seen, last_body if listed else None)
        if same_list:
            posts = last_posts  # one title for a list of names: 领导班子成员王玮、冯宗英、王玉燕
        if not posts and p.start in by_end_body and (after := title_pattern().match(text, p.end)):
            posts = [(by_end_body[p.start], after.group(0))]  # 沈阳航空航天大学王贺权教授
        elif not posts and not segments and p.start in by_end_body:
            out.append(Relation("affiliatedWith", p, by_end_body[p.start], sent))  # 中山大学附属第一医院骆腾
        if not posts:
            posts = _caption_posts(ctx, text, p, by_end_body)  # 李先祥   云南省曲靖市人民政府市长
        if not posts and not segments and (head := _HEAD_TITLE.match(text, p.end)):
            body = ctx.dominant(head.group(1))  # 李萌副部长调研…: the article's 部 (科技部)
            if body is not None and body.type == "Agency":
                posts = [(body, head.group(0))]
        if not posts:
            outlet = _outlet(view, p, segments[0].start if segments else p.start)
            if outlet is not None:
                titles = segments[0].titles if segments else []
                posts = [(outlet, t) for t in titles]
                if not titles:
                    out.append(Relation("affiliatedWith", p, outlet, sent))  # 新华网福州12月6日电(刘丰)
        last_posts = posts
        last_body = posts[-1][0] if posts and posts[-1][0].type in BODIES else None
        for body, title in posts:
            out.append(Relation("holdsPosition", p, body, sent, title=title))
        if posts:
            continue
        leader_of = _leader_of(ctx, text, p, sent.start, place_seen)
        if leader_of is not None:
            out.append(Relation("affiliatedWith", p, leader_of, sent))
    return out


#: What lies between a news outlet's name and the bracket of its byline: 河北日报讯(, 新华网福州12月6日电(
_BYLINE_OPENING = re.compile(r"(?:讯|[^\s，,。]{0,6}?\d{1,2}月\d{1,2}日电)?\s*[（(][^（）()]*$")


#: A title after a name that says which kind of department the person heads (李萌副部长: a 部).
_HEAD_TITLE = re.compile(r"(?:常务)?副?([部厅局])长")
_CAPTION_GAP = re.compile(r"[ \u3000\t]{2,}|[ \u3000]*[:：][ \u3000]*")


def _caption_posts(
    ctx: DocContext, text: str, p: Mention, by_end_body: dict[int, Mention]
) -> list[tuple[Mention, str]]:
    """A name, a gap, then the person's posts, as in a list of speakers: 李先祥   云南省曲靖市人民政府市长."""
    gap = _CAPTION_GAP.match(text, p.end)
    if gap is None:
        return []
    line_end = text.find("\n", gap.end())
    line_end = len(text) if line_end < 0 else line_end
    if line_end - gap.end() > 40:
        return []
    chain_end = line_end
    while chain_end > gap.end() and not text[chain_end - 1].strip():
        chain_end -= 1
    by_end = {e: m for e, m in by_end_body.items() if gap.end() < e <= chain_end}
    segments = _chain(text, chain_end, gap.end(), by_end)
    # the whole line is the person's posts, even where its first body is not one kg knows (全国爱卫办副主任、…)
    return _resolve(ctx, segments, None) if segments else []


def _outlet(view: View, p: Mention, start: int) -> Mention | None:
    """The outlet a byline names the person for: 河北日报(通讯员李悦 记者王璐丹), 新华网福州12月6日电(刘丰)."""
    text = view.ctx.doc.text
    before = [m for m in view.mentions if m.type in BODIES and m.end <= start and start - m.end <= 24]
    if not before:
        return None
    outlet = before[-1]
    return outlet if _BYLINE_OPENING.match(text, outlet.end, start) else None


def _title_ending(text: str, pos: int, lo: int, by_end: dict[int, Mention] | None = None) -> str:
    """The longest title that ends at ``pos`` and does not cut into a name (自治区党委|书记, not 自治区|党委书记)."""
    if pos <= lo:
        return ""
    for t in _titles_ending_in().get(text[pos - 1], ()):
        start = pos - len(t)
        if start >= lo and text.startswith(t, start):
            if by_end and any(e in by_end for e in range(start + 1, pos)):
                continue
            return t
    return ""


@cache
def _titles_ending_in() -> dict[str, tuple[str, ...]]:
    """The titles by their last character, longest first (a title chain is read from its end)."""
    out: dict[str, list[str]] = {}
    for t in _titles_by_length():
        out.setdefault(t[-1], []).append(t)
    return {ch: tuple(ts) for ch, ts in out.items()}


@cache
def _titles_by_length() -> tuple[str, ...]:
    return tuple(sorted(set(lexicon.titles()) | set(lexicon.place_titles()), key=lambda t: (-len(t), t)))


def _chain(text: str, end: int, lo: int, by_end: dict[int, Mention]) -> list[_Segment]:
    """The segments of the title chain that ends at ``end`` (a person's start), left to right."""
    pos = end
    while pos > lo and text[pos - 1] == " ":
        pos -= 1
    segments: list[_Segment] = []
    titles: list[str] = []
    while pos > lo:
        title = _title_ending(text, pos, lo, by_end)
        if title:
            titles.insert(0, title)
            pos -= len(title)
            continue
        if not titles:
            # 塘沽区工委、管委会领导班子成员: bodies listed before one title share it
            body = by_end.get(pos)
            if segments and text[pos : pos + 1] == "、" and body is not None and body.type in BODIES:
                titles = list(segments[0].titles)
            else:
                break
        # the body of this segment, if one is written right before its titles
        body = by_end.get(pos)
        seg = _Segment(None, "", None, titles, pos)
        if body is not None and body.type in BODIES and body.text in _ZONE_COMMITTEES:
            seg.bare, seg.start = body.text, body.start  # 管委会 alone: whose, the chain says
            zone = next((z for z in _zone_heads() if text.startswith(z, seg.start - len(z))), "")
            if zone:
                seg.bare, seg.start = zone + seg.bare, seg.start - len(zone)  # 综合保税区|党工委
        elif body is not None and body.type in BODIES:
            seg.body, seg.start = body, body.start
        elif body is not None and body.type == "Place":
            seg.place, seg.start = body, body.start
        else:
            bare = _bare_body(text, pos, lo)
            parent = None if bare else _parent_before(text, pos, lo, by_end)
            if bare:
                seg.bare, seg.start = bare, pos - len(bare)
                place = by_end.get(seg.start)
                zone = next((z for z in _zone_heads() if text.startswith(z, seg.start - len(z))), "")
                if (
                    place is not None
                    and place.type == "Place"
                    and bare in _ZONE_COMMITTEES
                    and place.key.endswith(_zone_heads())
                ):
                    seg.bare, seg.start = place.key + bare, place.start  # 综合保税区|党工委书记: the zone's
                elif place is not None and place.type == "Place":
                    seg.place, seg.start = place, place.start
                elif zone and bare in _ZONE_COMMITTEES:
                    seg.bare, seg.start = zone + bare, seg.start - len(zone)  # 综合保税区|党工委书记
            elif parent is not None:
                seg.body, seg.start = parent, parent.start  # the title is held in a unit of the body
            else:
                unit = _listed_unit(text, pos, lo)
                if unit:
                    seg.start, seg.unit_end = unit, pos  # 新闻发言人、|宣传司|副司长: the same body's unit
        segments.insert(0, seg)
        titles = []
        pos = seg.start
        if pos > lo and text[pos - 1] == "、":
            pos -= 1
            continue
        break
    if titles:  # the chain opens the sentence: 副省长于杰出席
        segments.insert(0, _Segment(None, "", None, titles, pos))
    for left, seg in zip([None, *segments], segments):
        if seg.unit_end:
            if left is not None and left.body is not None:
                seg.body = left.body
            else:  # no post before it in the chain: the unit is left to the caller (张凤桐、办公室|主任张曦)
                seg.start = seg.unit_end
    return segments


def _listed_unit(text: str, pos: int, lo: int) -> int:
    """Where a unit's name that ends at ``pos`` begins, if a separator stands before it (、宣传司|副司长); else 0."""
    for k in range(2, 9):
        start = pos - k
        if start - 1 < lo:
            break
        if text[start - 1] == "、" and _UNIT.fullmatch(text, start, pos):
            return start
    return 0


#: Between two people's posts in one body: a separator, and perhaps a unit (、办公室|主任张曦).
_LISTED = re.compile(r"[、，,](?:[\u4e00-\u9fff]{0,8}?(?:处|科|室|办公室|办|中心|部|所|系|司))?")
#: A unit of a body written between the body and a title: 西宁市科技局|成果合作交流处|处长, 中国科学院|地质与地球物理研究所|研究员
_UNIT = re.compile(r"[\u4e00-\u9fff]{1,12}?(?:处|科|室|办公室|办|中心|部|所|系|司|学院|研究所|研究院|分院|分公司)")


def _parent_before(text: str, pos: int, lo: int, by_end: dict[int, Mention]) -> Mention | None:
    """The body whose unit ends at ``pos`` (the unit itself not a mention)."""
    for k in range(2, 15):
        body = by_end.get(pos - k)
        if body is not None and pos - k >= lo and body.type in BODIES and _UNIT.fullmatch(text, pos - k, pos):
            return body
    return None


def _bare_body(text: str, pos: int, lo: int) -> str:
    """A body written without its place right before ``pos`` (市委, 教育厅, 管委会, 厅), or ''."""
    window = text[max(lo, pos - 8) : pos]
    for n in range(len(window), 0, -1):
        piece = window[-n:]
        if _LEVEL_BODY.search(piece) and _LEVEL_BODY.match(piece) or piece in ("党工委", "工委", "管委会"):
            return piece
        m = agency_pattern().fullmatch(piece)
        if m and not m.group("party"):
            return piece
    if window and window[-1] in _ONE_CHAR_BODY and (pos - 1 == lo or not text[pos - 2].isalnum()):
        return window[-1]
    head = window[-2:]
    if head in _TWO_CHAR_BODIES and (pos - 2 == lo or not text[pos - 3].isalnum()):
        return head  # 集团党组成员: the article's 集团
    return ""


def _resolve(
    ctx: DocContext, segments: list[_Segment], place_seen: Mention | None, listed_after: Mention | None = None
) -> list[tuple[Mention, str]]:
    """(body, title) of every title in the chain; a chain that opens with bare titles right after
    another person's post (``管委会主任张庆六、副主任窦彦冰``) takes that post's body."""
    out: list[tuple[Mention, str]] = []
    previous: Mention | None = listed_after
    place = place_seen
    if listed_after is not None:
        place = _place_of(listed_after) or place  # 怀柔区委书记齐静、区长常卫: 怀柔区's 区长
    for seg in segments:
        if seg.place is not None:
            place = seg.place
        body = seg.body
        if body is None and seg.bare and previous is not None and seg.bare in _ZONE_COMMITTEES:
            body = _sibling(ctx, previous, seg.bare)  # 滨海高新区工委副书记、管委会主任: the zone's 管委会
        if body is None and seg.bare:
            body = _bare(ctx, seg.bare, place)
        for title in seg.titles:
            if title in lexicon.place_titles() and (body is None or body.type == "Place"):
                target = _government(ctx, title, seg.place or place)
            else:
                target = body or previous
            if target is not None:
                out.append((target, title))
        if body is not None:
            previous = body
            if body.type == "Place" or _place_of(body) is not None:
                place = _place_of(body) or place
    return out


#: The committees that govern a zone or a party group; one written bare after another belongs to the same zone.
_ZONE_COMMITTEES = ("党工委", "工委", "管委会", "党委", "党组", "两委")


def _sibling(ctx: DocContext, previous: Mention, bare: str) -> Mention | None:
    """管委会 after 滨海高新区工委: 滨海高新区管委会 (the article's mention of it, or a new name)."""
    suffix = next((c for c in _ZONE_COMMITTEES if previous.key.endswith(c)), "")
    if not suffix or len(previous.key) - len(suffix) < 2:
        return None
    key = previous.key[: -len(suffix)] + bare
    if key in ctx.by_key:
        return ctx.by_key[key]
    return replace(previous, text=bare, source="title", key=key)


def _place_of(m: Mention) -> Mention | None:
    """The place a body's name begins with, as a mention (苏州市委 → 苏州市)."""
    if m.type == "Place":
        return m
    found = gazetteer().find(m.key)
    if found and found[0][0] == 0:
        places = gazetteer().lookup(found[0][2])
        if places:
            return Mention(m.start, m.start + found[0][1], "Place", found[0][2], "inner", key=places[0].name)
    return None


def _zone_heads() -> tuple[str, ...]:
    """Zone heads that may stand bare before a committee (综合保税区党工委书记, 经开区党工委书记)."""
    return tuple(lexicon.zone_heads())


def _main_zone(ctx: DocContext) -> Mention | None:
    """The zone the article names most (北京经开区, 石家庄高新技术产业开发区), if any."""
    ends = (*lexicon.zone_heads(), *lexicon.zone_heads().values())
    zones = [m for m in ctx.mentions if m.type == "Place" and m.key.endswith(ends) and m.key not in ends]
    if not zones:
        return None
    return max(zones, key=lambda m: (sum(q.key == m.key for q in zones), -m.start))


def _zone_of_committee(bare: str) -> str:
    """The zone word before a committee (综合保税区 in 石家庄综合保税区党工委), or ''."""
    committee = next((c for c in _ZONE_COMMITTEES if bare.endswith(c)), "")
    if not committee:
        return ""
    return next((z for z in _zone_heads() if bare[: -len(committee)].endswith(z)), "")


def _bare(ctx: DocContext, bare: str, place: Mention | None) -> Mention | None:
    """The body a bare name stands for in this article (市委 → 苏州市委; 教委 → 重庆市教育委员会; 厅 → 省科技厅)."""
    if len(bare) == 1 or bare in _TWO_CHAR_BODIES:
        return ctx.dominant(bare)
    zone = _zone_of_committee(bare)
    if zone:
        bare = bare[bare.index(zone) :]
        # 综合保税区党工委书记: the post is in the zone the article names (石家庄综合保税区)
        full = lexicon.zone_heads().get(zone, zone)  # 经开区 names a 经济技术开发区
        zones = [m for m in ctx.mentions if m.type == "Place" and m.key.endswith((zone, full))]
        if zones:
            return max(zones, key=lambda m: (len(m.key), sum(q.key == m.key for q in zones), -m.start))
        bare = bare[len(zone) :]
    if bare in ("党工委", "工委", "管委会", "党委", "党组", "两委"):
        named = ctx.dominant(bare)
        if named is not None:
            return named
        main_zone = _main_zone(ctx) if bare in ("党工委", "工委", "两委") else None
        if main_zone is not None:
            return main_zone  # 北京经开区…。工委书记王少峰: the Party committee of the article's zone
        fallback = ctx.place("county") or ctx.place("city")
        top = ctx.place_counts.most_common(1)
        return ctx.by_key.get(top[0][0]) if top else fallback
    # the level: written (市委, 县教育局), else a 厅 is a province's and other departments a city's
    level = {"省": "province", "市": "city", "县": "county", "区": "county"}.get(bare[0], "")
    level = level or ("province" if bare.endswith("厅") else "city")
    if place is not None and place.type != "Place":
        place = _place_of(place)  # 省委农办主任、农业农村厅厅长: the province of 省委, not 省委 itself
    if place is not None and not _at_level(place, level):
        place = None  # 济南…科技厅厅长: a 厅 is not the city's; 省委常委、市委书记: the 市 is not the province
    if place is None:
        place = ctx.place(level)
    if place is None:
        return None
    name = place.key + (bare[1:] if bare[0] in "省市县区" and place.key.endswith(bare[0]) else bare)
    key = canonical(Mention(0, len(name), "Agency", name, "title"), ctx.doc.context_province, ctx.doc.context_city)
    if key in ctx.by_key:
        return ctx.by_key[key]
    if bare.endswith(("委", "政府")) and bare[0] in "省市县区":
        return place  # 市委书记 where the article never names the committee: the post is in the city
    return replace(place, type="Agency", text=bare, source="title", key=key)


def _at_level(place: Mention, level: str) -> bool:
    """Is the place of that level? (a municipality such as 北京市 is a province and a city)"""
    levels = {p.level for p in gazetteer().lookup(place.key)}
    if "province" in levels and place.key.endswith("市"):
        levels.add("city")
    return level in levels


def _government(ctx: DocContext, title: str, place: Mention | None) -> Mention | None:
    """Where a place-bound title is held: the government the article names, else the place."""
    level = lexicon.place_titles()[title]
    if place is None or not _at_level(place, level):  # (北京市副市长: a municipality is a city too)
        place = ctx.place(level) if level in ("province", "city") else place
    if place is None:
        return None
    for suffix in ("人民政府", "政府"):
        gov = ctx.by_key.get(place.key + suffix)
        if gov is not None:
            return gov
    return place


def _leader_of(ctx: DocContext, text: str, p: Mention, lo: int, place: Mention | None) -> Mention | None:
    """市领导A、B、C / 省领导A: a leader of the place, no title given; else the body just before (河北农大的李保国)."""
    pos = p.start
    # back over the list this name is in: 市领导商黎光、王大虎、宋有洪
    while True:
        m = re.search(r"(?:、|，|和)$", text[lo:pos])
        if not m:
            break
        prev = pos - len(m.group(0))
        start = next((q.start for q in ctx.mentions if q.end == prev and q.type == "Person"), None)
        if start is None:
            break
        pos = start
    lead = re.search(r"(省|市|县|区|自治区)(?:主要)?领导(?:同志)?$", text[lo:pos])
    if lead:
        level = {"省": "province", "自治区": "province", "市": "city"}.get(lead.group(1), "county")
        return ctx.place(level)
    return None
