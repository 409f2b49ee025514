"""``graph.gexf`` (GEXF 1.3) and ``graph.graphml`` for Gephi, through networkx's writers.

Both formats take scalar attributes only, so the canonical graph is flattened
first (``flat_graph``):

* node: ``label``, ``type``, ``aliases`` and ``documents`` joined with ``|``,
  ``mentions`` (int), ``degree`` (int), ``colour`` (``#rrggbb``), ``size``,
  ``x``, ``y`` (the same layout as ``graph.html``);
* edge: ``relation``, ``title`` (``""`` unless holdsPosition), ``label``
  (``relation`` or ``relation:title``), ``evidence`` (the sentences, one per
  line), ``documents`` (``|``-joined), ``weight`` (int), ``colour``; the
  graph's edge key (``holdsPosition:厅长``) is the GEXF ``networkx_key``
  attribute and the GraphML ``key`` attribute (GraphML edge ids are ``e0``…).

A ``|`` inside a list item becomes the full-width ``｜``; control characters
that XML forbids are dropped (``kg.export._text.clean_text``); ``None`` never
reaches a file (missing values become ``""``). The GEXF also carries Gephi's
own ``viz`` colour, size, shape and position (z = 0), and has no
``lastmodifieddate`` so the same graph gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import networkx as nx

from kg.export import atomic_write
from kg.export._style import layout, node_size, relation_style, rgb, type_style
from kg.export._text import clean_text
from kg.graph import sorted_graph

LIST_DELIMITER = "|"


def _join(values) -> str:
    items = (clean_text(v).replace(LIST_DELIMITER, "｜") for v in values or ())
    return LIST_DELIMITER.join(i for i in items if i)


def flat_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A sorted copy of ``G`` with only str/int/float attributes (and no ``None``)."""
    S = sorted_graph(G)
    pos = layout(S)
    F = nx.MultiDiGraph()
    F.graph["documents"] = _join(d.get("id", "") for d in G.graph.get("documents", []))
    for n, d in S.nodes(data=True):
        colour = type_style(d.get("type", ""))[0]
        mentions = int(d.get("mentions") or 0)
        degree = S.degree(n)
        x, y = pos[n]
        F.add_node(
            clean_text(n),
            label=clean_text(d.get("label", n)),
            type=clean_text(d.get("type", "")),
            aliases=_join(d.get("aliases")),
            documents=_join(d.get("documents")),
            mentions=mentions,
            degree=degree,
            colour=colour,
            size=node_size(mentions, degree),
            x=x,
            y=y,
        )
    for u, v, k, d in S.edges(keys=True, data=True):
        evidence = d.get("evidence") or []
        title = clean_text(d.get("title", ""))
        relation = d["relation"]
        F.add_edge(
            clean_text(u),
            clean_text(v),
            key=clean_text(k),
            relation=relation,
            title=title,
            label=f"{relation}:{title}" if title else relation,
            evidence="\n".join(clean_text(e.get("sentence", "")) for e in evidence),
            documents=_join(sorted({str(e.get("document", "")) for e in evidence})),
            weight=int(d.get("weight", len(evidence)) or 0),
            colour=relation_style(relation)[0],
        )
    return F


def _xml(writer) -> str:
    """The writer's document as readable UTF-8 text (networkx's ``str()`` gives ``&#...;`` for Chinese)."""
    writer.indent(writer.xml)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(writer.xml, encoding="unicode") + "\n"


def gexf_text(G: nx.MultiDiGraph) -> str:
    """GEXF 1.3 text of ``G`` (attributes plus ``viz`` colour/size/shape/position)."""
    F = flat_graph(G)
    V = nx.MultiDiGraph()
    for n, d in F.nodes(data=True):
        r, g, b = rgb(d["colour"])
        viz = {
            "color": {"r": r, "g": g, "b": b, "a": 1.0},
            "size": d["size"],
            "shape": type_style(d["type"])[2],
            "position": {"x": d["x"], "y": d["y"], "z": 0.0},
        }
        V.add_node(n, **d, viz=viz)
    for u, v, k, d in F.edges(keys=True, data=True):
        r, g, b = rgb(d["colour"])
        # networkx writes the edge key as an attribute and uses "id" as the GEXF edge id
        V.add_edge(u, v, key=k, id=f"{u}|{v}|{k}", **d, viz={"color": {"r": r, "g": g, "b": b, "a": 1.0}})
    writer = nx.readwrite.gexf.GEXFWriter(version="1.3")
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = "kg"
    writer.add_graph(V)
    return _xml(writer)


def write_gexf(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, gexf_text(G))


def read_gexf(path: str | Path) -> nx.MultiDiGraph:
    """Read a ``graph.gexf`` back (as networkx sees it: flat attributes plus ``viz``)."""
    return nx.read_gexf(path, version="1.3")


def graphml_text(G: nx.MultiDiGraph) -> str:
    """GraphML text of ``G``: one typed ``<key>`` per attribute (string, long, double)."""
    F = flat_graph(G)
    # GraphML edge ids must be unique in the file, and the graph's keys are
    # only unique per node pair: number the edges, keep the key as ``key``.
    E = nx.MultiDiGraph()
    E.graph.update(F.graph)
    E.add_nodes_from(F.nodes(data=True))
    for i, (u, v, k, d) in enumerate(F.edges(keys=True, data=True)):
        E.add_edge(u, v, key=f"e{i}")
        E.edges[u, v, f"e{i}"].update({"key": k, **d})
    writer = nx.readwrite.graphml.GraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(E)
    return _xml(writer)


def write_graphml(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, graphml_text(G))


def read_graphml(path: str | Path) -> nx.MultiDiGraph:
    return nx.read_graphml(path, force_multigraph=True)
