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
no blank nodes and the same graph gives the same IRIs everywhere. rdflib's
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
from kg.graph import sorted_graph
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


def rdf_graph(G: nx.MultiDiGraph) -> RDFGraph:
    """The canonical graph as an rdflib graph (prefixes of ``kg.vocab.PREFIXES`` only)."""
    R = RDFGraph(bind_namespaces="none")
    for prefix in GRAPH_PREFIXES:
        R.bind(prefix, PREFIXES[prefix])
    zh = "zh"
    G = sorted_graph(G)

    docs = {d["id"]: d for d in G.graph.get("documents", [])}

    def add_document(doc_id: str) -> URIRef:
        d = URIRef(document_iri(doc_id))
        if (d, RDF.type, KG.Document) in R:
            return d
        R.add((d, RDF.type, KG.Document))
        R.add((d, KG.fileName, Literal(doc_id)))
        meta = docs.get(doc_id, {})
        if meta.get("sha256"):
            R.add((d, KG.sha256, Literal(meta["sha256"])))
        if meta.get("title"):
            R.add((d, KG.headline, Literal(meta["title"], lang=zh)))
        if meta.get("chars") is not None and meta.get("chars") != "":
            R.add((d, KG.charCount, Literal(int(meta["chars"]))))
        return d

    for doc_id in docs:
        add_document(doc_id)

    for nid, data in G.nodes(data=True):
        s = entity_iri(nid)
        R.add((s, RDF.type, _TYPES[data["type"]]))
        R.add((s, SKOS.prefLabel, Literal(data["label"], lang=zh)))
        for alias in data.get("aliases") or ():
            if alias != data["label"]:
                R.add((s, SKOS.altLabel, Literal(alias, lang=zh)))
        if data.get("mentions") is not None:
            R.add((s, KG.mentionCount, Literal(int(data["mentions"]))))
        for doc_id in data.get("documents") or ():
            R.add((s, KG.mentionedIn, add_document(doc_id)))

    for u, v, key, data in G.edges(keys=True, data=True):
        s, o, p = entity_iri(u), entity_iri(v), _RELATIONS[data["relation"]]
        R.add((s, p, o))
        st = statement_iri(u, v, key)
        R.add((st, RDF.type, KG.Statement))
        R.add((st, RDF.subject, s))
        R.add((st, RDF.predicate, p))
        R.add((st, RDF.object, o))
        title = data.get("title") or ""
        if data["relation"] == "holdsPosition" and title:
            post = post_iri(v, title)
            R.add((post, RDF.type, KG.Post))
            R.add((post, KG.title, Literal(title, lang=zh)))
            R.add((post, KG.postIn, o))
            R.add((post, SKOS.prefLabel, Literal(G.nodes[v]["label"] + title, lang=zh)))
            R.add((s, KG.holds, post))
            R.add((st, KG.post, post))
            R.add((st, KG.title, Literal(title, lang=zh)))
        for ev in data.get("evidence") or ():
            e = evidence_iri(ev)
            R.add((st, PROV.wasDerivedFrom, e))
            R.add((e, RDF.type, KG.Evidence))
            R.add((e, PROV.value, Literal(ev["sentence"], lang=zh)))
            R.add((e, PROV.wasQuotedFrom, add_document(ev["document"])))
            R.add((e, KG.start, Literal(int(ev["start"]))))
            R.add((e, KG.end, Literal(int(ev["end"]))))
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


def turtle_of(R: RDFGraph) -> str:
    """Sorted, byte-stable Turtle for any rdflib graph, with its bound prefixes."""
    prefixes = sorted(((p, str(ns)) for p, ns in R.namespaces()), key=lambda x: x[0])
    # Longest namespace first, so kgr: is not shadowed by a shorter overlapping one.
    by_length = sorted(prefixes, key=lambda x: (-len(x[1]), x[0]))
    lines = [f"@prefix {p}: <{ns}> ." for p, ns in prefixes]
    subjects = sorted(set(R.subjects()), key=_sort_key)
    for s in subjects:
        preds = sorted(set(R.predicates(s)), key=lambda p: (p != RDF.type, _sort_key(p)))
        lines.append("")
        lines.append(_term(s, by_length))
        for i, p in enumerate(preds):
            objs = sorted(R.objects(s, p), key=_sort_key)
            ptext = "a" if p == RDF.type else _term(p, by_length)
            otext = ", ".join(_term(o, by_length) for o in objs)
            end = " ." if i == len(preds) - 1 else " ;"
            lines.append(f"    {ptext} {otext}{end}")
    return "\n".join(lines) + "\n"


def turtle_text(G: nx.MultiDiGraph) -> str:
    """``graph.ttl`` as a string: sorted Turtle, UTF-8, byte-stable."""
    return turtle_of(rdf_graph(G))


def write_turtle(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, turtle_text(G))
