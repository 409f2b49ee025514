"""Which triples ``graph.ttl`` holds: the RDF modelling of the canonical graph, in the terms of ``ontology/kg.ttl``.

What is modelled (IRIs under ``https://kg.example.org/id/``, prefix ``kgr:``):

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
  ``kg:headline``, ``kg:charCount``;
* the public vocabularies' terms each of those entails under RDFS with the
  ontology (``alignment``): an entity of ``kg:Person`` is also ``foaf:Person``
  and ``schema:Person``, a ``kg:holds`` is also an ``org:holds``, a
  ``kg:locatedIn`` also a ``schema:location``, so ``?x a foaf:Person`` or
  ``org:holds`` answer on graph.ttl alone, with no inference and no merge.

Classes and relations are named from ``kg.schema`` (a new relation there is
written with no change here); the public terms come from the
``rdfs:subClassOf``/``rdfs:subPropertyOf`` statements of ``ontology/kg.ttl``,
which ``kg.schema`` generates for the types and relations.

Statement, evidence, post and document IRIs are content hashes, so there are
no blank nodes and the same graph gives the same IRIs everywhere.
``statements(G)`` is the one place the modelling lives: it yields every triple
with plain strings for terms. ``triples`` and ``rdf_graph`` (for SPARQL and
SHACL) make rdflib terms of them; ``kg.export.turtle`` writes them as text.

>>> alignment()[0][str(KG.Person)]
('http://xmlns.com/foaf/0.1/Person', 'https://schema.org/Person')
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import networkx as nx
from rdflib import RDF, RDFS, SKOS, BNode, Literal, URIRef
from rdflib import Graph as RDFGraph
from rdflib.namespace import PROV, XSD

from kg import schema
from kg.vocab import DATA_BASE, KG, ONTOLOGY_DIR, PREFIXES, VOCAB_BASE

#: The prefixes graph.ttl binds: exactly the namespaces it uses.
GRAPH_PREFIXES = ("dcterms", "foaf", "kg", "kgr", "org", "prov", "rdf", "schema", "skos", "xsd")


def _digest(*parts: object, n: int = 16) -> str:
    return hashlib.sha1("\t".join([str(p) for p in parts]).encode("utf-8")).hexdigest()[:n]


_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


# The IRIs as text (what ``statements`` uses) and as rdflib terms (the public names).


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
    """A blank node. ``statements`` never makes one; ``turtle_of`` may meet one.

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


def statements(
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

    _, properties = alignment()
    # read from the schema at call time: a relation added there is written as is
    types = {t: types_of(VOCAB_BASE + t) for t in schema.ENTITY_TYPES}
    relations = {r: (VOCAB_BASE + r, properties.get(VOCAB_BASE + r, ())) for r in schema.RELATIONS}
    statement_types, post_types = types_of(_STATEMENT), types_of(_POST)
    holds, post_in = (_HOLDS, *properties.get(_HOLDS, ())), (_POST_IN, *properties.get(_POST_IN, ()))

    iris = {nid: _entity(nid) for nid in G.nodes}
    for nid, data in G.nodes(data=True):
        s = iris[nid]
        for c in types[data["type"]]:
            yield (s, _A, c)
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
        s, o = iris[u], iris[v]
        p, entailed = relations[data["relation"]]
        yield (s, p, o)
        for q in entailed:
            yield (s, q, o)
        st = _statement(u, v, key)
        for c in statement_types:
            yield (st, _A, c)
        yield (st, _SUBJ, s)
        yield (st, _PRED, p)
        yield (st, _OBJ, o)
        title = data.get("title") or ""
        if data["relation"] == "holdsPosition" and title:
            post = _post(v, title)
            for c in post_types:
                yield (post, _A, c)
            yield (post, _TITLE, ("", "zh", title))
            for q in post_in:
                yield (post, q, o)
            yield (post, _PREF, ("", "zh", G.nodes[v]["label"] + title))
            for q in holds:
                yield (s, q, post)
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
    document_types = types_of(_DOCUMENT)
    headline = (_HEADLINE, *properties.get(_HEADLINE, ()))
    for doc_id, d in doc_iris.items():
        for c in document_types:
            yield (d, _A, c)
        yield (d, _FILE, ("", "", doc_id))
        meta = docs.get(doc_id, {})
        if meta.get("sha256"):
            yield (d, _SHA, ("", "", meta["sha256"]))
        if meta.get("title"):
            for q in headline:
                yield (d, q, ("", "zh", meta["title"]))
        if meta.get("chars") not in (None, ""):
            yield (d, _CHARS, _int(meta["chars"]))


def _evidence_triples(ev: dict, document: str) -> tuple[tuple[str, Term], ...]:
    """(predicate, object) of an evidence node: the sentence, its document and offsets."""
    return (
        *((_A, c) for c in types_of(_EVIDENCE)),
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


@cache
def alignment() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(classes, properties): for each ``kg:`` term, the public-vocabulary terms it entails.

    Read from ``ontology/kg.ttl``: the ``rdfs:subClassOf`` (``rdfs:subPropertyOf``)
    closure of every ``kg:`` class (property), without the ``kg:`` terms (graph.ttl
    states those itself: a ``holdsPosition`` is not written again as an
    ``affiliatedWith``) and only in namespaces graph.ttl binds.
    """
    onto = RDFGraph().parse(ONTOLOGY_DIR / "kg.ttl", format="turtle")
    public = tuple(ns for p, ns in PREFIXES.items() if p in GRAPH_PREFIXES and ns not in (VOCAB_BASE, DATA_BASE))

    def closure(term: URIRef, link: URIRef) -> tuple[str, ...]:
        seen: set[URIRef] = set()
        todo = [term]
        while todo:
            for parent in onto.objects(todo.pop(), link):
                if isinstance(parent, URIRef) and parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return tuple(sorted(str(t) for t in seen if str(t).startswith(public)))

    out: tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]] = ({}, {})
    for table, link in zip(out, (RDFS.subClassOf, RDFS.subPropertyOf), strict=True):
        for term in sorted(set(onto.subjects(link, None)), key=str):
            if isinstance(term, URIRef) and str(term).startswith(VOCAB_BASE):
                entailed = closure(term, link)
                if entailed:
                    table[str(term)] = entailed
    return out


def types_of(cls: str) -> tuple[str, ...]:
    """``cls`` and the public classes it entails: every ``rdf:type`` a ``cls`` node gets."""
    return (cls, *alignment()[0].get(cls, ()))


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

    return {(rdf(s), rdf(p), rdf(o)) for s, p, o in statements(G)}  # type: ignore[misc]


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
