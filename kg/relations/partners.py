"""Partners named clause after clause for one subject: 省科技厅…,同A、B密切合作,与C、D等共同组成组委会.

The sentence's subject is its first body (after an opening 在…下, adverbial); every later clause
that opens with 同/与/会同/联合 and a list of bodies, and goes on to a word of working together,
names partners of that subject. Bodies listed together before 共同 work with each other too.
"""

from __future__ import annotations

import re
from functools import cache

from kg import lexicon
from kg.model import Relation
from kg.relations.view import SLOTS, View

_BODY = SLOTS["Agency"] + SLOTS["Organization"]


@cache
def _clause() -> re.Pattern:
    cooperate = "|".join(map(re.escape, lexicon.relation_triggers()["cooperate"]))
    body = f"[{_BODY}]"
    return re.compile(
        f"[，,](?:同|与|会同|联合)(?P<list>{body}(?:(?:、|和|及|以及){body})*)等?"
        f"(?:(?P<together>共同)|[^，,。；;{''.join(SLOTS.values())}]{{0,8}}?(?:{cooperate}))"
    )


#: What may open a sentence before its subject: a dateline (河北日报讯(记者…) 日前,) and an adverbial (在…下,).
_OPENING = re.compile(
    f"^(?:[{SLOTS['Organization']}](?:讯|[^，,。]{{0,12}}?电)?\\s*(?:[（(][^）)]*[）)])?\\s*)?"
    r"(?:[^，,。在]{0,12}[，,])?(?:在[^，,。]{0,40}下[，,])?"
)


def clause_partners(view: View) -> list[Relation]:
    masked = view.masked
    opening = _OPENING.match(masked)
    start = opening.end() if opening else 0
    if start >= len(masked) or masked[start] not in _BODY:
        return []
    subject = view.slot[start]
    out: list[Relation] = []
    for m in _clause().finditer(masked, start + 1):
        members = view.members(m.start("list"), m.end("list"), ("Agency", "Organization"))
        out += [Relation("cooperatesWith", subject, b, view.sent) for b in members]
        if m.group("together"):
            out += [
                Relation("cooperatesWith", a, b, view.sent) for i, a in enumerate(members) for b in members[i + 1 :]
            ]
    return out
