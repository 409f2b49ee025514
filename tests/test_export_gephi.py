"""graph.gexf and graph.graphml read back with networkx and compared with the graph.

The writers write the XML as text; ``networkx_gexf`` and ``networkx_graphml``
are the networkx writers they replaced, and the bytes must stay the same.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest
from hypothesis import given

from kg.export._style import rgb, type_style
from kg.export.gephi import (
    flat_graph,
    gexf_text,
    graphml_text,
    read_gexf,
    read_graphml,
    with_rgb,
    write_gexf,
    write_graphml,
)
from tests.conftest import make_sample_graph, reversed_copy
from tests.test_hostile import PAYLOADS, SETTINGS, graphs

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
        assert r["color"] == type_style(d["type"])[0]
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


# ---------------------------------------------------------------- the same bytes as networkx's writers


def _networkx_xml(writer) -> str:
    writer.indent(writer.xml)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(writer.xml, encoding="unicode") + "\n"


def networkx_gexf(G: nx.MultiDiGraph) -> str:
    """``gexf_text`` as it was written through networkx's GEXFWriter (the reference)."""
    F = flat_graph(G)
    V = nx.MultiDiGraph()
    for n, d in F.nodes(data=True):
        r, g, b = rgb(d["color"])
        viz = {
            "color": {"r": r, "g": g, "b": b, "a": 1.0},
            "size": d["size"],
            "shape": type_style(d["type"])[2],
            "position": {"x": d["x"], "y": d["y"], "z": 0.0},
        }
        V.add_node(n, **d, viz=viz)
    for u, v, k, d in F.edges(keys=True, data=True):
        r, g, b = rgb(d["color"])
        V.add_edge(u, v, key=k, id=f"{u}|{v}|{k}", **d, viz={"color": {"r": r, "g": g, "b": b, "a": 1.0}})
    writer = nx.readwrite.gexf.GEXFWriter(version="1.3")
    meta = writer.xml.find("meta")
    meta.attrib.pop("lastmodifieddate", None)
    meta.find("creator").text = "kg"
    writer.add_graph(V)
    # the three places networkx strays from GEXF 1.3, which our writer corrects
    text = _networkx_xml(writer).replace('xmlns:xsi="http://w3.org/2001/', 'xmlns:xsi="http://www.w3.org/2001/', 1)
    text = text.replace(' mode="static" name="">', ' mode="static">', 1)
    return text.replace('<attributes mode="static" class=', "<attributes class=")


def networkx_graphml(G: nx.MultiDiGraph) -> str:
    """``graphml_text`` as it was written through networkx's GraphMLWriter (the reference)."""
    F = flat_graph(G)
    E = nx.MultiDiGraph()
    E.graph.update(F.graph)
    E.add_nodes_from((n, with_rgb(d)) for n, d in F.nodes(data=True))
    for i, (u, v, k, d) in enumerate(F.edges(keys=True, data=True)):
        E.add_edge(u, v, key=f"e{i}")
        E.edges[u, v, f"e{i}"].update(with_rgb({"key": k, **d}))
    writer = nx.readwrite.graphml.GraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(E)
    return _networkx_xml(writer)


def odd_graph() -> nx.MultiDiGraph:
    """Markup, quotes, tabs, CR, control and XML-illegal characters, empty and missing attributes."""
    bad = "\"'&<script>x</script>\t\r\n\r\x00\x0b\ufffe ]]>&amp; é漢字😀"
    G = nx.MultiDiGraph(documents=[{"id": "d|" + bad}, {"id": ""}, {}])
    G.add_node("a" + bad, label=bad, type="Person", aliases=["x|y", bad, ""], mentions=3, documents=["d", bad])
    G.add_node("b", label="", type="", aliases=[], mentions=0, documents=[])
    G.add_node("c")  # no attributes at all
    G.add_node("c\x0b", label=None, type=None, mentions=None)  # the same node as "c" once cleaned
    G.add_node("公司", type=bad)
    G.add_node("")
    evidence = [{"document": bad, "sentence": bad}, {"sentence": None}, {}]
    G.add_edge("a" + bad, "b", key="holdsPosition:" + bad, relation="holdsPosition", title=bad, evidence=evidence)
    G.add_edge("b", "c", key="k", relation="locatedIn")  # no evidence, title or weight
    G.add_edge("c", "c", key="", relation="partOf", evidence=[], weight=None)
    G.add_edge("公司", "", key=bad, relation="", evidence=[{"document": 5, "sentence": 5}])
    return G


def payload_graph() -> nx.MultiDiGraph:
    """One node per hostile payload, in ids, labels, types, aliases, keys, titles and sentences."""
    G = nx.MultiDiGraph(documents=[{"id": p} for p in PAYLOADS])
    for i, p in enumerate(PAYLOADS):
        G.add_node(f"n{i}{p}", label=p, type=p if i % 2 else "Place", aliases=[p, p + "|"], documents=[p])
    nodes = list(G)
    for i, (u, v) in enumerate(zip(nodes, nodes[1:])):
        evidence = [{"document": p, "sentence": p} for p in PAYLOADS[i : i + 3]]
        G.add_edge(u, v, key=PAYLOADS[i], relation="holdsPosition", title=PAYLOADS[-i], evidence=evidence)
    return G


REFERENCE_GRAPHS = {
    "sample": make_sample_graph,
    "odd": odd_graph,
    "payloads": payload_graph,
    "empty": nx.MultiDiGraph,
    "one node": lambda: nx.MultiDiGraph(nx.empty_graph(["独"])),
}


@pytest.mark.parametrize("name", REFERENCE_GRAPHS)
@pytest.mark.parametrize(("text_of", "reference"), [(gexf_text, networkx_gexf), (graphml_text, networkx_graphml)])
def test_same_bytes_as_networkx(name, text_of, reference):
    G = REFERENCE_GRAPHS[name]()
    assert text_of(G) == reference(G)


def test_seed_graph_same_bytes_as_networkx(seed_graph):
    assert gexf_text(seed_graph) == networkx_gexf(seed_graph)
    assert graphml_text(seed_graph) == networkx_graphml(seed_graph)


@SETTINGS
@given(graphs())
def test_hostile_graphs_same_bytes_as_networkx(G):
    assert gexf_text(G) == networkx_gexf(G)
    assert graphml_text(G) == networkx_graphml(G)


# ---------------------------------------------------------------- the formats' own schemas

SCHEMAS = Path(__file__).resolve().parent / "schemas"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@pytest.fixture(scope="module")
def gexf_grammar():
    etree = pytest.importorskip("lxml.etree")
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "gexf-1.3" / "gexf.rng")))


@pytest.fixture(scope="module")
def graphml_schema():
    etree = pytest.importorskip("lxml.etree")
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "graphml-1.0" / "graphml.xsd")))


def gexf_problems(grammar, text: str) -> list[str]:
    """What the GEXF 1.3 grammar says about ``text`` (RELAX NG has no notion of xsi:schemaLocation)."""
    from lxml import etree

    root = etree.fromstring(text.encode("utf-8"))
    assert root.nsmap.get("xsi") == XSI  # spelt right, so XSD-aware tools find the schema
    root.attrib.pop(f"{{{XSI}}}schemaLocation")
    return [] if grammar.validate(root) else [e.message for e in grammar.error_log]


def graphml_problems(schema, text: str) -> list[str]:
    from lxml import etree

    return [] if schema.validate(etree.fromstring(text.encode("utf-8"))) else [e.message for e in schema.error_log]


@pytest.mark.parametrize("name", ["sample", "empty", "one node"])
def test_gexf_is_valid_gexf_1_3(gexf_grammar, name):
    assert gexf_problems(gexf_grammar, gexf_text(REFERENCE_GRAPHS[name]())) == []


def test_seed_files_are_valid_against_the_schemas(gexf_grammar, graphml_schema, seed_graph):
    assert gexf_problems(gexf_grammar, gexf_text(seed_graph)) == []
    assert graphml_problems(graphml_schema, graphml_text(seed_graph)) == []


@pytest.mark.parametrize("name", ["sample", "empty", "one node"])
def test_graphml_is_valid_graphml(graphml_schema, name):
    assert graphml_problems(graphml_schema, graphml_text(REFERENCE_GRAPHS[name]())) == []


def test_the_schemas_catch_what_networkx_writes(gexf_grammar, graphml_schema, sample_graph):
    """The validators are not blind: networkx's own GEXF header and a broken GraphML key fail."""
    writer = nx.readwrite.gexf.GEXFWriter(version="1.3")
    writer.add_graph(nx.MultiDiGraph(flat_graph(sample_graph)))
    raw = _networkx_xml(writer).replace(
        'xmlns:xsi="http://w3.org/2001/', f'xmlns:xsi="{XSI[: -len("XMLSchema-instance")]}'
    )
    assert any("name" in p or "mode" in p or "graph" in p for p in gexf_problems(gexf_grammar, raw))
    broken = graphml_text(sample_graph).replace('attr.type="long"', 'attr.type="integer"', 1)
    assert graphml_problems(graphml_schema, broken)


@SETTINGS
@given(graphs())
def test_hostile_graphs_give_valid_gexf(G):
    """Any text from articles (markup, controls, emoji) still gives a valid GEXF 1.3 file."""
    from lxml import etree

    grammar = etree.RelaxNG(etree.parse(str(SCHEMAS / "gexf-1.3" / "gexf.rng")))
    assert gexf_problems(grammar, gexf_text(G)) == []


def test_graphml_colour_is_what_gephi_reads(sample_graph):
    """Gephi's GraphML importer takes colours from integer r, g, b data (and ignores a 'colour' key)."""
    root = ElementTree.fromstring(graphml_text(sample_graph).encode("utf-8"))
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    keys = {(k.get("for"), k.get("attr.name")): (k.get("id"), k.get("attr.type")) for k in root.iter(f"{ns}key")}
    assert ("node", "colour") not in keys
    for scope in ("node", "edge"):
        assert all(keys[(scope, c)][1] == "long" for c in "rgb") and keys[(scope, "color")][1] == "string"
    R = read_graphml_text(graphml_text(sample_graph))
    agency = R.nodes["agency-852ee94733dc"]
    assert (agency["r"], agency["g"], agency["b"]) == rgb(type_style("Agency")[0]) == (78, 121, 167)
    assert agency["color"] == "#4e79a7"


def read_graphml_text(text: str) -> nx.MultiDiGraph:
    import io

    return nx.read_graphml(io.BytesIO(text.encode("utf-8")), force_multigraph=True)


def test_gexf_header_is_gexf_1_3(sample_graph):
    root = ElementTree.fromstring(gexf_text(sample_graph).encode("utf-8"))
    graph = root.find("{http://gexf.net/1.3}graph")
    assert "name" not in graph.attrib
    assert all("mode" not in a.attrib for a in graph.iter("{http://gexf.net/1.3}attributes"))
    assert gexf_text(sample_graph).count(f'xmlns:xsi="{XSI}"') == 1


@pytest.mark.parametrize(("text_of", "reference"), [(gexf_text, networkx_gexf), (graphml_text, networkx_graphml)])
def test_ids_that_become_one_when_cleaned_are_one_node_as_networkx_keeps_it(text_of, reference):
    """Dropping XML-illegal characters can make two ids one (a\\x0b and a): networkx's graph decides."""
    G = nx.MultiDiGraph()
    G.add_node("a\x0b", label="甲", type="Agency", mentions=1)
    G.add_node("a", label="乙", type="Organization", mentions=2)
    G.add_node("b", label="丙", type="Place", mentions=1)
    G.add_edge("a\x0b", "b", key="partOf", relation="partOf", evidence=[])
    G.add_edge("a", "b", key="partOf", relation="partOf", weight=2, evidence=[])
    G.add_edge("b", "a", key="k\x0b", relation="locatedIn", evidence=[])
    assert text_of(G) == reference(G)
    assert text_of(G).count("<node ") == 2
