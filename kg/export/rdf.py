"""``graph.ttl``: the canonical graph as RDF, in the terms of ``ontology/kg.ttl``.

What is written (IRIs under ``https://kg.example.org/id/``, prefix ``kgr:``):

* each entity ``kgr:<node id>``: ``rdf:type`` (kg:Person …), ``skos:prefLabel``
  and ``skos:altLabel`` with ``@zh``, ``kg:mentionCount``, ``kg:mentionedIn``;
* each edge as a direct triple (``kgr:person-… kg:holdsPosition kgr:agency-…``)
  and as a ``kg:Statement`` (``rdf:subject``/``rdf:predicate``/``rdf:object``)
  that ``prov:wasDerivedFrom`` its ``kg:Evidence`` nodes: sentence
  (``prov:value``), offsets (``kg:start``, ``kg:end``), document
  (``prov:wasQuotedFrom``);
* each (agency, title) of a ``holdsPosition`` edge as a ``kg:Post``
  (``kg:title``, ``kg:postIn``) that the person ``kg:holds``; the statement
  names it (``kg:post``) and carries the title (``kg:title``);
* each document ``kgr:document-…`` with ``kg:fileName``, ``kg:sha256``,
  ``kg:headline``, ``kg:charCount``.

Statement, evidence, post and document IRIs are content hashes, so there are
no blank nodes and the same graph gives the same IRIs everywhere.
``_statements(G)`` is the one place the modelling lives: it yields every triple
with plain strings for terms. ``triples`` and ``rdf_graph`` (for SPARQL and
SHACL) make rdflib terms of them; ``turtle_text`` renders them directly
(making, hashing and sorting an rdflib term for every triple was most of its
time). rdflib's Turtle serializer does not promise an order, so
``turtle_text`` writes the Turtle itself: subjects, predicates and objects
sorted, one subject block each. Same graph, same bytes.

>>> from kg.graph import add_entity, new_graph
>>> G = new_graph()
>>> _ = add_entity(G, "Agency", "河北省科学技术厅", aliases=["省科技厅"])
>>> print(turtle_text(G).split(2 * chr(10))[1], end="")
kgr:agency-852ee94733dc
    a kg:Agency ;
    skos:altLabel "省科技厅"@zh ;
    skos:prefLabel "河北省科学技术厅"@zh ;
    kg:mentionCount 1 .
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import networkx as nx
from rdflib import RDF, SKOS, BNode, Literal, URIRef
from rdflib import Graph as RDFGraph
from rdflib.namespace import PROV, XSD

from kg.export import atomic_write
from kg.vocab import DATA_BASE, KG, PREFIXES

_RELATIONS = {
    "holdsPosition": str(KG.holdsPosition),
    "affiliatedWith": str(KG.affiliatedWith),
    "organizes": str(KG.organizes),
    "participatesIn": str(KG.participatesIn),
    "locatedIn": str(KG.locatedIn),
    "partOf": str(KG.partOf),
    "cooperatesWith": str(KG.cooperatesWith),
}
_TYPES = {
    "Person": str(KG.Person),
    "Agency": str(KG.Agency),
    "Organization": str(KG.Organization),
    "Place": str(KG.Place),
    "Initiative": str(KG.Initiative),
}


#: The prefixes graph.ttl binds: exactly the namespaces it uses.
GRAPH_PREFIXES = ("kg", "kgr", "prov", "rdf", "skos", "xsd")


def _digest(*parts: object, n: int = 16) -> str:
    return hashlib.sha1("\t".join([str(p) for p in parts]).encode("utf-8")).hexdigest()[:n]


_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


# The IRIs as text (what ``_statements`` uses) and as rdflib terms (the public names).


def _entity(node_id: str) -> str:
    if _PLAIN_ID.fullmatch(node_id) and not node_id.endswith("."):
        return DATA_BASE + node_id
    return f"{DATA_BASE}entity-{_digest(node_id)}"


def _document(doc_id: str) -> str:
    return f"{DATA_BASE}document-{_digest(doc_id, n=12)}"


def _post(org_id: str, title: str) -> str:
    return f"{DATA_BASE}post-{_digest(org_id, title, n=12)}"


def _evidence(ev: dict) -> str:
    return f"{DATA_BASE}evidence-{_digest(ev['document'], ev['start'], ev['end'], ev['sentence'])}"


def _statement(source: str, target: str, key: str) -> str:
    return f"{DATA_BASE}statement-{_digest(source, key, target)}"


def entity_iri(node_id: str) -> URIRef:
    """``kgr:<id>``; ids outside ``[A-Za-z0-9._-]`` are hashed so IRIs stay ASCII."""
    return URIRef(_entity(node_id))


def document_iri(doc_id: str) -> URIRef:
    return URIRef(_document(doc_id))


@dataclass(frozen=True)
class _Blank:
    """A blank node. ``_statements`` never makes one; ``turtle_of`` may meet one.

    Unordered on purpose: comparing one with ``<`` raises ``TypeError`` (see ``_sorted``).
    """

    id: str


#: A term without rdflib: an IRI is its ``str``; a literal is the tuple
#: ``(datatype IRI or "", language or "", lexical form)``; a blank node is a ``_Blank``.
Term = str | tuple[str, str, str] | _Blank
PlainTriple = tuple[str, str, Term]
Triple = tuple[URIRef, URIRef, URIRef | Literal]

_A, _PREF, _ALT = str(RDF.type), str(SKOS.prefLabel), str(SKOS.altLabel)
_SUBJ, _PRED, _OBJ = str(RDF.subject), str(RDF.predicate), str(RDF.object)
_DERIVED, _VALUE, _QUOTED = str(PROV.wasDerivedFrom), str(PROV.value), str(PROV.wasQuotedFrom)
_DOCUMENT, _EVIDENCE, _STATEMENT, _POST = str(KG.Document), str(KG.Evidence), str(KG.Statement), str(KG.Post)
_FILE, _SHA, _HEADLINE, _CHARS = str(KG.fileName), str(KG.sha256), str(KG.headline), str(KG.charCount)
_START, _END, _MCOUNT, _MIN = str(KG.start), str(KG.end), str(KG.mentionCount), str(KG.mentionedIn)
_TITLE, _POST_IN, _HOLDS, _POST_OF = str(KG.title), str(KG.postIn), str(KG.holds), str(KG.post)
_INTEGER, _STRING = str(XSD.integer), str(XSD.string)


def _int(value: int | str) -> tuple[str, str, str]:
    return (_INTEGER, "", str(int(value)))


def _statements(
    G: nx.MultiDiGraph,
    evidence: bool = True,
    evidence_iri: Callable[[dict], str] = _evidence,
    mentioned_in: bool = True,
) -> Iterator[PlainTriple]:
    """Every triple of graph.ttl, terms as plain text (the one place the RDF modelling lives).

    A triple may come more than once (evidence or a post that two edges share).
    ``turtle_text`` writes two kinds of triples itself, and leaves them out here:
    those whose subject is an evidence node (``evidence=False``; see
    ``_evidence_triples``) and an entity's ``kg:mentionedIn`` (``mentioned_in=False``;
    see ``_mentioned_in``).
    """
    docs = {d["id"]: d for d in G.graph.get("documents", [])}
    doc_iris = {doc_id: _document(doc_id) for doc_id in docs}

    def document(doc_id: str) -> str:
        iri = doc_iris.get(doc_id)
        if iri is None:
            iri = doc_iris[doc_id] = _document(doc_id)
        return iri

    iris = {nid: _entity(nid) for nid in G.nodes}
    for nid, data in G.nodes(data=True):
        s = iris[nid]
        yield (s, _A, _TYPES[data["type"]])
        yield (s, _PREF, ("", "zh", data["label"]))
        for alias in data.get("aliases") or ():
            if alias != data["label"]:
                yield (s, _ALT, ("", "zh", alias))
        if data.get("mentions") is not None:
            yield (s, _MCOUNT, _int(data["mentions"]))
        for doc_id in data.get("documents") or ():
            d = doc_iris.get(doc_id) or document(doc_id)
            if mentioned_in:
                yield (s, _MIN, d)

    for u, v, key, data in G.edges(keys=True, data=True):
        s, o, p = iris[u], iris[v], _RELATIONS[data["relation"]]
        yield (s, p, o)
        st = _statement(u, v, key)
        yield (st, _A, _STATEMENT)
        yield (st, _SUBJ, s)
        yield (st, _PRED, p)
        yield (st, _OBJ, o)
        title = data.get("title") or ""
        if data["relation"] == "holdsPosition" and title:
            post = _post(v, title)
            yield (post, _A, _POST)
            yield (post, _TITLE, ("", "zh", title))
            yield (post, _POST_IN, o)
            yield (post, _PREF, ("", "zh", G.nodes[v]["label"] + title))
            yield (s, _HOLDS, post)
            yield (st, _POST_OF, post)
            yield (st, _TITLE, ("", "zh", title))
        for ev in data.get("evidence") or ():
            e = evidence_iri(ev)
            yield (st, _DERIVED, e)
            quoted = document(ev["document"])
            if evidence:
                for pred, obj in _evidence_triples(ev, quoted):
                    yield (e, pred, obj)

    # Every document: those of the graph and any that a node or evidence names.
    for doc_id, d in doc_iris.items():
        yield (d, _A, _DOCUMENT)
        yield (d, _FILE, ("", "", doc_id))
        meta = docs.get(doc_id, {})
        if meta.get("sha256"):
            yield (d, _SHA, ("", "", meta["sha256"]))
        if meta.get("title"):
            yield (d, _HEADLINE, ("", "zh", meta["title"]))
        if meta.get("chars") not in (None, ""):
            yield (d, _CHARS, _int(meta["chars"]))


def _evidence_triples(ev: dict, document: str) -> tuple[tuple[str, Term], ...]:
    """(predicate, object) of an evidence node: the sentence, its document and offsets."""
    return (
        (_A, _EVIDENCE),
        (_VALUE, ("", "zh", ev["sentence"])),
        (_QUOTED, document),
        (_START, _int(ev["start"])),
        (_END, _int(ev["end"])),
    )


def _memo_evidence_iri() -> Callable[[dict], str]:
    """``_evidence``, remembering each (document, start, end, sentence) it has hashed."""
    made: dict[tuple, str] = {}

    def evidence_iri(ev: dict) -> str:
        key = (ev["document"], ev["start"], ev["end"], ev["sentence"])
        iri = made.get(key)
        if iri is None:
            iri = made[key] = _evidence(ev)
        return iri

    return evidence_iri


def _evidence_blocks(
    G: nx.MultiDiGraph,
    prefixes: list[tuple[str, str]],
    evidence_iri: Callable[[dict], str] = _evidence,
    terms: dict | None = None,
) -> dict[str, str]:
    """The Turtle block of every evidence node, by its IRI: what ``_turtle`` writes for
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
    order = sorted((p for p, _ in sample), key=_predicate_key)
    # One template for every block; the objects as _term writes them: an xsd:integer
    # is its digits, a zh string is quoted and escaped, _A's object is the class.
    slots = {
        _A: _term(_EVIDENCE, by_length),
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
                value=_escape_string(ev["sentence"]),
                quoted=quoted,
                start=int(ev["start"]),
                end=int(ev["end"]),
            )
    return blocks


def _mentioned_in(G: nx.MultiDiGraph, prefixes: list[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Each entity's ``kg:mentionedIn`` objects as ``_turtle`` writes them: ``{entity IRI: {predicate: text}}``.

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


def _rdf_term(term: Term) -> URIRef | Literal | BNode:
    if isinstance(term, str):
        return URIRef(term)
    if isinstance(term, _Blank):
        return BNode(term.id)
    datatype, language, lexical = term
    return Literal(lexical, lang=language or None, datatype=URIRef(datatype) if datatype else None)


def _plain_term(term) -> Term:
    if isinstance(term, BNode):
        return _Blank(str(term))
    if isinstance(term, URIRef):
        return str(term)
    lit: Literal = term
    return (str(lit.datatype or ""), str(lit.language or ""), str(lit))


def triples(G: nx.MultiDiGraph) -> set[Triple]:
    """Every triple of graph.ttl as rdflib terms, as a set."""
    made: dict[Term, URIRef | Literal | BNode] = {}

    def rdf(term: Term) -> URIRef | Literal | BNode:
        node = made.get(term)
        if node is None:
            node = made[term] = _rdf_term(term)
        return node

    return {(rdf(s), rdf(p), rdf(o)) for s, p, o in _statements(G)}  # type: ignore[misc]


def _bound_graph() -> RDFGraph:
    R = RDFGraph(bind_namespaces="none")
    for prefix in GRAPH_PREFIXES:
        R.bind(prefix, PREFIXES[prefix])
    return R


def rdf_graph(G: nx.MultiDiGraph) -> RDFGraph:
    """The canonical graph as an rdflib graph (prefixes of ``GRAPH_PREFIXES`` only)."""
    R = _bound_graph()
    for triple in triples(G):
        R.add(triple)
    return R


# ---------------------------------------------------------------- sorted Turtle

_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_INTEGER_LEXICAL = re.compile(r"[+-]?[0-9]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
# The characters _ESCAPES names, other control characters, surrogates and the two noncharacters U+FFFE/FFFF.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]')


def _escape_char(match: re.Match) -> str:
    ch = match.group()
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04X}"


def _escape_string(text: str) -> str:
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
    body = f'"{_escape_string(lexical)}"'
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


def _turtle(
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
    return _turtle(plain, [(p, str(ns)) for p, ns in R.namespaces()])


def turtle_text(G: nx.MultiDiGraph) -> str:
    """``graph.ttl`` as a string: sorted Turtle, UTF-8, byte-stable."""
    prefixes = [(p, PREFIXES[p]) for p in GRAPH_PREFIXES]
    evidence_iri = _memo_evidence_iri()
    terms: dict[Term, str] = {}
    blocks = _evidence_blocks(G, prefixes, evidence_iri, terms)
    statements = _statements(G, evidence=False, evidence_iri=evidence_iri, mentioned_in=False)
    return _turtle(statements, prefixes, blocks, _mentioned_in(G, prefixes), terms)


def write_turtle(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, turtle_text(G))
