"""graph.gexf and graph.graphml read back with networkx and compared with the graph."""

from __future__ import annotations

from xml.etree import ElementTree

import networkx as nx
import pytest

from kg.export._style import type_style
from kg.export.gephi import gexf_text, graphml_text, read_gexf, read_graphml, write_gexf, write_graphml
from tests.conftest import reversed_copy

HOSTILE_CLEAN = '<img src=x onerror="window.__pwned=1">"\'\\</script>]]>&amp;\n'  # conftest.HOSTILE minus \x0b


def edge_records(R: nx.Graph, key_attr: str) -> dict:
    """(source, target, graph key) -> attributes, for a graph read back from a file.

    GraphML keeps the graph's key in the ``key`` attribute; networkx reads a
    GEXF file as a DiGraph when no node pair has two edges, and then the key
    survives only in the edge id ``source|target|key``.
    """
    out = {}
    for u, v, d in R.edges(data=True):
        key = d[key_attr] if key_attr in d else d["id"].split("|", 2)[2]
        out[(u, v, key)] = d
    assert len(out) == R.number_of_edges()
    return out


def check_against(G: nx.MultiDiGraph, R: nx.Graph, key_attr: str) -> None:
    assert set(R.nodes) == set(G.nodes)
    for n, d in G.nodes(data=True):
        r = R.nodes[n]
        assert r["label"] == d["label"].replace("\x0b", "")
        assert r["type"] == d["type"]
        assert r["mentions"] == d["mentions"]
        assert r["aliases"] == "|".join(a.replace("\x0b", "") for a in d["aliases"])
        assert r["documents"] == "|".join(d["documents"])
        assert r["colour"] == type_style(d["type"])[0]
        assert r["size"] >= 10
        assert isinstance(r["x"], float) and isinstance(r["y"], float)
        assert None not in r.values()
    edges = edge_records(R, key_attr)
    assert set(edges) == set(G.edges(keys=True))
    for (u, v, k), r in edges.items():
        d = G.edges[u, v, k]
        assert r["relation"] == d["relation"]
        assert r["title"] == d.get("title", "")
        assert r["evidence"] == "\n".join(e["sentence"].replace("\x0b", "") for e in d["evidence"])
        assert int(r["weight"]) == d["weight"]


def test_gexf_round_trip(sample_graph, tmp_path):
    write_gexf(sample_graph, tmp_path / "graph.gexf")
    R = read_gexf(tmp_path / "graph.gexf")
    check_against(sample_graph, R, "networkx_key")
    hostile = next(d for _, d in R.nodes(data=True) if d["label"].startswith("坏"))
    assert hostile["label"] == "坏" + HOSTILE_CLEAN + "公司"
    assert hostile["aliases"] == HOSTILE_CLEAN
    # Gephi's own viz data: colour, size, position with a real z
    agency = R.nodes["agency-852ee94733dc"]
    assert agency["viz"]["color"] == {"r": 78, "g": 121, "b": 167, "a": 1.0}
    assert agency["viz"]["position"] == {"x": agency["x"], "y": agency["y"], "z": 0.0}
    assert agency["viz"]["size"] == agency["size"]


def test_gexf_is_gexf_1_3_without_date_or_none(sample_graph):
    text = gexf_text(sample_graph)
    root = ElementTree.fromstring(text.encode("utf-8"))
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    assert "lastmodifieddate" not in text
    assert '"None"' not in text and ">None<" not in text
    assert "\x0b" not in text
    assert "河北省科学技术厅" in text  # readable UTF-8, not character references
    shapes = {e.get("value") for e in root.iter("{http://gexf.net/1.3/viz}shape")}
    assert shapes <= {"disc", "square", "triangle", "diamond"}


def test_graphml_round_trip(sample_graph, tmp_path):
    write_graphml(sample_graph, tmp_path / "graph.graphml")
    R = read_graphml(tmp_path / "graph.graphml")
    check_against(sample_graph, R, "key")
    assert R.graph["documents"] == "a.txt|b.txt"
    hostile = next(d for _, d in R.nodes(data=True) if d["label"].startswith("坏"))
    assert hostile["label"] == "坏" + HOSTILE_CLEAN + "公司"


def test_graphml_keys_are_typed_and_unique(sample_graph):
    root = ElementTree.fromstring(graphml_text(sample_graph).encode("utf-8"))
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    keys = root.findall(f"{ns}key")
    assert len({k.get("id") for k in keys}) == len(keys)
    types = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in keys}
    assert types[("node", "mentions")] == "long"
    assert types[("node", "x")] == "double"
    assert types[("edge", "weight")] == "long"
    assert types[("node", "label")] == "string"
    edge_ids = [e.get("id") for e in root.iter(f"{ns}edge")]
    assert len(set(edge_ids)) == len(edge_ids) == sample_graph.number_of_edges()


@pytest.mark.parametrize("text_of", [gexf_text, graphml_text])
def test_byte_identical(sample_graph, text_of):
    assert text_of(sample_graph) == text_of(reversed_copy(sample_graph))


def test_seed_graph_round_trip(seed_graph, tmp_path):
    write_gexf(seed_graph, tmp_path / "graph.gexf")
    write_graphml(seed_graph, tmp_path / "graph.graphml")
    check_against(seed_graph, read_gexf(tmp_path / "graph.gexf"), "networkx_key")
    check_against(seed_graph, read_graphml(tmp_path / "graph.graphml"), "key")
