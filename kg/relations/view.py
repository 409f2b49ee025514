"""A sentence as rules see it: its text with each mention replaced by one character of its type.

``省科技厅、省教育厅共同主办的京津冀青年科学家论坛`` becomes ``A、A共同主办的I``
(with private-use characters for A and I), so a rule is a regular expression
over the sentence's typed mentions, titles, list separators and trigger
words, written with the macros of ``kg.relations.patterns``. Each mention
character maps back to its mention; a list of mentions (``A、B和C``) is
matched once, by the list macro, and expanded to its members by ``members``.
"""

from __future__ import annotations

from kg.model import Mention, Sentence
from kg.relations.context import DocContext

#: One private-use character per entity type.
SLOTS = {
    "Person": "\ue000",
    "Agency": "\ue001",
    "Organization": "\ue002",
    "Place": "\ue003",
    "Initiative": "\ue004",
}
SLOT_TYPES = {ch: type_ for type_, ch in SLOTS.items()}


class View:
    """One sentence: ``masked`` text, and the mention behind each of its slot characters."""

    def __init__(self, ctx: DocContext, sent: Sentence, mentions: list[Mention]) -> None:
        self.ctx = ctx
        self.sent = sent
        self.mentions = mentions
        text = ctx.doc.text
        parts: list[str] = []
        self.slot: dict[int, Mention] = {}  # masked position -> mention
        self.masked_at: dict[int, int] = {}  # mention start -> masked position
        cursor, length = sent.start, 0
        for m in mentions:
            parts.append(text[cursor : m.start])
            length += m.start - cursor
            self.slot[length] = m
            self.masked_at[m.start] = length
            parts.append(SLOTS[m.type])
            length += 1
            cursor = m.end
        parts.append(text[cursor : sent.end])
        self.masked = "".join(parts)

    def members(self, start: int, end: int, types=None) -> list[Mention]:
        """The mentions whose slots lie in ``masked[start:end]`` (of ``types``, if given), in order."""
        return [m for pos, m in sorted(self.slot.items()) if start <= pos < end and (types is None or m.type in types)]
