"""How the graph looks, shared by the page (``html``) and Gephi (``gephi``).

Colours, shapes and legend names come from ``kg.schema``; one size rule and one layout, so ``graph.html``, ``graph.gexf``
and ``graph.graphml`` show the same picture. The layout is a pure function of
the graph (fixed seed, sorted input), so the same graph gives the same bytes.
"""

from __future__ import annotations

import math

import networkx as nx

from kg import schema

#: shown for a type or relation the schema does not know (hand-made graphs in tests, odd input)
DEFAULT_TYPE_STYLE = ("#9c9c9c", "dot", "disc", "其他")
DEFAULT_RELATION_STYLE = ("#9c9c9c", "关系")


def type_style(type_: str) -> tuple[str, str, str, str]:
    """(colour, vis-network shape, GEXF viz shape, legend name) of an entity type, from ``kg.schema``."""
    try:
        t = schema.entity_type(type_)
    except KeyError:
        return DEFAULT_TYPE_STYLE
    return t.colour, t.shape, t.gexf_shape, t.legend


def relation_style(relation: str) -> tuple[str, str]:
    """(colour, legend name) of a relation, from ``kg.schema``."""
    try:
        r = schema.relation_kind(relation)
    except KeyError:
        return DEFAULT_RELATION_STYLE
    return r.colour, r.legend


def rgb(colour: str) -> tuple[int, int, int]:
    """``"#e15759"`` -> ``(225, 87, 89)``."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def node_size(mentions: int, degree: int) -> float:
    """Importance as a size: grows with the square root of mentions + degree.

    >>> node_size(0, 0), node_size(4, 5)
    (10.0, 19.0)
    """
    return round(10 + 3 * math.sqrt(max(mentions, 0) + max(degree, 0)), 2)


def layout(G: nx.Graph, scale: float = 1000.0) -> dict[str, tuple[float, float]]:
    """Deterministic 2-D positions (node -> (x, y)) in [-scale, scale], rounded to 0.01.

    Force-directed (Fruchterman-Reingold, seed 42) on the sorted, undirected
    graph: networkx's exact version below 500 nodes; above, a sampled version
    (``_sampled_layout``) that needs only numpy and takes about a second for
    5,000 nodes (networkx's large-graph version needs scipy).
    """
    nodes = tuple(sorted(G.nodes))
    edges = tuple(sorted((u, v) if u <= v else (v, u) for u, v in G.edges() if u != v))
    key = (nodes, edges, scale)
    if key not in _LAYOUTS:  # GEXF, GraphML and the page of one build lay out the same graph
        _LAYOUTS.clear()
        _LAYOUTS[key] = _layout(nodes, edges, scale)
    return dict(_LAYOUTS[key])


#: The last layout computed (one entry: a build lays out one graph).
_LAYOUTS: dict[tuple, dict[str, tuple[float, float]]] = {}


def _layout(nodes: tuple, edges: tuple, scale: float) -> dict[str, tuple[float, float]]:
    H = nx.Graph()
    H.add_nodes_from(nodes)
    H.add_edges_from(edges)
    n = H.number_of_nodes()
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    pos = nx.spring_layout(H, seed=42, iterations=50, scale=scale) if n < 500 else _sampled_layout(H, scale=scale)
    return {node: (round(float(x), 2) + 0.0, round(float(y), 2) + 0.0) for node, (x, y) in pos.items()}


def _sampled_layout(H: nx.Graph, scale: float, iterations: int = 60, sample: int = 64, seed: int = 42) -> dict:
    """Fruchterman-Reingold where each round's repulsion comes from ``sample`` random nodes (seeded)."""
    import numpy as np

    nodes = list(H.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    n = len(nodes)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    src = np.array([index[u] for u, _ in H.edges()], dtype=np.int64)
    dst = np.array([index[v] for _, v in H.edges()], dtype=np.int64)
    # every node's own row first, then the edges' ends: one bincount per axis adds the spring
    # forces in the same order np.add.at(disp, src, -f); np.add.at(disp, dst, f) did, so the
    # sums are the same floats (bincount adds its weights one by one, in input order)
    ends = np.concatenate([np.arange(n, dtype=np.int64), src, dst])
    k = 1.0 / math.sqrt(n)
    m = min(sample, n - 1)
    t = 0.1
    cool = t / (iterations + 1)
    for _ in range(iterations):
        picked = rng.choice(n, size=m, replace=False)
        delta = pos[:, None, :] - pos[None, picked, :]
        # x[..., 0] + x[..., 1], not x.sum(axis=-1): the same floats, ten times faster for a 2-wide axis
        dist2 = np.maximum(_sum_xy(delta**2), 1e-4)
        disp = (delta * (k * k / dist2)[:, :, None]).sum(axis=1) * (n / m)
        if len(src):
            d = pos[src] - pos[dst]
            length = np.maximum(np.sqrt(_sum_xy(d**2)), 1e-2)
            force = d * (length / k)[:, None]
            disp = np.stack(
                [
                    np.bincount(
                        ends, weights=np.concatenate([disp[:, axis], -force[:, axis], force[:, axis]]), minlength=n
                    )
                    for axis in (0, 1)
                ],
                axis=1,
            )
        length = np.maximum(np.sqrt(_sum_xy(disp**2)), 1e-9)
        pos += disp * (np.minimum(length, t) / length)[:, None]
        t -= cool
    pos -= pos.mean(axis=0)
    pos *= scale / max(float(np.abs(pos).max()), 1e-9)
    return {node: (pos[i, 0], pos[i, 1]) for i, node in enumerate(nodes)}


def _sum_xy(a):
    """``a.sum(axis=-1)`` for a last axis of two (x, y): one addition, so exactly the same floats."""
    return a[..., 0] + a[..., 1]
