"""The named things inside a name: the place 唐山 in 唐山工业职业技术学院, the parent 省农林科学院 in
省农林科学院石家庄果树所.

The relation rules link a body to its parent (partOf) and to its place
(locatedIn) from these; they are found once, here, by the same finders run on
the name alone (memoised: names recur across a corpus).
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.model import Document, Mention

#: A town or village that opens a name written after its county (炎陵县|霞阳镇|希望小学)
_TOWN = re.compile(r"[\u4e00-\u9fff]{1,4}?[镇乡村](?=[\u4e00-\u9fff])")
#: Characters after which a place in a name is the body's place: (河北·衡水)
_PLACE_OPENERS = "(（·"
#: What follows a company's name to make its registered name: 恒力重工集团|有限公司 is one company, not a unit of another.
_LEGAL_FORMS = frozenset(
    {"有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "集团股份有限公司", "股份公司", "公司"}
)
#: An event's ordinal before its place: 第十五届|中国包头·稀土产业论坛, 2023|中国-东盟教育交流周
_ORDINAL = re.compile(r"第[一二三四五六七八九十百\d]+[届期次]|\d{4}年?")


def name_parts(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """For each agency, organisation or initiative: its parent body and its place, as inner mentions.

    The parent is the longest agency or organisation at the start of the name
    that ends before its last two characters; the place, the first place at its
    start or after an opening bracket or a middle dot.
    """
    text = doc.text
    out: list[Mention] = []
    place_ends = {m.end for m in mentions if m.type == "Place"}
    for m in mentions:
        if m.type not in ("Agency", "Organization", "Initiative"):
            continue
        town = _TOWN.match(m.text) if m.start in place_ends else None
        if town is not None and town.end() < len(m.text) - 1:
            # 炎陵县|霞阳镇希望小学: the town of an address opens the school's name
            out.append(Mention(m.start, m.start + town.end(), "Place", town.group(0), "address"))
        places, bodies = _parts(m.text)
        if m.type == "Initiative":
            # the host an event's name opens with: 山东省科技厅|科技特派员工作会议
            host = max(
                (o for o in bodies if o.start == 0 and o.end < len(m.text) - 2), key=lambda o: o.end, default=None
            )
            if host is not None:
                out.append(Mention(m.start, m.start + host.end, host.type, host.text, "inner"))
        else:
            parent = max(
                (o for o in bodies if o.start == 0 and o.end < len(m.text) - 1 and m.text[o.end :] not in _LEGAL_FORMS),
                key=lambda o: o.end,
                default=None,
            )
            if parent is not None:
                out.append(Mention(m.start, m.start + parent.end, parent.type, parent.text, "inner"))
        for i, p in enumerate(places):
            if (
                p.start == 0
                or text[m.start + p.start - 1 : m.start + p.start] in _PLACE_OPENERS
                or _ORDINAL.fullmatch(m.text[: p.start])
            ):
                out.append(Mention(m.start + p.start, m.start + p.end, "Place", p.text, "inner"))
                # and the divisions written in a row after it: 莆田市|涵江区|双福村党支部
                end = p.end
                for q in places[i + 1 :]:
                    if q.start != end:
                        break
                    out.append(Mention(m.start + q.start, m.start + q.end, "Place", q.text, "inner"))
                    end = q.end
                break
    return out


@lru_cache(maxsize=1 << 14)
def _parts(name: str) -> tuple[tuple[Mention, ...], tuple[Mention, ...]]:
    """The places and the agencies/organisations the finders see in ``name`` alone."""
    from kg.extract.bodies import find_agencies, find_organizations
    from kg.extract.places import find_places
    from kg.textio import make_document

    inner = make_document("_", name)
    places = find_places(inner)
    found = {"places": places}
    agencies = find_agencies(inner, found)
    found["agencies"] = agencies
    return tuple(places), tuple(agencies + find_organizations(inner, found))
