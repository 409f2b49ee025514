"""Writing ``graph.ttl``: the triples of ``kg.export.rdf_model`` as sorted, byte-stable Turtle text.

rdflib's Turtle serializer does not promise an order, so this module writes
the Turtle itself: subjects, predicates and objects sorted, one subject block
each, every string escaped for Turtle and every IRI ASCII. Same graph, same
bytes. It renders the model's plain-text terms directly (making, hashing and
sorting an rdflib term for every triple was most of the time), and fills two
kinds of blocks in from templates (evidence nodes, entities' ``kg:mentionedIn``),
which ``tests/test_hostile.py`` holds to the general path's bytes.

>>> from kg.graph import add_entity, new_graph
>>> G = new_graph()
>>> _ = add_entity(G, "Agency", "河北省科学技术厅", aliases=["省科技厅"])
>>> print(turtle_text(G).split(2 * chr(10))[1], end="")
kgr:agency-852ee94733dc
    a org:FormalOrganization, org:Organization, kg:Agency, schema:GovernmentOrganization, schema:Organization ;
    skos:altLabel "省科技厅"@zh ;
    skos:prefLabel "河北省科学技术厅"@zh ;
    kg:mentionCount 1 .
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import networkx as nx
from rdflib import Graph as RDFGraph

from kg.export import atomic_write
from kg.export.rdf_model import (
    _A,
    _END,
    _EVIDENCE,
    _INTEGER,
    _MIN,
    _QUOTED,
    _START,
    _STRING,
    _VALUE,
    GRAPH_PREFIXES,
    Term,
    _Blank,
    _document,
    _entity,
    _evidence,
    _evidence_triples,
    _memo_evidence_iri,
    _plain_term,
    statements,
    types_of,
)
from kg.vocab import PREFIXES


def _evidence_blocks(
    G: nx.MultiDiGraph,
    prefixes: list[tuple[str, str]],
    evidence_iri: Callable[[dict], str] = _evidence,
    terms: dict | None = None,
) -> dict[str, str]:
    """The Turtle block of every evidence node, by its IRI: what ``turtle_lines`` writes for
    ``_evidence_triples``, made directly. ``terms`` gets each evidence IRI's written
    form, for the statements that name it.

    Evidence is most of a big graph.ttl (130,000 nodes of 1.4 million triples
    on the 50 MB benchmark), and every evidence block has the same shape: one
    object per predicate, in one order. Filling that shape in is five times
    quicker than building and sorting each block from its triples;
    ``tests/test_hostile.py`` holds the result to the general path's bytes.
    """
    terms = {} if terms is None else terms
    by_length = sorted(prefixes, key=lambda x: (-len(x[1]), x[0]))
    sample = _evidence_triples({"sentence": "", "start": 0, "end": 0}, "")
    order = sorted(dict.fromkeys(p for p, _ in sample), key=_predicate_key)
    # One template for every block; the objects as _term writes them: an xsd:integer
    # is its digits, a zh string is quoted and escaped, _A's objects are the classes.
    slots = {
        _A: ", ".join(_term(c, by_length) for c in _sorted(types_of(_EVIDENCE))),
        _VALUE: '"{value}"@zh',
        _QUOTED: "{quoted}",
        _START: "{start}",
        _END: "{end}",
    }
    lines = ["{subject}"] + [f"    {'a' if p == _A else _term(p, by_length)} {slots[p]} ;" for p in order]
    template = "\n".join(lines)[:-1] + "."
    documents: dict[str, str] = {}
    blocks: dict[str, str] = {}
    for _, _, data in G.edges(data=True):
        for ev in data.get("evidence") or ():
            e = evidence_iri(ev)
            if e in blocks:
                continue
            doc_id = ev["document"]
            quoted = documents.get(doc_id)
            if quoted is None:
                quoted = documents[doc_id] = _term(_document(doc_id), by_length)
            subject = terms[e] = _term(e, by_length)
            blocks[e] = template.format(
                subject=subject,
                value=escape_string(ev["sentence"]),
                quoted=quoted,
                start=int(ev["start"]),
                end=int(ev["end"]),
            )
    return blocks


def _mentioned_in(G: nx.MultiDiGraph, prefixes: list[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Each entity's ``kg:mentionedIn`` objects as ``turtle_lines`` writes them: ``{entity IRI: {predicate: text}}``.

    Most triples of a big graph.ttl are these (530,000 of 1.1 million on the
    50 MB benchmark): each document's term is written once here, not once per
    entity that names it.
    """
    by_length = sorted(prefixes, key=lambda x: (-len(x[1]), x[0]))
    iris: dict[str, str] = {}
    terms: dict[str, str] = {}
    out: dict[str, dict[str, str]] = {}
    for nid, data in G.nodes(data=True):
        if not data.get("documents"):
            continue
        objects = set()
        for doc_id in data["documents"]:
            iri = iris.get(doc_id)
            if iri is None:
                iri = iris[doc_id] = _document(doc_id)
                terms[iri] = _term(iri, by_length)
            objects.add(iri)
        out[_entity(nid)] = {_MIN: ", ".join(terms[iri] for iri in sorted(objects))}
    return out


_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INTEGER_LEXICAL = re.compile(r"[+-]?[0-9]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# The characters _ESCAPES names, other control characters, surrogates and the two noncharacters U+FFFE/FFFF.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]')


def _escape_char(match: re.Match) -> str:
    ch = match.group()
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04X}"


def escape_string(text: str) -> str:
    """Escape for a Turtle ``"…"`` string; other control characters become ``\\uXXXX``."""
    return _NEEDS_ESCAPE.sub(_escape_char, text)


@lru_cache(maxsize=8)
def _prefixed(prefixes: tuple[tuple[str, str], ...]) -> tuple[re.Pattern, dict[str, str]]:
    """One pattern for "a namespace of ``prefixes`` (first that fits, in their order), then a local name"."""
    alternatives = "|".join(re.escape(ns) for _, ns in prefixes)
    return re.compile(f"({alternatives})({_LOCAL.pattern})"), {ns: prefix for prefix, ns in reversed(prefixes)}


def _iri(text: str, prefixes: list[tuple[str, str]]) -> str:
    """``prefix:local`` for the first of ``prefixes`` that fits, else ``<text>``, percent-encoded to ASCII."""
    if prefixes:
        pattern, names = _prefixed(tuple(prefixes))
        m = pattern.fullmatch(text)
        if m:
            return f"{names[m.group(1)]}:{m.group(2)}"
    # ASCII IRIs only: percent-encode anything that may not appear in <…>.
    safe = "".join(c if 0x20 < ord(c) < 0x7F and c not in '<>"{}|^`\\' else _pct(c) for c in text)
    return f"<{safe}>"


def _pct(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))


def _term(term: Term, prefixes: list[tuple[str, str]]) -> str:
    if isinstance(term, str):
        return _iri(term, prefixes)
    if isinstance(term, _Blank):
        return f"_:{term.id}"
    datatype, language, lexical = term
    if datatype == _INTEGER and _INTEGER_LEXICAL.fullmatch(lexical):
        return lexical
    body = f'"{escape_string(lexical)}"'
    if language:
        return f"{body}@{language}"
    if datatype and datatype != _STRING:
        return f"{body}^^{_iri(datatype, prefixes)}"
    return body


def _sort_key(term: Term) -> tuple:
    """IRIs by their text, then blank nodes, then literals by (datatype, language, lexical form)."""
    if isinstance(term, str):
        return (0, term)
    if isinstance(term, _Blank):
        return (1, term.id)
    return (2, *term)


def _sorted(terms: Iterable[Term]) -> list[Term]:
    """``terms`` in ``_sort_key`` order, without calling it when it is not needed.

    IRIs alone (``str``) or literals alone (plain tuples) sort the same by
    themselves. Anything else puts a ``_Blank``, or an IRI and a literal, side
    by side in the result, and sorting must compare them: that raises
    ``TypeError``, and the key decides.
    """
    try:
        return sorted(terms)  # type: ignore[type-var]
    except TypeError:
        return sorted(terms, key=_sort_key)


def _predicate_key(p: str) -> tuple[bool, str]:
    return (p != _A, p)


def turtle_lines(
    statements: Iterable[tuple[Term, str, Term]],
    prefixes: list[tuple[str, str]],
    blocks: dict[str, str] | None = None,
    written: dict[str, dict[str, str]] | None = None,
    terms: dict | None = None,
) -> str:
    """Sorted Turtle of ``statements``.

    ``blocks``: whole subject blocks already written (no other triples about
    those subjects). ``written``: for some subjects, the objects of some
    predicates already written (``{subject: {predicate: text}}``), predicates
    that ``statements`` leaves out for them. ``terms``: terms already written
    (``{term: text}``).
    """
    blocks = blocks or {}
    written = written or {}
    prefixes = sorted(prefixes)
    # Longest namespace first, so no shorter overlapping namespace shadows it.
    by_length = sorted(prefixes, key=lambda x: (-len(x[1]), x[0]))
    # subject -> predicate -> its one object, or a set of them once there is a second
    # (most have one: not making a set for each keeps this loop and the garbage collector quick).
    tree: dict[Term, dict[str, Term | set[Term]]] = {}
    preds: dict[str, Term | set[Term]] = {}
    subject: Term | None = None
    for s, p, o in statements:
        if s is not subject:  # a subject's triples mostly come together
            subject = s
            preds = tree.setdefault(s, {})
        objs = preds.get(p)
        if objs is None:
            preds[p] = o
        elif isinstance(objs, set):
            objs.add(o)
        elif objs != o:
            preds[p] = {objs, o}

    used = {p for preds in tree.values() for p in preds} | {p for preds in written.values() for p in preds}
    verbs = {p: "a" if p == _A else _term(p, by_length) for p in used}
    cache: dict[Term, str] = dict(terms or {})
    orders: dict[tuple[str, ...], list[str]] = {}
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in prefixes]
    append = lines.append
    for s in _sorted(tree.keys() | blocks.keys() | written.keys()):
        append("")
        if s in blocks:
            append(blocks[s])  # type: ignore[index]
            continue
        preds = tree.get(s, {})
        done = written.get(s, {})  # type: ignore[arg-type]
        append(cache.get(s) or cache.setdefault(s, _term(s, by_length)))
        order = (*preds, *done)  # subjects of a kind share their predicates: sort each set of them once
        ordered = orders.get(order)
        if ordered is None:
            ordered = orders[order] = sorted(order, key=_predicate_key)
        last = ordered[-1]
        for p in ordered:
            if p in done:
                append(f"    {verbs[p]} {done[p]}{' .' if p == last else ' ;'}")
                continue
            objs = preds[p]
            if not isinstance(objs, set):
                body = cache.get(objs)
                if body is None:
                    body = cache[objs] = _term(objs, by_length)
            else:
                texts = []
                for o in _sorted(objs):
                    t = cache.get(o)
                    if t is None:
                        t = cache[o] = _term(o, by_length)
                    texts.append(t)
                body = ", ".join(texts)
            append(f"    {verbs[p]} {body}{' .' if p == last else ' ;'}")
    return "\n".join(lines) + "\n"


def turtle_of(R: RDFGraph) -> str:
    """Sorted, byte-stable Turtle for any rdflib graph, with its bound prefixes."""
    plain = ((_plain_term(s), str(p), _plain_term(o)) for s, p, o in R)
    return turtle_lines(plain, [(p, str(ns)) for p, ns in R.namespaces()])


def turtle_text(G: nx.MultiDiGraph) -> str:
    """``graph.ttl`` as a string: sorted Turtle, UTF-8, byte-stable."""
    prefixes = [(p, PREFIXES[p]) for p in GRAPH_PREFIXES]
    evidence_iri = _memo_evidence_iri()
    terms: dict[Term, str] = {}
    blocks = _evidence_blocks(G, prefixes, evidence_iri, terms)
    plain = statements(G, evidence=False, evidence_iri=evidence_iri, mentioned_in=False)
    return turtle_lines(plain, prefixes, blocks, _mentioned_in(G, prefixes), terms)


def write_turtle(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, turtle_text(G))
