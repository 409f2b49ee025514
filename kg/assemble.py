"""Documents' extractions into one graph: one node per canonical name, one edge per statement.

Not part of extraction (``kg.cache.EXTRACTION_MODULES``): changing how the
graph is assembled keeps every cached extraction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from operator import itemgetter

import networkx as nx

from kg.extract.merge import PRIORITY
from kg.graph import add_entity, add_link, new_graph
from kg.model import Extraction
from kg.places import gazetteer
from kg.schema import allows


def _add_votes(into: dict[str, int], votes: dict[str, int]) -> None:
    """Counter.update: the counts added, a type new to ``into`` placed after the ones it had."""
    for type_, n in votes.items():
        into[type_] = into.get(type_, 0) + n


def _winner(votes: dict[str, int]) -> str:
    """The type with the most votes, the first to be voted for among equals (Counter.most_common(1))."""
    return max(votes.items(), key=itemgetter(1))[0]


class Assembler:
    """Merges processed documents into one graph, one node per canonical label.

    An assembler holds what a run of consecutive documents contributes, in a
    form that ``merge`` can join: ``a.merge(b)`` (``b``'s documents coming after
    ``a``'s) leaves ``a`` as if it had added ``b``'s documents itself, so the
    states of unchanged runs of a corpus can be kept and joined again
    (``kg.pipeline.build_graph``). The one rule that depends on order, a name
    that a relation introduces before any mention of it (it then takes that
    relation's type, text, document and sentence), is kept as ``first_seen``
    and applied in ``graph``.
    """

    def __init__(self) -> None:
        self.docs: list[dict] = []
        # from mentions
        self.type_votes: dict[str, dict[str, int]] = {}  # plain dicts: a stored run loads without Counter code
        self.aliases: dict[str, set[str]] = defaultdict(set)
        self.mentions: Counter[str] = Counter()
        self.documents: dict[str, set[str]] = defaultdict(set)
        self.first_sentence: dict[str, dict] = {}
        #: key -> None if a mention of it came first, else (type, text, document, evidence) of the relation that did
        self.first_seen: dict[str, tuple[str, str, str, dict] | None] = {}
        self.links: list[tuple[str, str, str, str, dict]] = []

    def add(self, ext: Extraction) -> None:
        doc_id = ext.id
        self.docs.append({"id": doc_id, "path": ext.path, "sha256": ext.sha256, "title": ext.title, "chars": ext.chars})
        sentences = ext.sentences
        made: dict[int, dict] = {}  # the evidence dicts this document needs, made once each

        def evidence(i: int) -> dict:
            ev = made.get(i)
            if ev is None:
                t, s, e = sentences[i]
                ev = made[i] = {"document": doc_id, "sentence": t, "start": s, "end": e}
            return ev

        votes, aliases, first = self.type_votes, self.aliases, self.first_sentence
        mentions = ext.mentions
        self.mentions.update([m[0] for m in mentions])
        for key, type_, source, text, sent in mentions:
            tally = votes.get(key)
            if tally is None:
                tally = votes[key] = {}
            tally[type_] = tally.get(type_, 0) + PRIORITY.get(source, 1)
            aliases[key].add(text)
            if sent >= 0 and key not in first:
                first[key] = evidence(sent)
        documents, seen = self.documents, self.first_seen
        for key in dict.fromkeys(m[0] for m in mentions):  # each once, in a fixed order
            documents[key].add(doc_id)
            seen.setdefault(key, None)
        for head, head_type, head_text, tail, tail_type, tail_text, relation, title, sent in ext.relations:
            for key, type_, text in ((head, head_type, head_text), (tail, tail_type, tail_text)):
                if key not in seen:
                    seen[key] = (type_, text, doc_id, evidence(sent))
            if head != tail:
                self.links.append((head, tail, relation, title, evidence(sent)))

    def merge(self, later: Assembler) -> None:
        """Add the documents ``later`` holds, which come after this one's; ``later`` is not changed."""
        self.docs += later.docs
        for key, votes in later.type_votes.items():
            _add_votes(self.type_votes.setdefault(key, {}), votes)
        for key, names in later.aliases.items():
            self.aliases[key] |= names
        self.mentions.update(later.mentions)
        for key, docs in later.documents.items():
            self.documents[key] |= docs
        for key, ev in later.first_sentence.items():
            self.first_sentence.setdefault(key, ev)
        for key, first in later.first_seen.items():
            self.first_seen.setdefault(key, first)
        self.links += later.links

    def _introduced_by_relations(self) -> None:
        """A name a relation gave before any mention: one vote for the relation's type (counted first),
        its text, document and sentence (the earliest)."""
        for key, first in self.first_seen.items():
            if first is None:
                continue
            type_, text, doc_id, ev = first
            votes = {type_: 1}
            _add_votes(votes, self.type_votes.pop(key, {}))
            self.type_votes[key] = votes
            self.aliases[key].add(text)
            self.documents[key].add(doc_id)
            self.first_sentence[key] = ev
        self.first_seen = {}

    def _merge_place_qualified(self) -> None:
        """科技创新辅导团 → 河北省科技创新辅导团: a name and the same name with its place in front.

        Linear in the number of initiatives: each name offers its own tails
        (``longer[k[i:]]``) instead of every pair being compared.
        """
        g = gazetteer()
        types = {key: _winner(votes) for key, votes in self.type_votes.items()}
        initiatives = sorted(k for k, t in types.items() if t == "Initiative")
        names = set(initiatives)
        longer: dict[str, list[str]] = defaultdict(list)
        for k in initiatives:
            for i in range(1, len(k) - 3):  # the short name keeps at least 4 characters
                if k[i:] in names and g.lookup(k[:i]):
                    longer[k[i:]].append(k)
        renames: list[tuple[str, str]] = []
        for short in initiatives:
            if len(longer.get(short, ())) == 1:
                self._rename(short, longer[short][0])
                renames.append((short, longer[short][0]))
        if renames:
            self._rename_links(renames)

    def _rename(self, old: str, new: str) -> None:
        _add_votes(self.type_votes.setdefault(new, {}), self.type_votes.pop(old))
        self.aliases[new] |= self.aliases.pop(old) | {old}
        self.mentions[new] += self.mentions.pop(old, 0)
        self.documents[new] |= self.documents.pop(old)
        self.first_sentence.setdefault(new, self.first_sentence.pop(old, {}))

    def _rename_links(self, renames: list[tuple[str, str]]) -> None:
        """Apply renames, in order, to every link end in one pass over the links."""
        holders: dict[str, set[str]] = {}  # current name -> the original names now called so
        gone: set[str] = set()  # original names no longer called by themselves

        def take(name: str) -> set[str]:
            if name in holders:
                return holders.pop(name)
            return set() if name in gone else {name}

        for old, new in renames:
            moved = take(old)
            gone |= moved
            holders[new] = take(new) | moved
        final = {orig: name for name, origs in holders.items() for orig in origs}
        self.links = [(final.get(h, h), final.get(t, t), r, ti, ev) for h, t, r, ti, ev in self.links]

    def graph(self) -> nx.MultiDiGraph:
        """The graph of every document added or merged (once: this changes the assembler)."""
        self._introduced_by_relations()
        self._merge_place_qualified()
        G = new_graph(self.docs)
        types = {key: _winner(votes) for key, votes in sorted(self.type_votes.items())}
        # a person's name that is also a place name is the place (唐山)
        g = gazetteer()
        for key, type_ in types.items():
            if type_ == "Person" and g.lookup(key):
                types[key] = "Place"
        ids = {}
        for key in sorted(types):
            ids[key] = add_entity(
                G,
                types[key],
                key,
                aliases=self.aliases[key],  # add_entity sorts them
                mentions=self.mentions[key] or 1,
                documents=self.documents[key],
            )

        def fits(link: tuple[str, str, str, str, dict]) -> bool:
            return allows(link[2], types[link[0]], types[link[1]])

        # one add_link per edge with all its evidence (not one per sentence: a hub edge's list is sorted once)
        grouped: dict[tuple[str, str, str, str], list[dict]] = {}
        for head, tail, relation, title, ev in filter(fits, self.links):
            grouped.setdefault((head, tail, relation, title), []).append(ev)
        for edge in sorted(grouped):
            evs = sorted(grouped[edge], key=lambda ev: (ev["document"], ev["start"]))  # stable: ties keep link order
            head, tail, relation, title = edge
            seen: set[tuple[str, int]] = set()
            unique = []
            for ev in evs:  # the first statement at one place in a document wins, as add_link would keep it
                if (ev["document"], ev["start"]) not in seen:
                    seen.add((ev["document"], ev["start"]))
                    unique.append(ev)
            add_link(G, ids[head], ids[tail], relation, unique, title=title)
        return G
