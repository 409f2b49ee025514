"""What every relation rule needs from the whole document, computed once (not once per sentence)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from functools import cached_property

from kg import lexicon
from kg.model import Document, Mention, Sentence
from kg.places import gazetteer

BODIES = ("Agency", "Organization")


class DocContext:
    """The document, its mentions by position, and facts about the whole article.

    * ``inner``: the named parts of each mention's name (``Document.inner``);
    * ``dominant(suffix)``: the most mentioned body ending with a head word (厅 → 省科技厅);
    * ``main_event``: the event the article reports (its 会议, 仪式, 论坛…), which 会上 and 会议 refer to;
    * ``by_key``: a mention of each canonical name, to point at a body named elsewhere in the article.
    """

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.mentions = [m for m in doc.mentions if m.key]
        self.starts = [m.start for m in self.mentions]  # mentions are sorted by start and disjoint
        self._dominant: dict[str, Mention | None] = {}
        self.inner: dict[tuple[int, int], list[Mention]] = {}
        for part in doc.inner:
            i = bisect_right(self.starts, part.start) - 1
            if i >= 0 and self.mentions[i].end >= part.end and part.key:
                m = self.mentions[i]
                self.inner.setdefault((m.start, m.end), []).append(part)
        self.visit_place: Mention | None = None  # where the article's visit was said to be (kg.relations.structure)
        self.by_key: dict[str, Mention] = {}
        self.by_text: dict[str, Mention] = {}  # places and bodies by what the article writes
        for m in self.mentions:
            self.by_key.setdefault(m.key, m)
            if m.type in ("Place", "Agency", "Organization"):
                self.by_text.setdefault(m.text, m)
        self.systems: dict[str, Mention] = {}
        for m in self.mentions:
            if m.type == "Initiative":
                for head in ("制度", "工作"):
                    if m.text.endswith(head) and len(m.text) - len(head) >= 3:
                        self.systems[m.text[: -len(head)]] = m

    def within(self, sent: Sentence) -> list[Mention]:
        lo = bisect_left(self.starts, sent.start)
        hi = bisect_left(self.starts, sent.end)
        return [m for m in self.mentions[lo:hi] if m.end <= sent.end]

    def dominant(self, suffix: str, types=BODIES) -> Mention | None:
        """The article's most mentioned body ending with ``suffix`` (厅 → 省科技厅; 集团 → 中建集团)."""
        if (suffix, types) not in self._dominant:
            ms = [m for m in self.mentions if m.type in types and m.key.endswith(suffix) and m.key != suffix]
            counts = Counter(m.key for m in ms)
            top = counts.most_common(1)[0][0] if counts else None
            self._dominant[(suffix, types)] = next((m for m in ms if m.key == top), None)  # type: ignore[index]
        return self._dominant[(suffix, types)]  # type: ignore[index]

    @cached_property
    def place_counts(self) -> Counter[str]:
        return Counter(m.key for m in self.mentions if m.type == "Place")

    def place(self, level: str) -> Mention | None:
        """The article's place of a level (province, city, county…): its context, else its most mentioned one."""
        g = gazetteer()
        wanted = {"province": self.doc.context_province, "city": self.doc.context_city}.get(level, "")
        candidates = [
            key
            for key, _ in self.place_counts.most_common()
            if any(p.name == key and p.level == level for p in g.lookup(key))
        ]
        for key in ([wanted] if wanted else []) + candidates:
            for name in (key, key + "省", key + "市"):
                if name in self.by_key and self.by_key[name].type == "Place":
                    return self.by_key[name]
        # a place the article names only inside other names (山东省 in 山东省科技厅): the first of its level
        for part in self.inner_places:
            if (
                part.type == "Place"
                and (not wanted or part.key.startswith(wanted))
                and any(p.name == part.key and p.level == level for p in g.lookup(part.key))
            ):
                return part
        return None

    @cached_property
    def inner_places(self) -> list[Mention]:
        """The places named inside other names, in the order of the text."""
        return sorted((p for parts in self.inner.values() for p in parts if p.type == "Place"), key=lambda p: p.start)

    @cached_property
    def main_agency(self) -> Mention | None:
        """The agency the article names most (at least twice), which issues what no clause gives an issuer."""
        counts = Counter(m.key for m in self.mentions if m.type == "Agency")
        if not counts:
            return None
        key, n = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        return self.by_key[key] if n >= 2 else None

    @cached_property
    def main_event(self) -> Mention | None:
        """The event the article reports: the first named event said to be held, else the first it names."""
        events = [m for m in self.mentions if m.type == "Initiative" and is_event(m.key)]
        if not events:
            return None
        text = self.doc.text
        held = lexicon.relation_triggers()["hold_event"]
        for m in events:
            after = text[m.end : m.end + 24].split("。")[0]
            before = text[max(0, m.start - 6) : m.start]
            if any(w in after for w in held) or any(before.endswith(w) or before.endswith(w + "了") for w in held):
                return m
        return events[0]


def is_event(name: str) -> bool:
    """Does the name end with the head word of an event (会议, 论坛, 仪式, 培训班…)?"""
    return name.endswith(lexicon.event_heads())
