"""``graph.json``: networkx node-link data, the contract other programs read.

The edges are under ``"edges"``, networkx's name since 3.4 and its default
since 3.6, so ``nx.node_link_graph(json.load(f), edges="edges")`` loads the
file with any networkx from 3.4 on (and without ``edges=`` from 3.6 on).

Written with orjson: on a big graph (evidence makes graph.json about as long as
the corpus's evidence sentences) the standard library's encoder, which turns
to pure Python as soon as it indents, took a seventh of a cached rebuild.
The bytes are those of ``json.dumps(data, ensure_ascii=False, indent=2,
sort_keys=True)``, which is the fallback for text orjson refuses (a lone
surrogate); ``tests/test_hostile.py`` holds the two to the same output.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import orjson

from kg.export import atomic_write


def graph_data(G: nx.MultiDiGraph) -> dict:
    """``nx.node_link_data(sorted_graph(G), edges="edges")``, without copying the graph."""
    return {
        "directed": G.is_directed(),
        "multigraph": G.is_multigraph(),
        "graph": dict(G.graph),
        "nodes": [{**G.nodes[n], "id": n} for n in sorted(G.nodes)],
        "edges": [
            {**d, "source": u, "target": v, "key": k}
            for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: e[:3])
        ],
    }


def json_bytes(data) -> bytes:
    """Indented (2), key-sorted UTF-8 JSON and a final newline."""
    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # a type orjson does not know, or a lone surrogate (which then fails to encode, as before)
        return stdlib_json_bytes(data)


def stdlib_json_bytes(data) -> bytes:
    """The same bytes from the standard library, ten times slower."""
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def json_text(G: nx.MultiDiGraph) -> str:
    """Node-link JSON (``nodes``, ``edges``), sorted, UTF-8, byte-stable."""
    return json_bytes(graph_data(G)).decode("utf-8")


def write_json(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, json_bytes(graph_data(G)))


def read_json(path: str | Path) -> nx.MultiDiGraph:
    """Load a ``graph.json`` back into the canonical graph."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
