"""How the graph looks, shared by the page (``html``) and Gephi (``gephi``).

Colours, shapes and legend names come from ``kg.schema``; one size rule and one layout, so ``graph.html``, ``graph.gexf``
and ``graph.graphml`` show the same picture. The layout is a pure function of
the graph (fixed seed, sorted input), so the same graph gives the same bytes.
"""

from __future__ import annotations

import math
from array import array

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

    Force-directed (Fruchterman-Reingold) on the sorted, undirected graph, each
    round's repulsion from a seeded sample of 64 nodes (all of them in a smaller
    graph): ``_spring_layout``, compiled in ``kg._speedups`` (a twentieth of a
    second for 5,000 nodes) with a pure-Python twin that gives the same floats.
    Neither needs numpy or scipy.
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

ITERATIONS, SAMPLE, SEED = 60, 64, 42


def _layout(nodes: tuple, edges: tuple, scale: float) -> dict[str, tuple[float, float]]:
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.0, 0.0)}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = list(dict.fromkeys((index[u], index[v]) for u, v in edges))  # a multigraph's parallel edges once
    xs, ys = _spring_layout(n, pairs, ITERATIONS, SAMPLE, SEED)
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    xs = [x - mx for x in xs]
    ys = [y - my for y in ys]
    factor = scale / max(max(map(abs, xs)), max(map(abs, ys)), 1e-9)
    return {node: (round(x * factor, 2) + 0.0, round(y * factor, 2) + 0.0) for node, x, y in zip(nodes, xs, ys)}


def _spring_layout(n: int, edges: list[tuple[int, int]], iterations: int, sample: int, seed: int):
    """(xs, ys) of the layout, from ``kg._speedups`` when it is built, else from ``_spring_layout_py``."""
    from kg.crf import speedups

    fast = speedups()
    if fast is None:
        return _spring_layout_py(n, edges, iterations, sample, seed)
    flat = array("q", [i for pair in edges for i in pair])
    xb, yb = fast.spring_layout(n, flat, iterations, sample, seed)
    return array("d", xb).tolist(), array("d", yb).tolist()


_M64 = (1 << 64) - 1


def _random(state: list[int]) -> int:
    """splitmix64: the same 64-bit numbers in Python and in C, on every machine."""
    state[0] = z = (state[0] + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _spring_layout_py(n: int, edges: list[tuple[int, int]], iterations: int, sample: int, seed: int):
    """Fruchterman-Reingold where each round's repulsion comes from ``sample`` nodes drawn without replacement.

    The twin of ``spring_layout`` in ``kg/_speedups.c``: each float operation
    the same and in the same order, so the same positions to the last bit.
    """
    rng = [seed]
    unit = 1.0 / 9007199254740992.0
    xs, ys = [0.0] * n, [0.0] * n
    for i in range(n):
        xs[i] = (_random(rng) >> 11) * unit
        ys[i] = (_random(rng) >> 11) * unit
    perm = list(range(n))
    m = min(sample, n)
    k = 1.0 / math.sqrt(n)
    kk, spread = k * k, n / m
    temp = 0.1
    cool = temp / (iterations + 1)
    for _ in range(iterations):
        if m < n:
            for i in range(m):
                j = i + _random(rng) % (n - i)
                perm[i], perm[j] = perm[j], perm[i]
        picked = [(xs[q], ys[q]) for q in perm[:m]]
        dx, dy = [0.0] * n, [0.0] * n
        for i in range(n):
            x, y = xs[i], ys[i]
            sx = sy = 0.0
            for px, py in picked:
                ddx, ddy = x - px, y - py
                d2 = ddx * ddx + ddy * ddy
                if d2 < 1e-4:
                    d2 = 1e-4
                f = kk / d2
                sx += ddx * f
                sy += ddy * f
            dx[i], dy[i] = sx * spread, sy * spread
        for a, b in edges:
            ddx, ddy = xs[a] - xs[b], ys[a] - ys[b]
            length = math.sqrt(ddx * ddx + ddy * ddy)
            if length < 1e-2:
                length = 1e-2
            f = length / k
            dx[a] -= ddx * f
            dy[a] -= ddy * f
            dx[b] += ddx * f
            dy[b] += ddy * f
        for i in range(n):
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if length < 1e-9:
                length = 1e-9
            s = (length if length < temp else temp) / length
            xs[i] += dx[i] * s
            ys[i] += dy[i] * s
        temp -= cool
    return xs, ys
