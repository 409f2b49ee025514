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

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

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
    """A copy with nodes and edges inserted in sorted order (stable output).

    Within ``shared_views()`` one copy per graph serves every writer: treat it as read-only.
    """
    return shared_view(G, "sorted", lambda: _sorted_graph(G))


def _sorted_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    nodes = G._node  # the attribute dicts, read as G.nodes[n] reads them
    H.add_nodes_from((n, nodes[n]) for n in sorted(nodes))
    adj = G._adj
    H.add_edges_from((u, v, k, adj[u][v][k]) for u, v, k in sorted(G.edges(keys=True)))
    return H


T = TypeVar("T")

#: (graph, name) -> (graph, view) while ``shared_views()`` is active; None otherwise.
_VIEWS: dict[tuple[int, str], tuple[nx.MultiDiGraph, object]] | None = None


@contextlib.contextmanager
def shared_views() -> Iterator[None]:
    """Within the block, each derived view of a graph (``shared_view``) is built once.

    The writers of one export set each need the sorted copy of the graph, and
    GEXF and GraphML the same flat copy; ``kg.export.write_set`` writes them all
    inside this block. The graph must not change inside it (no writer changes
    its input); outside it every call builds afresh.
    """
    global _VIEWS
    outer = _VIEWS
    if outer is None:
        _VIEWS = {}
    try:
        yield
    finally:
        if outer is None:
            _VIEWS = None


def shared_view(G: nx.MultiDiGraph, name: str, build: Callable[[], T]) -> T:
    """``build()``, or within ``shared_views()`` the value it gave for this graph and ``name`` before."""
    if _VIEWS is None:
        return build()
    key = (id(G), name)
    hit = _VIEWS.get(key)
    if hit is not None and hit[0] is G:
        return hit[1]  # type: ignore[return-value]
    value = build()
    _VIEWS[key] = (G, value)
    return value
