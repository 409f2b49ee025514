"""The nouns of kg, in one place.

Read this module first. Text is the ground truth: every mention is a pair of
character offsets into ``Document.text``; every relation carries the sentence
that states it. All types are frozen dataclasses, so a stage that wants to add
something returns a new ``Document`` (``dataclasses.replace``) instead of
mutating one another stage holds.

>>> doc = Document(id="a.txt", text="龙奋杰任厅长。")
>>> m = Mention(start=0, end=3, type="Person", text="龙奋杰", source="rule")
>>> doc.with_mentions([m]).mentions[0].text
'龙奋杰'
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence: ``doc.text[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of a named thing in a document.

    ``key`` is filled by resolution: the canonical form this mention denotes
    (e.g. 省科技厅 → 河北省科学技术厅), so every mention of one real thing
    shares a key.
    """

    start: int
    end: int
    type: str
    text: str
    source: str = ""
    key: str = ""

    def with_key(self, key: str) -> Mention:
        """This mention resolved to ``key`` (``dataclasses.replace`` does the same, ten times slower)."""
        return Mention(self.start, self.end, self.type, self.text, self.source, key)


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed link between two mentions, stated by one sentence."""

    relation: str
    head: Mention
    tail: Mention
    sentence: Sentence
    title: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    """A document and everything the pipeline found in it."""

    id: str
    text: str
    path: str = ""
    sha256: str = ""
    title: str = ""
    #: ``"河北"`` for a Hebei Daily article: what a bare 省/市 refers to.
    context_province: str = ""
    #: ``"唐山市"`` for an article about Tangshan: what a bare 市 refers to.
    context_city: str = ""
    sentences: tuple[Sentence, ...] = ()
    mentions: tuple[Mention, ...] = ()
    #: named things inside the names of ``mentions`` (the place 唐山 in 唐山工业职业技术学院, the
    #: parent body of a unit), found by the entity stage, resolved like mentions, used by relations
    inner: tuple[Mention, ...] = ()
    relations: tuple[Relation, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def with_mentions(self, mentions) -> Document:
        ordered = tuple(sorted(mentions, key=lambda m: (m.start, -m.end, m.type)))
        return replace(self, mentions=ordered)

    def with_relations(self, relations) -> Document:
        return replace(self, relations=tuple(relations))

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence that contains character ``offset``."""
        lo, hi = 0, len(self.sentences)
        while lo < hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.start:
                hi = mid
            elif offset >= s.end:
                lo = mid + 1
            else:
                return s
        return None


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the graph needs of one processed document, as plain tuples.

    Why not the ``Document``: a document carries its whole text and every
    sentence, but the graph keeps only the sentences that are evidence. This is
    the unit the cache stores and worker processes send back, so it is built to
    pickle small and fast.

    * ``sentences``: (text, start, end) of the evidence sentences;
    * ``mentions``: (key, type, source, text, sentence index or -1) of every
      mention with a definite referent;
    * ``relations``: (head key, head type, head text, tail key, tail type,
      tail text, relation, title, sentence index).

    >>> doc = Document(id="a.txt", text="龙奋杰任厅长。", sentences=(Sentence(0, 7, "龙奋杰任厅长。"),))
    >>> doc = doc.with_mentions([Mention(0, 3, "Person", "龙奋杰", "crf", key="龙奋杰")])
    >>> Extraction.of(doc).mentions
    (('龙奋杰', 'Person', 'crf', '龙奋杰', 0),)
    """

    id: str
    path: str
    sha256: str
    title: str
    chars: int
    warnings: tuple[str, ...]
    sentences: tuple[tuple[str, int, int], ...]
    mentions: tuple[tuple[str, str, str, str, int], ...]
    relations: tuple[tuple[str, str, str, str, str, str, str, str, int], ...]

    @classmethod
    def of(cls, doc: Document) -> Extraction:
        index: dict[Sentence, int] = {}

        def at(sent: Sentence | None) -> int:
            if sent is None:
                return -1
            if sent not in index:
                index[sent] = len(index)
            return index[sent]

        mentions = tuple((m.key, m.type, m.source, m.text, at(doc.sentence_at(m.start))) for m in doc.mentions if m.key)
        relations = tuple(
            (
                r.head.key,
                r.head.type,
                r.head.text,
                r.tail.key,
                r.tail.type,
                r.tail.text,
                r.relation,
                r.title,
                at(r.sentence),
            )
            for r in doc.relations
            if r.head.key and r.tail.key
        )
        return cls(
            id=doc.id,
            path=doc.path,
            sha256=doc.sha256,
            title=doc.title,
            chars=len(doc.text),
            warnings=doc.warnings,
            sentences=tuple((s.text, s.start, s.end) for s in index),
            mentions=mentions,
            relations=relations,
        )
