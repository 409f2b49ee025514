"""Choosing among overlapping mentions: the surest source, then the longest span."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from kg.model import Mention

#: How sure each source is; the merge keeps the surest of overlapping mentions.
PRIORITY = {
    "title": 6,
    "byline": 6,
    "agency": 5,
    "document": 5,
    "event": 5,
    "quoted": 5,
    "org": 4,
    "unit": 5,
    "initiative": 4,
    "address": 4,
    "place": 3,
    "crf": 3,
    "place-short": 2,
}


def merge(mentions: Iterable[Mention]) -> list[Mention]:
    """Keep the surest, then longest, of overlapping mentions."""
    chosen: list[Mention] = []
    starts: list[int] = []  # the kept spans, disjoint and sorted: a bisect finds the neighbours
    ends: list[int] = []
    ranked = sorted(set(mentions), key=lambda m: (-PRIORITY.get(m.source, 0), -(m.end - m.start), m.start, m.type))
    for m in ranked:
        if m.end <= m.start:
            continue
        i = bisect_right(starts, m.start)
        if (i > 0 and ends[i - 1] > m.start) or (i < len(starts) and starts[i] < m.end):
            continue
        starts.insert(i, m.start)
        ends.insert(i, m.end)
        chosen.append(m)
    return sorted(chosen, key=lambda m: (m.start, m.end))
