"""How the graph looks, shared by the page (``html``) and Gephi (``gephi``).

One palette, one size rule and one layout, so ``graph.html``, ``graph.gexf``
and ``graph.graphml`` show the same picture. The layout is a pure function of
the graph (fixed seed, sorted input), so the same graph gives the same bytes.
"""

from __future__ import annotations

import math

import networkx as nx

from kg.graph import sorted_graph

#: entity type -> (colour, vis-network shape, GEXF viz shape, Chinese name for the legend)
TYPE_STYLE: dict[str, tuple[str, str, str, str]] = {
    "Person": ("#e15759", "dot", "disc", "人物"),
    "Agency": ("#4e79a7", "diamond", "diamond", "机关"),
    "Organization": ("#f28e2b", "square", "square", "组织"),
    "Place": ("#59a14f", "triangle", "triangle", "地点"),
    "Initiative": ("#b07aa1", "star", "disc", "项目"),
}
DEFAULT_TYPE_STYLE = ("#9c9c9c", "dot", "disc", "其他")

#: relation -> (colour, Chinese name)
RELATION_STYLE: dict[str, tuple[str, str]] = {
    "holdsPosition": ("#e15759", "任职"),
    "affiliatedWith": ("#ff9da7", "隶属"),
    "organizes": ("#4e79a7", "组织"),
    "participatesIn": ("#b07aa1", "参与"),
    "locatedIn": ("#59a14f", "位于"),
    "partOf": ("#76b7b2", "属于"),
    "cooperatesWith": ("#f28e2b", "合作"),
}
DEFAULT_RELATION_STYLE = ("#9c9c9c", "关系")


def type_style(type_: str) -> tuple[str, str, str, str]:
    return TYPE_STYLE.get(type_, DEFAULT_TYPE_STYLE)


def relation_style(relation: str) -> tuple[str, str]:
    return RELATION_STYLE.get(relation, DEFAULT_RELATION_STYLE)


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
    """Deterministic 2-D positions (node -> (x, y)), rounded to 0.01.

    Force-directed (Fruchterman-Reingold, seed 42) on the sorted, undirected
    graph; fewer iterations for big graphs so 5,000 nodes take seconds.
    """
    H = nx.Graph(sorted_graph(G)) if G.is_multigraph() else nx.Graph(G)
    n = H.number_of_nodes()
    if n == 0:
        return {}
    if n == 1:
        return {next(iter(H.nodes)): (0.0, 0.0)}
    iterations = 50 if n <= 1000 else 30
    pos = nx.spring_layout(H, seed=42, iterations=iterations, scale=scale)
    return {node: (round(float(x), 2) + 0.0, round(float(y), 2) + 0.0) for node, (x, y) in pos.items()}
