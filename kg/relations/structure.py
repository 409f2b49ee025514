"""Relations the names themselves state: places in places, units of bodies, bodies in places.

* 玉田县彩虹镇, 兴旺寨乡何家峪村: a place written right after a larger one;
* 省农林科学院石家庄果树所: a unit whose name begins with its parent's (``Document.inner``);
* 唐山工业职业技术学院, 北京经开区: a name that begins with a place;
* 省科技厅科技特派员: an agency's role names the system it runs (科技特派员制度).
"""

from __future__ import annotations

import re
from dataclasses import replace

from kg.model import Mention, Relation, Sentence
from kg.places import LEVEL_RANK, gazetteer
from kg.relations.context import BODIES, DocContext
from kg.relations.view import View


def containment(view: View) -> list[Relation]:
    out: list[Relation] = []
    text, sent, ms = view.ctx.doc.text, view.sent, view.mentions
    for i, (a, b) in enumerate(zip(ms, ms[1:])):
        if a.type == "Place" and b.type == "Place" and a.end == b.start and _lower(b, a):
            out.append(Relation("partOf", b, a, sent))
            # 尤溪县半山村|和|汶潭村: the next units of a list after the first are in the same division
            for prev, c in zip(ms[i + 1 :], ms[i + 2 :]):
                if (
                    c.type != "Place"
                    or c.text[-1:] != b.text[-1:]
                    or text[prev.end : c.start] not in ("、", "和", "与", "及")
                ):
                    break
                out.append(Relation("partOf", c, a, sent))
    for m in ms:
        parts = view.ctx.inner.get((m.start, m.end), ())
        parties = _parties(view.ctx, m) if m.type == "Initiative" else []
        if parties:
            # 四川大学华西第二医院与青白江区人民政府合作办医签约仪式: the two parties take part, and work together
            out += [Relation("participatesIn", p, m, sent) for p in parties]
            out.append(Relation("cooperatesWith", parties[0], parties[1], sent))
        # the town that opens a name, written after its county: 炎陵县|霞阳镇希望小学
        for part in parts:
            county = next((q for q in ms if q.type == "Place" and q.end == part.start), None)
            if part.source == "address" and county is not None and _lower(part, county):
                out.append(Relation("partOf", part, county, sent))
        # divisions written in a row inside a name: 莆田市|涵江区|双福村党支部
        for a, b in zip(parts, parts[1:]):
            if a.type == "Place" and b.type == "Place" and a.end == b.start and _lower(b, a):
                out.append(Relation("partOf", b, a, sent))
        for part in parts:
            if part.type in BODIES and m.type in BODIES:
                out.append(Relation("partOf", m, part, sent))
            elif part.type in BODIES and m.type == "Initiative" and part.start == m.start:
                out.append(Relation("organizes", part, m, sent))  # 山东省科技厅|科技特派员工作会议
        for part in parts:
            # a body's name that begins with a place (唐山工业职业技术学院) is in that place when the
            # article also names the place by itself: 中山大学 is no statement about 中山市
            named = view.ctx.by_key.get(part.key)
            if part.type == "Place" and _country(part.key):
                continue  # 中国科学院, 中国(北京)自由贸易试验区: a national name, not a location
            if part.type == "Place" and (
                m.type == "Place" or part.source == "address" or (named is not None and named.type == "Place")
            ):
                out.append(Relation("partOf" if m.type == "Place" else "locatedIn", m, part, sent))
    del text
    return out


def divisions(ctx: DocContext) -> list[Relation]:
    """Place partOf place where an article names both by themselves (宜宾市 … 四川省), from the division tree.

    The evidence is a sentence that names both, else the sentence of the smaller place's first mention.
    Places only inside other names (四川 in 四川大学) state nothing.
    """
    g = gazetteer()
    first: dict[str, Mention] = {}
    sentences: dict[str, dict[int, Sentence]] = {}  # place -> the sentences naming it, by start
    for m in ctx.mentions:
        if m.type == "Place":
            first.setdefault(m.key, m)
            sent = ctx.doc.sentence_at(m.start)
            if sent is not None:
                sentences.setdefault(m.key, {})[sent.start] = sent
    out: list[Relation] = []
    for key, m in first.items():
        places = [p for p in g.lookup(key) if p.name == key]
        parent = places[0].parent if places else ""
        for _ in range(4):  # climb to the nearest enclosing division the article names
            if not parent or parent in first:
                break
            up = [p for p in g.lookup(parent) if p.name == parent]
            parent = up[0].parent if up else ""
        if not parent or parent not in first or parent == key:
            continue
        both = sentences.get(key, {}).keys() & sentences.get(parent, {}).keys()
        sent = sentences[key][min(both)] if both else ctx.doc.sentence_at(m.start)
        if sent is not None:
            out.append(Relation("partOf", m, first[parent], sent))
    return out


def _parties(ctx: DocContext, m: Mention) -> list[Mention]:
    """The two parties an event's name opens with, as the article names them elsewhere: A与B…签约仪式."""
    i = m.text.find("与")
    if i < 2:
        return []
    first = ctx.by_text.get(m.text[:i])
    rest = m.text[i + 1 :]
    second = max(
        (q for t, q in ctx.by_text.items() if rest.startswith(t) and len(t) < len(rest)),
        key=lambda q: len(q.text),
        default=None,
    )
    if first is None or second is None:
        return []
    return [
        replace(first, start=m.start, end=m.start + i),
        replace(second, start=m.start + i + 1, end=m.start + i + 1 + len(second.text)),
    ]


def _country(name: str) -> bool:
    return any(p.level == "country" for p in gazetteer().lookup(name))


def _lower(child: Mention, parent: Mention) -> bool:
    g = gazetteer()
    cp, pp = g.lookup(child.text), g.lookup(parent.text)
    if not pp:
        return False
    if not cp:
        return True  # a town, a zone or a venue written right after a division is in it (云南省曲靖市|曲靖会堂)
    return LEVEL_RANK.get(cp[0].level, 4) > LEVEL_RANK.get(pp[0].level, 4)


def roles(view: View) -> list[Relation]:
    """<agency><role>: 省科技厅科技特派员 — the agency runs the system the role belongs to."""
    out: list[Relation] = []
    systems = view.ctx.systems
    if not systems:
        return out
    text = view.ctx.doc.text
    for m in view.mentions:
        if m.type not in BODIES:
            continue
        for role, init in systems.items():
            if text.startswith(role, m.end):
                out.append(Relation("organizes", m, init, view.sent))
    return out


_ISSUE = re.compile(r"(?:印发|出台|发布|制定|颁布|修订)了?$")


def issued_documents(view: View) -> list[Relation]:
    """二是印发《…通知》: a document issued in a clause that names no issuer is the article's main agency's."""
    out: list[Relation] = []
    issuer = view.ctx.main_agency
    if issuer is None:
        return out
    masked = view.masked
    for pos, m in sorted(view.slot.items()):
        if m.type != "Initiative" or not m.text.startswith("《"):
            continue
        clause_start = max(masked.rfind(c, 0, pos) for c in "，,；;：:。") + 1
        before = masked[clause_start:pos]
        if _ISSUE.search(before) and not any(view.slot.get(clause_start + i) for i in range(len(before))):
            out.append(Relation("organizes", issuer, m, view.sent))
    return out


_VISITED_AT = re.compile(r"在(?P<place>[\ue003])[^。；;]{0,20}?(?:调研|考察|视察|走访)")
_VISITING = re.compile(
    r"(?:走进|走访|参观|考察|来到|深入)了?(?P<list>[\ue001\ue002](?:(?:、|和|及|以及)[\ue001\ue002])*)"
)


def visited_bodies(view: View) -> list[Relation]:
    """在长兴岛…调研。调研中,调研组走进A和B: the bodies visited are in the place of the visit, named earlier."""
    masked = view.masked
    out: list[Relation] = []
    here = _VISITED_AT.search(masked)
    if here:
        view.ctx.visit_place = view.slot[here.start("place")]
    place = view.ctx.visit_place
    if place is None or any(m.type == "Place" for m in view.mentions):
        return out
    for m in _VISITING.finditer(masked):
        for body in view.members(m.start("list"), m.end("list"), ("Agency", "Organization")):
            out.append(Relation("locatedIn", body, place, view.sent))
    return out
