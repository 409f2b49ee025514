"""Relation extractors: each reads one sentence's mentions and trigger words.

Every rule works inside one sentence, so each relation carries the sentence
that states it. Triggers are matched on characters (jieba splits 出生于 into
出/生于), and the rules are about Chinese syntax (a title between an
organisation and a name, 由…主办的…, 在<place>举办), not about particular
articles.

>>> from kg.textio import make_document
>>> from kg.extract import find_entities
>>> doc = find_relations(find_entities(make_document("d", "省科技厅副厅长李从民出席会议。")))
>>> [(r.relation, r.head.text, r.tail.text, r.title) for r in doc.relations]
[('holdsPosition', '李从民', '省科技厅', '副厅长')]
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter

from kg import lexicon
from kg.model import Document, Mention, Relation, Sentence
from kg.patterns import title_pattern, trigger_pattern
from kg.places import LEVEL_RANK, gazetteer

ORGS = ("Agency", "Organization")
_CLAUSE_END = set("，,。；;！!？?\n")

ORGANIZE = trigger_pattern("organize")
PARTICIPATE = trigger_pattern("participate")
HOLD_EVENT = trigger_pattern("hold_event")
COOPERATE = trigger_pattern("cooperate")
LINKERS = frozenset(lexicon.relation_triggers()["linker"])


class _Index:
    """What every rule needs from the whole document, computed once (not once per sentence)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.starts = [m.start for m in doc.mentions]  # doc.mentions is sorted by start
        self._dominant: dict[str, Mention | None] = {}
        #: (start, end) of a mention -> the named things inside its name (``Document.inner``)
        self.inner: dict[tuple[int, int], list[Mention]] = {}
        for part in doc.inner:  # mentions are disjoint: the one that holds a part starts last before it
            i = bisect_right(self.starts, part.start) - 1
            if i >= 0 and doc.mentions[i].end >= part.end:
                m = doc.mentions[i]
                self.inner.setdefault((m.start, m.end), []).append(part)
        self.systems: dict[str, Mention] = {}
        for m in doc.mentions:
            if m.type == "Initiative":
                for head in ("制度", "工作"):
                    if m.text.endswith(head) and len(m.text) - len(head) >= 3:
                        self.systems[m.text[: -len(head)]] = m

    def within(self, sent: Sentence) -> list[Mention]:
        lo = bisect_left(self.starts, sent.start)
        hi = bisect_left(self.starts, sent.end)
        return [m for m in self.doc.mentions[lo:hi] if m.end <= sent.end]

    def dominant(self, suffix: str) -> Mention | None:
        """The document's most mentioned agency ending with ``suffix`` (厅 → 省科技厅)."""
        if suffix not in self._dominant:
            ms = [m for m in self.doc.mentions if m.type in ORGS and m.text.endswith(suffix)]
            counts = Counter(m.text for m in ms)
            top = counts.most_common(1)[0][0] if counts else None
            self._dominant[suffix] = next((m for m in ms if m.text == top), None)
        return self._dominant[suffix]


def _between(doc: Document, a: int, b: int) -> str:
    return doc.text[a:b] if a <= b else ""


def _holds_position(ix: _Index, sent: Sentence, ms: list[Mention]) -> list[Relation]:
    """<org> [党组] <title>(、<title>)* <person>: 省科技厅党组副书记、副厅长郭玉明."""
    doc = ix.doc
    out = []
    title_re = title_pattern()
    text = doc.text
    by_end = {m.end: m for m in ms if m.type in ORGS}
    for p in ms:
        if p.type != "Person":
            continue
        titles: list[str] = []
        pos = p.start
        while pos > sent.start and text[pos - 1] == " ":
            pos -= 1
        while True:
            found = None
            for t in lexicon.titles():
                if text.startswith(t, pos - len(t)) and pos - len(t) >= sent.start:
                    found = t
                    break
            if not found:
                break
            titles.insert(0, found)
            pos -= len(found)
            if pos > sent.start and text[pos - 1] == "、":
                pos -= 1
                continue
            break
        org: Mention | None = None
        if titles:
            probe = pos
            for filler in ("党组", "党委", "的", ""):
                if text.startswith(filler, probe - len(filler)) and (probe - len(filler)) in by_end:
                    org = by_end[probe - len(filler)]
                    break
            if (
                org is None
                and pos > sent.start
                and text[pos - 1] in "厅局委部院校"
                and (pos - 1 == sent.start or not text[pos - 2].isalnum() or text[pos - 2] in "、，, ")
            ):
                org = ix.dominant(text[pos - 1])
            if org is None:
                # titles of an organisation named earlier in the clause: 河北日报记者
                near = [m for m in ms if m.type in ORGS and m.end <= pos and not _CLAUSE_END & set(text[m.end : pos])]
                if near and pos - near[-1].end <= 2:
                    org = near[-1]
        if org is not None:
            for t in titles:
                out.append(Relation("holdsPosition", p, org, sent, title=t))
            continue
        # no title next to the name: the organisation just before it in the clause
        near = [m for m in ms if m.type in ORGS and m.end <= p.start and not _CLAUSE_END & set(text[m.end : p.start])]
        if near and p.start - near[-1].end <= 10 and title_re.search(text, near[-1].end, p.end + 4):
            out.append(Relation("affiliatedWith", p, near[-1], sent))
    return out


def _subjects_before(doc: Document, ms: list[Mention], pos: int, types) -> list[Mention]:
    """The list of entities just before ``pos`` (A、B和C), nearest group only."""
    before = [m for m in ms if m.end <= pos]
    group: list[Mention] = []
    cursor = pos
    for m in reversed(before):
        gap = doc.text[m.end : cursor]
        if group and gap.strip() not in LINKERS:
            break
        if not group and (len(gap) > 12 or _CLAUSE_END & set(gap)):
            break
        if m.type not in types:
            if group:
                break
            continue
        group.insert(0, m)
        cursor = m.start
    return group


def _trigger_relations(ix: _Index, sent: Sentence, ms: list[Mention]) -> list[Relation]:
    doc = ix.doc
    out: list[Relation] = []
    text = doc.text
    initiatives = [m for m in ms if m.type == "Initiative"]
    if not initiatives:
        return out
    # 由 A、B、C 共同主办的 X
    for trig in ORGANIZE.finditer(text, sent.start, sent.end):
        subjects = _subjects_before(doc, ms, trig.start() - _adverb_len(text, trig.start()), ORGS + ("Place",))
        # 由A、B主办,C承办的X: the organisers' phrase may run over commas to its 的 X
        passive = bool(subjects) and text[subjects[0].start - 1 : subjects[0].start] == "由"
        stops = _CLAUSE_END - {"，", ","} if passive else _CLAUSE_END
        objects = [i for i in initiatives if i.start >= trig.end() and not stops & set(text[trig.end() : i.start])]
        objects = objects[:1] if passive else objects[:3]
        if not objects:
            continue
        for s in subjects:
            for o in objects:
                if s.type == "Place":
                    out.append(Relation("locatedIn", o, s, sent))
                else:
                    out.append(Relation("organizes", s, o, sent))
    for trig in PARTICIPATE.finditer(text, sent.start, sent.end):
        subjects = _subjects_before(doc, ms, trig.start() - _adverb_len(text, trig.start()), ORGS + ("Person", "Place"))
        objects = [
            i for i in initiatives if i.start >= trig.end() and not _CLAUSE_END & set(text[trig.end() : i.start])
        ][:3]
        for s in subjects:
            for o in objects:
                out.append(Relation("participatesIn", s, o, sent))
    # 在<place>…举办: the event in this sentence happens there
    for m in re.finditer("在", text[sent.start : sent.end]):
        at = sent.start + m.end()
        place = next((p for p in ms if p.type == "Place" and p.start == at), None)
        if place is None:
            continue
        rest = text[place.end : sent.end]
        if not HOLD_EVENT.search(rest[:12]):
            continue
        for i in initiatives:
            out.append(Relation("locatedIn", i, place, sent))
    return out


def _adverb_len(text: str, pos: int) -> int:
    """Length of adverbs right before a trigger (共同|主办), so the subject is found before them."""
    total = 0
    changed = True
    while changed:
        changed = False
        for adv in lexicon.relation_triggers()["adverb"]:
            if text.startswith(adv, pos - total - len(adv)):
                total += len(adv)
                changed = True
                break
    # 由 … 主办 and … 的 are fine as is
    return total


def _cooperation(ix: _Index, sent: Sentence, ms: list[Mention]) -> list[Relation]:
    """A 与/和/联合/协同 B(、C): organisations working together."""
    doc = ix.doc
    out: list[Relation] = []
    text = doc.text
    if not COOPERATE.search(text, sent.start, sent.end):
        return out
    orgs = [m for m in ms if m.type in ORGS]
    for a, b in zip(orgs, orgs[1:]):
        gap = text[a.end : b.start]
        if re.fullmatch("与|和|同|联合|协同|携手|会同", gap):
            out.append(Relation("cooperatesWith", a, b, sent))
            # … and the rest of a list after B: 联合河北省科技厅、沧州市农业工程研究中心
            rest = orgs[orgs.index(b) + 1 :]
            prev = b
            for c in rest:
                if text[prev.end : c.start] in ("、", "和", "及", "以及"):
                    out.append(Relation("cooperatesWith", a, c, sent))
                    prev = c
                else:
                    break
    return out


def _containment(ix: _Index, sent: Sentence, ms: list[Mention]) -> list[Relation]:
    """Places in places, units in organisations, organisations in places.

    * 玉田县彩虹镇, 兴旺寨乡何家峪村: a place written right after another;
    * 省农林科学院石家庄果树所, A旗下B: a unit of an organisation;
    * 唐山工业职业技术学院, (河北·衡水): a name that begins with a place.
    """
    doc = ix.doc
    out: list[Relation] = []
    text = doc.text
    for a, b in zip(ms, ms[1:]):
        gap = text[a.end : b.start]
        if a.type == "Place" and b.type == "Place" and gap == "" and _lower(b, a):
            out.append(Relation("partOf", b, a, sent))
        if a.type in ORGS and b.type in ORGS and gap in ("旗下", "下属", "所属"):
            out.append(Relation("partOf", b, a, sent))
    for m in ms:
        parts = ix.inner.get((m.start, m.end), ())
        for part in parts:
            if part.type in ORGS:
                out.append(Relation("partOf", m, part, sent))
        for part in parts:
            if part.type == "Place":
                out.append(Relation("locatedIn", m, part, sent))
    return out


def _lower(child: Mention, parent: Mention) -> bool:
    g = gazetteer()
    cp, pp = g.lookup(child.text), g.lookup(parent.text)
    if not pp:
        return False
    if not cp:
        return child.text.endswith(("镇", "乡", "村", "街道", "区"))
    return LEVEL_RANK.get(cp[0].level, 4) > LEVEL_RANK.get(pp[0].level, 4)


def _role_of_initiative(ix: _Index, sent: Sentence, ms: list[Mention]) -> list[Relation]:
    """<agency><role>: 省科技厅科技特派员 — the agency runs the system the role belongs to.

    An initiative named <role> + 制度/工作/计划 (科技特派员制度) is organised by
    an organisation whose <role>s the text mentions.
    """
    doc = ix.doc
    out: list[Relation] = []
    systems = ix.systems
    if not systems:
        return out
    for m in ms:
        if m.type not in ORGS:
            continue
        for role, init in systems.items():
            if doc.text.startswith(role, m.end):
                out.append(Relation("organizes", m, init, sent))
    return out


RULES = (_holds_position, _trigger_relations, _cooperation, _containment, _role_of_initiative)


def find_relations(doc: Document) -> Document:
    """The relation stage: every rule over every sentence."""
    relations: list[Relation] = []
    ix = _Index(doc)
    for sent in doc.sentences:
        ms = ix.within(sent)
        if not ms:
            continue
        for rule in RULES:
            relations.extend(rule(ix, sent, ms))
    seen = set()
    unique = []
    for r in relations:
        key = (r.relation, r.head.start, r.head.end, r.tail.start, r.tail.end, r.title)
        if key not in seen and (r.head.start, r.head.end) != (r.tail.start, r.tail.end):
            seen.add(key)
            unique.append(r)
    return doc.with_relations(unique)
