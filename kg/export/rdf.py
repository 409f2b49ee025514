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
no blank nodes and the same graph gives the same IRIs everywhere. ``triples(G)``
is the one place the modelling lives; ``rdf_graph`` (for SPARQL and SHACL) and
``turtle_text`` are both made from it. rdflib's
Turtle serializer does not promise an order, so ``turtle_text`` writes the
Turtle itself: subjects, predicates and objects sorted, one subject block
each. Same graph, same bytes.

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
from pathlib import Path

import networkx as nx
from rdflib import RDF, SKOS, BNode, Literal, URIRef
from rdflib import Graph as RDFGraph
from rdflib.namespace import PROV, XSD

from kg.export import atomic_write
from kg.vocab import ID, KG, PREFIXES

_RELATIONS = {
    "holdsPosition": KG.holdsPosition,
    "affiliatedWith": KG.affiliatedWith,
    "organizes": KG.organizes,
    "participatesIn": KG.participatesIn,
    "locatedIn": KG.locatedIn,
    "partOf": KG.partOf,
    "cooperatesWith": KG.cooperatesWith,
}
_TYPES = {
    "Person": KG.Person,
    "Agency": KG.Agency,
    "Organization": KG.Organization,
    "Place": KG.Place,
    "Initiative": KG.Initiative,
}


#: The prefixes graph.ttl binds: exactly the namespaces it uses.
GRAPH_PREFIXES = ("kg", "kgr", "prov", "rdf", "skos", "xsd")


def _digest(*parts: object, n: int = 16) -> str:
    return hashlib.sha1("\t".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:n]


def entity_iri(node_id: str) -> URIRef:
    """``kgr:<id>``; ids outside ``[A-Za-z0-9._-]`` are hashed so IRIs stay ASCII."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", node_id) and not node_id.endswith("."):
        return ID[node_id]
    return ID[f"entity-{_digest(node_id)}"]


def document_iri(doc_id: str) -> URIRef:
    return ID[f"document-{_digest(doc_id, n=12)}"]


def post_iri(org_id: str, title: str) -> URIRef:
    return ID[f"post-{_digest(org_id, title, n=12)}"]


def evidence_iri(ev: dict) -> URIRef:
    return ID[f"evidence-{_digest(ev['document'], ev['start'], ev['end'], ev['sentence'])}"]


def statement_iri(source: str, target: str, key: str) -> URIRef:
    return ID[f"statement-{_digest(source, key, target)}"]


Triple = tuple[URIRef, URIRef, URIRef | Literal]

# Plain module constants: DefinedNamespace attribute access is slow in a loop.
_A, _PREF, _ALT = RDF.type, SKOS.prefLabel, SKOS.altLabel
_SUBJ, _PRED, _OBJ = RDF.subject, RDF.predicate, RDF.object
_DERIVED, _VALUE, _QUOTED = PROV.wasDerivedFrom, PROV.value, PROV.wasQuotedFrom
(_DOCUMENT, _EVIDENCE, _STATEMENT, _POST, _FILE, _SHA, _HEADLINE, _CHARS, _START, _END, _MCOUNT, _MIN) = (
    KG.Document,
    KG.Evidence,
    KG.Statement,
    KG.Post,
    KG.fileName,
    KG.sha256,
    KG.headline,
    KG.charCount,
    KG.start,
    KG.end,
    KG.mentionCount,
    KG.mentionedIn,
)
_TITLE, _POST_IN, _HOLDS, _POST_OF = KG.title, KG.postIn, KG.holds, KG.post


def triples(G: nx.MultiDiGraph) -> set[Triple]:
    """Every triple of graph.ttl, as a set (the one place the RDF modelling lives)."""
    out: set[Triple] = set()
    add = out.add
    zh = "zh"
    docs = {d["id"]: d for d in G.graph.get("documents", [])}
    doc_iris: dict[str, URIRef] = {}

    def document(doc_id: str) -> URIRef:
        if doc_id in doc_iris:
            return doc_iris[doc_id]
        d = doc_iris[doc_id] = document_iri(doc_id)
        add((d, _A, _DOCUMENT))
        add((d, _FILE, Literal(doc_id)))
        meta = docs.get(doc_id, {})
        if meta.get("sha256"):
            add((d, _SHA, Literal(meta["sha256"])))
        if meta.get("title"):
            add((d, _HEADLINE, Literal(meta["title"], lang=zh)))
        if meta.get("chars") not in (None, ""):
            add((d, _CHARS, Literal(int(meta["chars"]))))
        return d

    for doc_id in docs:
        document(doc_id)

    iris = {nid: entity_iri(nid) for nid in G.nodes}
    for nid, data in G.nodes(data=True):
        s = iris[nid]
        add((s, _A, _TYPES[data["type"]]))
        add((s, _PREF, Literal(data["label"], lang=zh)))
        for alias in data.get("aliases") or ():
            if alias != data["label"]:
                add((s, _ALT, Literal(alias, lang=zh)))
        if data.get("mentions") is not None:
            add((s, _MCOUNT, Literal(int(data["mentions"]))))
        for doc_id in data.get("documents") or ():
            add((s, _MIN, document(doc_id)))

    for u, v, key, data in G.edges(keys=True, data=True):
        s, o, p = iris[u], iris[v], _RELATIONS[data["relation"]]
        add((s, p, o))
        st = statement_iri(u, v, key)
        add((st, _A, _STATEMENT))
        add((st, _SUBJ, s))
        add((st, _PRED, p))
        add((st, _OBJ, o))
        title = data.get("title") or ""
        if data["relation"] == "holdsPosition" and title:
            post = post_iri(v, title)
            add((post, _A, _POST))
            add((post, _TITLE, Literal(title, lang=zh)))
            add((post, _POST_IN, o))
            add((post, _PREF, Literal(G.nodes[v]["label"] + title, lang=zh)))
            add((s, _HOLDS, post))
            add((st, _POST_OF, post))
            add((st, _TITLE, Literal(title, lang=zh)))
        for ev in data.get("evidence") or ():
            e = evidence_iri(ev)
            add((st, _DERIVED, e))
            add((e, _A, _EVIDENCE))
            add((e, _VALUE, Literal(ev["sentence"], lang=zh)))
            add((e, _QUOTED, document(ev["document"])))
            add((e, _START, Literal(int(ev["start"]))))
            add((e, _END, Literal(int(ev["end"]))))
    return out


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
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _escape_string(text: str) -> str:
    """Escape for a Turtle ``"…"`` string; other control characters become ``\\uXXXX``."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


def _iri(term: URIRef, prefixes: list[tuple[str, str]]) -> str:
    text = str(term)
    for prefix, ns in prefixes:
        if text.startswith(ns) and _LOCAL.fullmatch(text[len(ns) :]):
            return f"{prefix}:{text[len(ns) :]}"
    # ASCII IRIs only: percent-encode anything that may not appear in <…>.
    safe = "".join(c if 0x20 < ord(c) < 0x7F and c not in '<>"{}|^`\\' else _pct(c) for c in text)
    return f"<{safe}>"


def _pct(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8"))


def _term(term, prefixes: list[tuple[str, str]]) -> str:
    if isinstance(term, BNode):  # never produced by rdf_graph; kept for completeness
        return f"_:{term}"
    if isinstance(term, URIRef):
        return _iri(term, prefixes)
    lit: Literal = term
    if lit.datatype == XSD.integer and re.fullmatch(r"[+-]?[0-9]+", str(lit)):
        return str(lit)
    body = f'"{_escape_string(str(lit))}"'
    if lit.language:
        return f"{body}@{lit.language}"
    if lit.datatype and lit.datatype != XSD.string:
        return f"{body}^^{_iri(lit.datatype, prefixes)}"
    return body


def _sort_key(term) -> tuple:
    kind = 0 if isinstance(term, URIRef) else 1 if isinstance(term, BNode) else 2
    if isinstance(term, Literal):
        return (kind, str(term.datatype or ""), str(term.language or ""), str(term))
    return (kind, str(term))


def _turtle(all_triples, prefixes: list[tuple[str, str]]) -> str:
    prefixes = sorted(prefixes)
    # Longest namespace first, so no shorter overlapping namespace shadows it.
    by_length = sorted(prefixes, key=lambda x: (-len(x[1]), x[0]))
    cache: dict = {}

    def text(term) -> str:
        if term not in cache:
            cache[term] = _term(term, by_length)
        return cache[term]

    tree: dict = {}
    for s, p, o in all_triples:
        tree.setdefault(s, {}).setdefault(p, []).append(o)
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in prefixes]
    for s in sorted(tree, key=_sort_key):
        preds = tree[s]
        lines.append("")
        lines.append(text(s))
        ordered = sorted(preds, key=lambda p: (p != _A, _sort_key(p)))
        for i, p in enumerate(ordered):
            objs = ", ".join(text(o) for o in sorted(set(preds[p]), key=_sort_key))
            end = " ." if i == len(ordered) - 1 else " ;"
            lines.append(f"    {'a' if p == _A else text(p)} {objs}{end}")
    return "\n".join(lines) + "\n"


def turtle_of(R: RDFGraph) -> str:
    """Sorted, byte-stable Turtle for any rdflib graph, with its bound prefixes."""
    return _turtle(R, [(p, str(ns)) for p, ns in R.namespaces()])


def turtle_text(G: nx.MultiDiGraph) -> str:
    """``graph.ttl`` as a string: sorted Turtle, UTF-8, byte-stable."""
    return _turtle(triples(G), [(p, PREFIXES[p]) for p in GRAPH_PREFIXES])


def write_turtle(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, turtle_text(G))
