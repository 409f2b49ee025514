"""The one canonical graph every export is a pure function of.

Shape (a ``networkx.MultiDiGraph``):

* node key = the node's stable ASCII ``id`` (``agency-1f3a…``), attributes
  ``label`` (str, fullest official form), ``type`` (one of
  ``schema.ENTITY_TYPES``), ``aliases`` (sorted list of other surface forms),
  ``mentions`` (int), ``documents`` (sorted list of document ids).
* edge key = ``relation`` or ``relation:title``; attributes ``relation`` (one
  of ``schema.RELATIONS``), ``title`` (only on ``holdsPosition``, e.g. 厅长),
  ``evidence`` (list of ``{"document", "sentence", "start", "end"}``, sorted;
  offsets are into the document's text) and ``weight`` (len(evidence)).
* ``G.graph["documents"]``: sorted list of ``{"id", "path", "sha256",
  "title", "chars"}``.

Ids are content hashes (type + label), so the same input gives the same ids on
every machine, and nodes, edges and lists are sorted so every writer produces
byte-identical output for the same input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import networkx as nx

from kg.schema import ENTITY_TYPES, RELATIONS


def entity_id(type_: str, label: str) -> str:
    """Stable ASCII id for an entity: its type and a hash of its label.

    >>> entity_id("Agency", "河北省科学技术厅")
    'agency-852ee94733dc'
    """
    digest = hashlib.sha1(f"{type_}\t{label}".encode()).hexdigest()[:12]
    return f"{type_.lower()}-{digest}"


def edge_key(relation: str, title: str = "") -> str:
    return f"{relation}:{title}" if title else relation


def new_graph(documents: Iterable[dict] = ()) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.graph["documents"] = sorted((dict(d) for d in documents), key=lambda d: d["id"])
    return G


def add_entity(G: nx.MultiDiGraph, type_: str, label: str, aliases=(), mentions: int = 1, documents=()) -> str:
    """Add (or merge into) the node for ``label``; returns its id."""
    if type_ not in ENTITY_TYPES:
        raise ValueError(f"unknown entity type {type_!r}")
    nid = entity_id(type_, label)
    if nid in G:
        data = G.nodes[nid]
        data["aliases"] = sorted(set(data["aliases"]) | set(aliases) - {label})
        data["mentions"] += mentions
        data["documents"] = sorted(set(data["documents"]) | set(documents))
    else:
        G.add_node(
            nid,
            label=label,
            type=type_,
            aliases=sorted(set(aliases) - {label}),
            mentions=mentions,
            documents=sorted(set(documents)),
        )
    return nid


def add_link(G: nx.MultiDiGraph, source: str, target: str, relation: str, evidence=(), title: str = "") -> None:
    """Add (or merge evidence into) one edge."""
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation {relation!r}")
    key = edge_key(relation, title)
    ev = [dict(e) for e in evidence]
    if G.has_edge(source, target, key):
        data = G.edges[source, target, key]
        seen = {(e["document"], e["start"]) for e in data["evidence"]}
        data["evidence"].extend(e for e in ev if (e["document"], e["start"]) not in seen)
        data["evidence"].sort(key=lambda e: (e["document"], e["start"], e["end"]))
        data["weight"] = len(data["evidence"])
    else:
        attrs: dict[str, object] = {
            "relation": relation,
            "evidence": sorted(ev, key=lambda e: (e["document"], e["start"], e["end"])),
        }
        if title:
            attrs["title"] = title
        attrs["weight"] = len(ev)
        G.add_edge(source, target, key=key, **attrs)


def sorted_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with nodes and edges inserted in sorted order (stable output)."""
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for n in sorted(G.nodes):
        H.add_node(n, **G.nodes[n])
    for u, v, k in sorted(G.edges(keys=True)):
        H.add_edge(u, v, key=k, **G.edges[u, v, k])
    return H
