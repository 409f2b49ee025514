"""``graph.json``: networkx node-link data, the contract other programs read."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from kg.export import atomic_write
from kg.graph import sorted_graph


def json_text(G: nx.MultiDiGraph) -> str:
    """Node-link JSON (``nodes``, ``links``), sorted, UTF-8, byte-stable."""
    data = nx.node_link_data(sorted_graph(G), edges="links")
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def write_json(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, json_text(G))


def read_json(path: str | Path) -> nx.MultiDiGraph:
    """Load a ``graph.json`` back into the canonical graph."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return nx.node_link_graph(data, directed=True, multigraph=True, edges="links")
