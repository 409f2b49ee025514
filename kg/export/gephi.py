"""``graph.gexf`` (GEXF 1.3) and ``graph.graphml`` for Gephi, as networkx's writers write them.

Both formats take scalar attributes only, so the canonical graph is flattened
first (``flat_graph``):

* node: ``label``, ``type``, ``aliases`` and ``documents`` joined with ``|``,
  ``mentions`` (int), ``degree`` (int), ``color`` (``#rrggbb``), ``size``,
  ``x``, ``y`` (the same layout as ``graph.html``);
* edge: ``relation``, ``title`` (``""`` unless holdsPosition), ``label``
  (``relation`` or ``relation:title``), ``evidence`` (the sentences, one per
  line), ``documents`` (``|``-joined), ``weight`` (int), ``color``; the
  graph's edge key (``holdsPosition:厅长``) is the GEXF ``networkx_key``
  attribute and the GraphML ``key`` attribute (GraphML edge ids are ``e0``…).

A ``|`` inside a list item becomes the full-width ``｜``; control characters
that XML forbids are dropped (``kg.export._text.clean_text``); ``None`` never
reaches a file (missing values become ``""``). The GEXF also carries Gephi's
own ``viz`` colour, size, shape and position (z = 0), and has no
``lastmodifieddate`` so the same graph gives the same bytes. GraphML has no
colour element: Gephi's GraphML importer takes a node's or edge's colour from
integer ``r``, ``g`` and ``b`` data, which the GraphML file also carries.

Both files are valid against the formats' own schemas (the tests validate
them: GEXF against the GEXF 1.3 RELAX NG grammar, GraphML against
``graphml.xsd``). Where networkx's writer strays from GEXF 1.3 this writer
does not: no ``name`` on ``<graph>``, no ``mode`` on ``<attributes>``, and
the XML Schema instance namespace spelt ``http://www.w3.org/2001/XMLSchema-instance``.

The XML is written as text, not through networkx's ``GEXFWriter`` and
``GraphMLWriter``: the bytes are exactly theirs (networkx 3.6, Python 3.11's
ElementTree, pretty-printed; the GEXF header corrected as above) in a fifth of the time, and no longer depend on
either library's version. ``networkx.read_gexf`` / ``read_graphml`` read them.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import NamedTuple

import networkx as nx

from kg.export import atomic_write
from kg.export._style import layout, node_size, relation_style, rgb, type_style
from kg.export._text import clean_text
from kg.graph import shared_view, sorted_graph

LIST_DELIMITER = "|"


def _join(values) -> str:
    items = (clean_text(v).replace(LIST_DELIMITER, "｜") for v in values or ())
    return LIST_DELIMITER.join(i for i in items if i)


class Flat(NamedTuple):
    """The flat graph as rows: what both writers read (building a networkx graph of it cost as much)."""

    graph: dict
    nodes: list[tuple[str, dict]]
    edges: list[tuple[str, str, str, dict]]


def flat_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A sorted copy of ``G`` with only str/int/float attributes (and no ``None``)."""
    flat = _flat(G)
    F = nx.MultiDiGraph()
    F.graph.update(flat.graph)
    F.add_nodes_from(flat.nodes)
    F.add_edges_from(flat.edges)
    return F


def _flat(G: nx.MultiDiGraph) -> Flat:
    """``flat_graph``'s rows; within ``kg.graph.shared_views()`` (one export set) GEXF and GraphML share them."""
    return shared_view(G, "flat", lambda: _flat_rows(G))


def _flat_rows(G: nx.MultiDiGraph) -> Flat:
    S = sorted_graph(G)
    pos = layout(S)
    degrees = dict(S.degree())
    graph = {"documents": _join(d.get("id", "") for d in G.graph.get("documents", []))}

    def node(n: str, d: dict) -> tuple[str, dict]:
        mentions = int(d.get("mentions") or 0)
        degree = degrees[n]
        x, y = pos[n]
        return clean_text(n), {
            "label": clean_text(d.get("label", n)),
            "type": clean_text(d.get("type", "")),
            "aliases": _join(d.get("aliases")),
            "documents": _join(d.get("documents")),
            "mentions": mentions,
            "degree": degree,
            "color": type_style(d.get("type", ""))[0],
            "size": node_size(mentions, degree),
            "x": x,
            "y": y,
        }

    def edge(u: str, v: str, k: str, d: dict) -> tuple[str, str, str, dict]:
        evidence = d.get("evidence") or []
        title = clean_text(d.get("title", ""))
        relation = d["relation"]
        return (
            clean_text(u),
            clean_text(v),
            clean_text(k),
            {
                "relation": relation,
                "title": title,
                "label": f"{relation}:{title}" if title else relation,
                "evidence": "\n".join([clean_text(e.get("sentence", "")) for e in evidence]),
                "documents": _join(sorted({str(e.get("document", "")) for e in evidence})),
                "weight": int(d.get("weight", len(evidence)) or 0),
                "color": relation_style(relation)[0],
            },
        )

    nodes = [node(n, d) for n, d in S.nodes(data=True)]
    edges = [edge(u, v, k, d) for u, v, k, d in S.edges(keys=True, data=True)]
    if len({n for n, _ in nodes}) < len(nodes) or len({e[:3] for e in edges}) < len(edges):
        # dropping XML-illegal characters made two ids one: networkx's graph decides what is kept, and where
        F = nx.MultiDiGraph()
        F.add_nodes_from(nodes)
        F.add_edges_from(edges)
        return Flat(graph, list(F.nodes(data=True)), list(F.edges(keys=True, data=True)))
    return Flat(graph, nodes, edges)


# XML text written directly, byte for byte what networkx's writers give after
# their ``indent`` and ElementTree's ``tostring`` (two spaces per level,
# ``<tag />`` when empty, attributes in insertion order, ElementTree's
# escaping), without building a tree of 100,000 elements first.

_XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


_SPECIAL_TEXT = re.compile("[&<>]")
_SPECIAL_ATTR = re.compile('[&<>"\r\n\t]')


def _escape_text(text: str) -> str:
    """Element text as ElementTree escapes it."""
    if not _SPECIAL_TEXT.search(text):  # most text: ids, numbers, plain sentences
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(value: str) -> str:
    """An attribute value as ElementTree escapes it (quotes and whitespace as references)."""
    if not _SPECIAL_ATTR.search(value):
        return value
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return value.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _attrs(attrs: dict[str, str]) -> str:
    """`` a="v" b="w"`` (escaped, in the dict's order)."""
    return "".join([f' {k}="{_escape_attr(v)}"' for k, v in attrs.items()])


def _open(depth: int, tag: str, attrs: dict[str, str] | None = None) -> str:
    return f"{'  ' * depth}<{tag}{_attrs(attrs or {})}>"


def _close(depth: int, tag: str) -> str:
    return f"{'  ' * depth}</{tag}>"


def _leaf(depth: int, tag: str, attrs: dict[str, str], text: str = "") -> str:
    """An element without children: ``<tag a="v">text</tag>``, or ``<tag a="v" />`` without text."""
    if not text:
        return f"{'  ' * depth}<{tag}{_attrs(attrs)} />"
    return f"{'  ' * depth}<{tag}{_attrs(attrs)}>{_escape_text(text)}</{tag}>"


def _document(lines: list[str]) -> str:
    # the root element's tail is a newline, and the old writer added one more
    return _XML_DECLARATION + "\n" + "\n".join(lines) + "\n\n"


#: the attribute types networkx writes for Python values (GEXF and GraphML agree for these)
_XML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def _xml_type(value: object) -> str:
    try:
        return _XML_TYPES[type(value)]
    except KeyError:
        raise TypeError(f"attribute value type is not allowed: {type(value)}") from None


def _gexf_value(value: object) -> str:
    """An ``attvalue`` as networkx writes it: booleans in lower case, INF/-INF/NaN for floats."""
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value)
    if type(value) is float:
        text = {"inf": "INF", "-inf": "-INF", "nan": "NaN"}.get(text, text)
    return text


GEXF_VIZ = "http://gexf.net/1.3/viz"
#: the root of a GEXF 1.3 file (networkx writes the XSI namespace without its ``www.``)
GEXF_ROOT = {
    "xmlns": "http://gexf.net/1.3",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xsi:schemaLocation": "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
    "version": "1.3",
}


def gexf_text(G: nx.MultiDiGraph) -> str:
    """GEXF 1.3 text of ``G`` (attributes plus ``viz`` colour/size/shape/position).

    The element for element output of networkx's ``GEXFWriter(version="1.3")``
    for the flat graph (``creator`` "kg", no ``lastmodifieddate``); attribute
    ids are numbered in order of first use, nodes' first, and the edges'
    ``<attributes>`` come first, as networkx inserts them.
    """
    F = _flat(G)
    attr_ids: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}  # class -> title -> (id, type)
    next_id = itertools.count()

    def attvalues(out: list[str], depth: int, cls: str, data: dict) -> None:
        ids, pad = attr_ids[cls], "  " * (depth + 1)
        out.append(_open(depth, "attvalues"))
        for title, value in data.items():
            if title not in ids:
                ids[title] = (str(next(next_id)), _xml_type(value))
            t = type(value)
            # numbers as networkx writes them need no escaping (digits, sign, point, e, INF, NaN)
            text = _escape_attr(value) if t is str else str(value) if t is int else _gexf_value(value)
            out.append(f'{pad}<attvalue for="{ids[title][0]}" value="{text}" />')
        out.append(_close(depth, "attvalues"))

    colours: dict[tuple[int, str], str] = {}

    def colour(depth: int, hex_colour: str) -> str:
        text = colours.get((depth, hex_colour))
        if text is None:
            r, g, b = rgb(hex_colour)
            text = colours[depth, hex_colour] = _leaf(
                depth, "viz:color", {"r": str(r), "g": str(g), "b": str(b), "a": "1.0"}
            )
        return text

    nodes: list[str] = []
    for n, d in F.nodes:
        attrs = {k: v for k, v in d.items() if k != "label"}
        # _open and _leaf written out (numbers need no escaping): a third of the time for 16,000 nodes
        nodes += [
            f'      <node id="{_escape_attr(str(n))}" label="{_escape_attr(str(d["label"]))}">',
            colour(4, d["color"]),
            f'        <viz:size value="{d["size"]}" />',
            f'        <viz:shape value="{_escape_attr(type_style(d["type"])[2])}" />',
            f'        <viz:position x="{d["x"]}" y="{d["y"]}" z="0.0" />',
        ]
        attvalues(nodes, 4, "node", attrs)
        nodes.append(_close(3, "node"))
    edges: list[str] = []
    for u, v, k, d in F.edges:
        attrs = {name: value for name, value in d.items() if name not in ("label", "weight")}
        attrs["networkx_key"] = k
        edges += [
            f'      <edge source="{_escape_attr(u)}" target="{_escape_attr(v)}" id="{_escape_attr(f"{u}|{v}|{k}")}"'
            f' label="{_escape_attr(str(d["label"]))}" weight="{d["weight"]}">',
            colour(4, d["color"]),
        ]
        attvalues(edges, 4, "edge", attrs)
        edges.append(_close(3, "edge"))

    root = {"xmlns:viz": GEXF_VIZ, **GEXF_ROOT} if F.nodes else GEXF_ROOT  # viz is declared only when used
    lines = [_open(0, "gexf", root), _open(1, "meta"), _leaf(2, "creator", {}, "kg"), _close(1, "meta")]
    lines.append(_open(1, "graph", {"defaultedgetype": "directed", "mode": "static"}))
    for cls in ("edge", "node"):
        if attr_ids[cls]:
            lines.append(_open(2, "attributes", {"class": cls}))
            lines += [_leaf(3, "attribute", {"id": i, "title": t, "type": x}) for t, (i, x) in attr_ids[cls].items()]
            lines.append(_close(2, "attributes"))
    for tag, body in (("nodes", nodes), ("edges", edges)):
        lines += [_open(2, tag), *body, _close(2, tag)] if body else [_leaf(2, tag, {})]
    lines += [_close(1, "graph"), _close(0, "gexf")]
    return _document(lines)


def write_gexf(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, gexf_text(G))


def read_gexf(path: str | Path) -> nx.MultiDiGraph:
    """Read a ``graph.gexf`` back (as networkx sees it: flat attributes plus ``viz``)."""
    return nx.read_gexf(path, version="1.3")


GRAPHML_ROOT = {
    "xmlns": "http://graphml.graphdrawing.org/xmlns",
    "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xsi:schemaLocation": "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
}


def with_rgb(attrs: dict) -> dict:
    """``attrs`` with integer ``r``, ``g``, ``b`` after its ``color`` (what Gephi's GraphML importer reads)."""
    r, g, b = rgb(attrs["color"])
    out: dict = {}
    for name, value in attrs.items():
        out[name] = value
        if name == "color":
            out.update(r=r, g=g, b=b)
    return out


def graphml_text(G: nx.MultiDiGraph) -> str:
    """GraphML text of ``G``: one typed ``<key>`` per attribute (string, long, double).

    The output of networkx's ``GraphMLWriter`` for the flat graph: keys
    ``d0``, ``d1``… numbered in order of first use (graph, nodes, edges) per
    name, type and scope, listed newest first; the graph's own data come after
    its nodes and edges. GraphML edge ids must be unique in the file, and the
    graph's keys are only unique per node pair: edges are numbered ``e0``…
    and the graph's key is the ``key`` attribute.
    """
    F = _flat(G)
    keys: dict[tuple[str, str, str], str] = {}  # (name, type, scope) -> id
    known: dict[tuple[str, type, str], str] = {}  # (name, Python type, scope) -> id: the same, found quicker

    def data(depth: int, scope: str, attrs: dict) -> list[str]:
        pad, out = "  " * depth, []
        for name, value in attrs.items():
            t = type(value)
            key = known.get((name, t, scope))
            if key is None:
                key = known[name, t, scope] = keys.setdefault((name, _xml_type(value), scope), f"d{len(keys)}")
            text = _escape_text(value) if t is str else str(value)  # a number: nothing to escape
            out.append(f'{pad}<data key="{key}">{text}</data>' if text else f'{pad}<data key="{key}" />')
        return out

    graph_data = data(2, "graph", F.graph)
    body = []
    for n, d in F.nodes:
        body += [f'    <node id="{_escape_attr(str(n))}">', *data(3, "node", with_rgb(d)), "    </node>"]
    for i, (u, v, k, d) in enumerate(F.edges):
        attrs = with_rgb({"key": k, **d})
        body += [
            f'    <edge source="{_escape_attr(u)}" target="{_escape_attr(v)}" id="e{i}">',
            *data(3, "edge", attrs),
            "    </edge>",
        ]
    body += graph_data

    lines = [_open(0, "graphml", GRAPHML_ROOT)]
    for (name, type_, scope), key in reversed(keys.items()):
        lines.append(_leaf(1, "key", {"id": key, "for": scope, "attr.name": name, "attr.type": type_}))
    graph = {"edgedefault": "directed"}
    lines += [_open(1, "graph", graph), *body, _close(1, "graph")] if body else [_leaf(1, "graph", graph)]
    lines.append(_close(0, "graphml"))
    return _document(lines)


def write_graphml(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, graphml_text(G))


def read_graphml(path: str | Path) -> nx.MultiDiGraph:
    return nx.read_graphml(path, force_multigraph=True)
