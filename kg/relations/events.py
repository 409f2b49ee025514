"""People and bodies at the article's events: attendance, chairing, speaking, signing.

``会议由A主持，B、C出席会议并讲话`` names who took part in the event the
sentence refers to: an initiative written after the verb, else the article's
main event (``DocContext.main_event``), which 会议, 会上 and 仪式 refer back to.
"""

from __future__ import annotations

import re
from functools import cache

from kg import lexicon
from kg.model import Relation
from kg.patterns import CAPTION_LINE, title_pattern
from kg.relations.context import is_event
from kg.relations.view import SLOTS, View

_PEOPLE = {SLOTS["Person"]}
_BODIES = {SLOTS["Agency"], SLOTS["Organization"]}


@cache
def _attend() -> re.Pattern:
    words = lexicon.relation_triggers()["attend"]
    return re.compile("|".join(map(re.escape, words)))


def attendance(view: View) -> list[Relation]:
    """participatesIn for the people (and, with 参加/参与, the bodies) before an attendance verb."""
    out: list[Relation] = _speakers(view)
    masked = view.masked
    triggers = list(_attend().finditer(masked))
    if not triggers:
        return out
    initiatives = {pos: m for pos, m in view.slot.items() if m.type == "Initiative"}
    done: set[int] = set()
    for trig in triggers:
        signing = trig.group(0) in _SIGNING
        event = next(
            (
                m
                for pos, m in sorted(initiatives.items())
                if trig.end() <= pos <= trig.end() + 12 and (is_event(m.key) or signing)
            ),
            None,
        )
        if signing and event is None:
            continue  # 签署 what the sentence does not name
        if event is None:
            event = view.ctx.main_event
        if event is None:
            continue
        bodies_too = trig.group(0) in _TAKING_PART and not signing
        for pos, m in sorted(view.slot.items()):
            if pos >= trig.start() or pos in done:
                continue
            party = masked[pos] in _PARTIES and _near(masked, pos, trig.start()) and not _titled(view, m)
            if masked[pos] in _PEOPLE or (bodies_too and party):
                out.append(Relation("participatesIn", m, event, view.sent))
                main = view.ctx.main_event
                if signing and masked[pos] in _PEOPLE and main is not None and main.key != event.key:
                    out.append(Relation("participatesIn", m, main, view.sent))  # who signs at the event attends it
                done.add(pos)
    return out


#: Labels of a transcript's list of speakers (主持人: 胡强强   …发言人): who they name takes part in its event.
_SPEAKER_LABELS = re.compile(r"^\s*(?:主\s*持\s*人|嘉\s*宾|发\s*布\s*人|主\s*讲\s*人|出\s*席\s*人?)\s*[:：]")


def _speakers(view: View) -> list[Relation]:
    """The people of a transcript's list of speakers, a line each under its label, take part in its event
    (the article's main event): 嘉  宾: 毛群安   全国爱卫办副主任 / 许  伟   云南省卫生健康委副主任."""
    event = view.ctx.main_event
    if event is None:
        return []
    text = view.ctx.doc.text
    out = []
    for p in view.mentions:
        if p.type != "Person":
            continue
        line_start = text.rfind("\n", 0, p.start) + 1
        line = CAPTION_LINE.match(text, line_start)
        if line is None or line.start("name") != p.start:
            continue
        while line is not None and not _SPEAKER_LABELS.match(line.group(0)) and line_start > 0:
            line_start = text.rfind("\n", 0, line_start - 1) + 1  # up the list to its label
            line = CAPTION_LINE.match(text, line_start)
        if line is not None and _SPEAKER_LABELS.match(line.group(0)):
            out.append(Relation("participatesIn", p, event, view.sent))
    return out


#: Signing: the people before it take part in what they sign (A,B共同签署《征地合作协议》).
_SIGNING = ("签署", "签订", "签约")
#: Verbs of taking part that bodies and places do too (沈阳市、鞍山市…等七市负责人出席会议), not only people.
_TAKING_PART = ("参加", "参与", "参会", "出席", "与会", "列席")
_PARTIES = _BODIES | {SLOTS["Place"]}


def _titled(view: View, m) -> bool:
    """Is a body the first part of someone's title (省科技厅|副厅长张三), or a place inside a name it opens?"""
    text = view.ctx.doc.text
    after = text[m.end : m.end + 6]
    if title_pattern().match(after):
        return True
    nxt = next((q for q in view.mentions if q.start == m.end), None)
    return nxt is not None


def _near(masked: str, pos: int, end: int) -> bool:
    """Is a body at ``pos`` in the subject just before ``end`` (no clause break between)?"""
    return not re.search("[，,；;：:]", masked[pos:end])
