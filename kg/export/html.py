"""``graph.html``: the interactive graph page, one self-contained file.

The page uses vis-network, the library pyvis drives, taken from the copy
pyvis ships (``pyvis/templates/lib/vis-9.1.2``) and inlined, but not pyvis's
template: that template links Bootstrap and vis-network from CDNs and puts
node ids and the heading into the page unescaped (STYLE.md), and
``Network.from_nx`` changes the graph it is given. So this module writes the
page itself:

* everything inline, and a Content-Security-Policy of ``default-src 'none'``
  that lets only the page's two scripts run (by hash), so the page fetches
  nothing, even with the network on, and no inline handler could ever run;
* the graph is JSON in a ``<script type="application/json">`` block with
  ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\u003c``… so no text from
  an article can close the block; the page's script reads it with
  ``JSON.parse`` and puts names and sentences on screen with ``textContent``
  only (vis-network shows string tooltips as text);
* colour and shape by type with a legend (that is also the type filter),
  size by mentions + degree, label size by rank (so zoomed out only the
  important names are written), edge colour and label by relation, tooltips
  with type, aliases, documents and the evidence sentences;
* to explore: a click highlights a node's neighbours (the rest fades, the
  node keeps its type colour) and fills a details panel (type, aliases,
  posts, documents, every relation with its sentences and documents); a
  double click draws only its k-hop neighbourhood; filters by type,
  relation, document, minimum degree and "hide isolated", and a re-layout;
  search by name or alias; on a narrow screen the panel folds away;
* up to ``PHYSICS_MAX_NODES`` nodes drawn the layout is live (physics,
  starting from the precomputed positions); above, the precomputed layout is
  used as is and physics is off, so big pages open at once. The page holds
  the ``max_nodes`` most connected nodes, draws the ``shown_nodes`` first
  ones at first and reaches the others by search; it says what it left out.

The same graph gives the same bytes (sorted data, seeded layout).

>>> from kg.graph import new_graph, add_entity
>>> G = new_graph(); _ = add_entity(G, "Person", "</script><b>x</b>")
>>> page = html_text(G)
>>> "</script><b>" in page, "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e" in page
(False, True)
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.util
import json
import math
import re
from functools import cache
from pathlib import Path

import networkx as nx
import orjson

from kg.export import atomic_write
from kg.export._style import layout, node_size, relation_style, type_style
from kg.graph import sorted_graph
from kg.schema import ENTITY_TYPES, RELATIONS

#: Above this many nodes drawn at first, physics is off and the precomputed layout is final.
PHYSICS_MAX_NODES = 500
#: Above this many nodes, only the most connected ones are in the page at all (the rest: graph.json).
MAX_NODES = 20000
#: Above this many nodes, only the most connected are drawn at first; search reaches the others.
SHOWN_NODES = 1000
#: Evidence sentences kept per edge in the page (the details panel lists them; the count says how many more).
MAX_EVIDENCE = 10

VIS_VERSION = "vis-9.1.2"

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def script_json(data: object) -> str:
    """JSON that is safe inside a ``<script>`` element: it cannot end it or open a comment.

    >>> script_json({"a": "</script><!--&"})
    '{"a":"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u0026"}'
    """
    try:  # orjson: the same text for the page's data (strings, ints, rounded floats) in half the time
        text = orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):  # what only json writes: a lone surrogate, an int past 64 bits
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group()], text)


def _inline_script(code: str) -> str:
    # A script element ends at "</script" and "<!--" changes how it is parsed.
    code = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", code)
    if re.search(r"</script|<!--", code, re.IGNORECASE):
        raise ValueError("script cannot be inlined safely")
    return code


def _package_folder(name: str) -> Path:
    """Where package ``name`` is installed, found without importing it.

    ``importlib.resources.files("pyvis")`` runs pyvis's ``__init__``, which imports
    IPython and jinja2 (0.06 s of every build) for files the page only reads.
    """
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def _vis_assets() -> tuple[str, str]:
    """(vis-network.min.js, vis-network.css) from the copy pyvis ships."""
    try:
        lib = _package_folder("pyvis") / "templates" / "lib" / VIS_VERSION
        js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        css = (lib / "vis-network.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # pragma: no cover - install problem
        raise RuntimeError(
            f"graph.html needs vis-network from pyvis ({exc}); install it: pip install 'pyvis>=0.3.2'"
        ) from exc
    if "</style" in css.lower():
        raise ValueError("vis-network.css cannot be inlined safely")
    return _inline_script(js), css


def _ranked(G: nx.MultiDiGraph) -> list[str]:
    """Nodes most connected first (then most mentioned, then by id): the order of importance."""
    degree, data = dict(G.degree()), G.nodes
    return sorted(G.nodes, key=lambda n: (-degree[n], -int(data[n].get("mentions") or 0), n))


def _doc_name(doc: str, titles: dict[str, str]) -> str:
    title = titles.get(doc, "")
    return f"《{title}》（{doc}）" if title else doc


def _node_tooltip(d: dict, degree: int, titles: dict[str, str]) -> str:
    type_ = d.get("type", "")
    lines = [str(d.get("label", "")), f"类型：{type_style(type_)[3]}（{type_}）"]
    if d.get("aliases"):
        lines.append("别名：" + "、".join(map(str, d["aliases"])))
    lines.append(f"提及：{int(d.get('mentions') or 0)} 次　关系：{degree} 条")
    if d.get("documents"):
        lines.append("文档：" + "，".join(_doc_name(str(doc), titles) for doc in d["documents"]))
    return "\n".join(lines)


def _label_size(rank: int, first: int) -> int:
    """Label font size by importance: 34 px for the most connected node down to 10 for the last drawn.

    The page draws a label only when its size on screen reaches a threshold, so
    zoomed out only the biggest (most important) labels show, zoomed in all.

    >>> [_label_size(r, 1000) for r in (0, 9, 99, 999, 4000)]
    [34, 26, 18, 10, 10]
    """
    if rank >= first - 1 or first <= 1:
        return 10
    return round(10 + 24 * (1 - math.log1p(rank) / math.log(first)))


def graph_data(G: nx.MultiDiGraph, max_nodes: int = MAX_NODES, shown_nodes: int = SHOWN_NODES) -> dict:
    """What the page holds: vis-network nodes and edges, documents, legend, and what was left out.

    Every node has ``rank`` (0 = most connected); the page draws the
    ``shown_nodes`` first ones at first (``shown``) and finds the rest by search.
    Edge evidence is ``[document index, sentence]`` pairs, at most ``MAX_EVIDENCE``.
    """
    S = sorted_graph(G)
    degrees = dict(S.degree())
    ranked = _ranked(S)[:max_nodes]
    rank = {n: i for i, n in enumerate(ranked)}
    keep = sorted(ranked)
    kept = set(keep)
    # the kept edges in the sorted graph's order (a subgraph view would iterate a set: hash-seeded order)
    edges_kept = [(u, v, k, d) for u, v, k, d in S.edges(keys=True, data=True) if u in kept and v in kept]
    pos = layout(S)  # the full graph's layout (the one Gephi's files get), not a second one of the subgraph
    first = min(len(keep), shown_nodes)
    physics = first <= PHYSICS_MAX_NODES
    # the nodes drawn first fill the canvas (as the whole graph does in Gephi): the most connected
    # sit in the middle of the full layout, and unscaled they would be a knot there
    spread = max((abs(c) for n in ranked[:first] for c in pos[n]), default=0.0)
    zoom = 1000.0 / spread if spread > 0 else 1.0
    documents = [
        {"id": str(doc.get("id", "")), "title": str(doc.get("title") or "")} for doc in S.graph.get("documents", [])
    ]
    for n in keep:  # documents a node or evidence names without the graph listing them
        for doc in S.nodes[n].get("documents") or ():
            documents.append({"id": str(doc), "title": ""})
    for _, _, _, d in edges_kept:
        for e in d.get("evidence") or ():
            documents.append({"id": str(e.get("document", "")), "title": ""})
    by_id: dict[str, dict] = {}
    for doc in documents:
        if doc["id"] not in by_id or (doc["title"] and not by_id[doc["id"]]["title"]):
            by_id[doc["id"]] = doc
    docs = [by_id[k] for k in sorted(by_id)]
    doc_index = {doc["id"]: i for i, doc in enumerate(docs)}
    titles = {doc["id"]: doc["title"] for doc in docs}
    nodes = []
    for n in keep:
        d = S.nodes[n]
        type_ = str(d.get("type", ""))
        colour, shape, _, _ = type_style(type_)
        degree = degrees[n]
        x, y = pos[n]
        nodes.append(
            {
                "id": n,
                "label": str(d.get("label", n)),
                "type": type_,
                "aliases": [str(a) for a in d.get("aliases") or []],
                "color": colour,
                "shape": shape,
                "size": node_size(int(d.get("mentions") or 0), degree),
                "mentions": int(d.get("mentions") or 0),
                "degree": degree,
                "rank": rank[n],
                "font": _label_size(rank[n], first),
                "docs": sorted({doc_index[str(doc)] for doc in d.get("documents") or ()}),
                "title": _node_tooltip(d, degree, titles),
                "x": round(x * zoom, 2),
                "y": round(y * zoom, 2),
            }
        )
    edges = []
    for i, (u, v, k, d) in enumerate(edges_kept):
        relation = d["relation"]
        colour, name = relation_style(relation)
        evidence = d.get("evidence") or []
        edges.append(
            {
                "id": f"e{i}",
                "from": u,
                "to": v,
                "key": k,
                "relation": relation,
                "name": name,
                "label": f"{name}·{d['title']}" if d.get("title") else name,
                "post": str(d.get("title") or ""),
                "color": colour,
                "evidence": [[doc_index[str(e.get("document", ""))], str(e.get("sentence", ""))] for e in evidence][
                    :MAX_EVIDENCE
                ],
                "more": max(len(evidence) - MAX_EVIDENCE, 0),
                "docs": sorted({doc_index[str(e.get("document", ""))] for e in evidence}),
                "width": min(1 + int(d.get("weight") or 1) / 2, 6),
            }
        )
    node_types = [str(n["type"]) for n in nodes]
    edge_relations = [str(e["relation"]) for e in edges]
    types = sorted(
        set(node_types),
        key=lambda t: (t not in ENTITY_TYPES, ENTITY_TYPES.index(t) if t in ENTITY_TYPES else 0, t),
    )
    relations = sorted(set(edge_relations), key=lambda r: RELATIONS.index(r) if r in RELATIONS else len(RELATIONS))
    return {
        "nodes": nodes,
        "edges": edges,
        "docs": docs,
        "types": [
            {
                "type": t,
                "color": type_style(t)[0],
                "name": type_style(t)[3],
                "count": node_types.count(t),
            }
            for t in types
        ],
        "relations": [
            {
                "relation": r,
                "color": relation_style(r)[0],
                "name": relation_style(r)[1],
                "count": edge_relations.count(r),
            }
            for r in relations
        ],
        "physics": physics,
        "first": first,
        "total": {"nodes": S.number_of_nodes(), "edges": S.number_of_edges()},
        "kept": {"nodes": len(nodes), "edges": len(edges)},
        "documents": len(S.graph.get("documents", [])),
    }


_CSS = """
html, body { margin: 0; height: 100%; font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; font-size: 14px; color: #222; background: #fff; }
#app { display: flex; height: 100%; }
#side { width: 300px; flex: none; overflow-y: auto; padding: 10px 12px; border-right: 1px solid #ddd; box-sizing: border-box; background: #fafafa; }
#net { flex: 1; min-width: 0; height: 100%; }
#head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; }
h1 { font-size: 17px; margin: 0; flex: 1; }
h2 { font-size: 14px; margin: 14px 0 4px; }
#toggle { display: none; }
#summary, #omitted, #status { color: #555; font-size: 12px; margin: 4px 0; }
#omitted { color: #a33; }
#search { width: 100%; box-sizing: border-box; padding: 5px; font-size: 14px; }
#doc { max-width: 100%; }
#mindeg { width: 4em; }
label.row { display: flex; align-items: center; gap: 6px; margin: 2px 0; cursor: pointer; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; flex: none; }
.line { display: inline-block; width: 18px; height: 3px; flex: none; vertical-align: middle; }
.count { color: #888; font-size: 12px; }
.tools { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 4px 0; }
button { font: inherit; font-size: 13px; padding: 2px 8px; cursor: pointer; }
#info { font-size: 12px; background: #fff; border: 1px solid #ddd; padding: 6px; min-height: 2em; overflow-wrap: anywhere; }
#info .name { font-size: 15px; font-weight: bold; margin-bottom: 2px; }
#info .meta { display: flex; gap: 6px; align-items: center; color: #555; }
#info .field { margin: 4px 0; }
#info .key { color: #777; }
#info ul { list-style: none; margin: 4px 0; padding: 0; }
#info li { border-top: 1px solid #eee; padding: 4px 0; }
#info .ev { color: #444; margin: 2px 0 0 24px; white-space: pre-wrap; }
#info .doc { color: #888; }
#info button.link { border: none; background: none; color: #1f5fa8; padding: 0; text-decoration: underline; font-size: 12px; }
div.vis-tooltip { white-space: pre-wrap; max-width: 420px; font-family: inherit; }
@media (max-width: 700px) {
  #app { flex-direction: column; }
  #side { width: 100%; max-height: 55%; border-right: none; border-bottom: 1px solid #ddd; padding: 6px 8px; }
  #toggle { display: inline-block; }
  #side:not(.open) #panel { display: none; }
  #net { flex: 1; min-height: 0; height: auto; }
}
"""

_APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var big = !data.physics;
  var info = $("info"), status = $("status"), network = null;
  var TEXT = "#222", DIM = "#e6e6e6", DIM_BORDER = "#d6d6d6", DIM_TEXT = "#c8c8c8", DIM_EDGE = "#ececec";
  var byId = {}, edgeById = {}, adj = {}, typeNames = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; adj[n.id] = []; });
  data.edges.forEach(function (e) { edgeById[e.id] = e; adj[e.from].push(e); if (e.to !== e.from) adj[e.to].push(e); });
  data.types.forEach(function (t) { typeNames[t.type] = t.name; });
  function label(id) { return byId[id] ? byId[id].label : id; }
  function docName(i) {
    var d = data.docs[i];
    if (!d) return "";
    return d.title ? "《" + d.title + "》（" + d.id + "）" : d.id;
  }
  function nodeColor(n, dim) {
    var c = dim ? DIM : n.color, b = dim ? DIM_BORDER : n.color;
    // the type colour stays when selected or hovered: only the border darkens
    return { background: c, border: b, highlight: { background: c, border: "#222" }, hover: { background: c, border: "#222" } };
  }
  function edgeColor(e, dim) { var c = dim ? DIM_EDGE : e.color; return { color: c, highlight: c, hover: c }; }
  function edgeTitle(e) {
    var lines = [label(e.from) + " → " + label(e.to), "关系：" + e.name + "（" + e.relation + "）"];
    if (e.post) lines.push("职务：" + e.post);
    var total = e.evidence.length + e.more;
    if (total) {
      lines.push("证据（" + total + " 句）：");
      e.evidence.forEach(function (ev) { lines.push("［" + docName(ev[0]) + "］" + ev[1]); });
      if (e.more) lines.push("……另有 " + e.more + " 句");
    }
    return lines.join("\n");
  }
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return { id: n.id, label: n.label, title: n.title, shape: n.shape, value: n.size, x: n.x, y: n.y,
             color: nodeColor(n, false), font: { color: TEXT, size: n.font }, type: n.type, aliases: n.aliases };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    return { id: e.id, from: e.from, to: e.to, label: big ? undefined : e.label, title: edgeTitle(e), width: e.width,
             color: edgeColor(e, false), font: { color: "#444" }, relation: e.relation, arrows: "to" };
  }));

  // what is drawn: the filters, a k-hop neighbourhood (focus) and the nodes search revealed
  var state = { types: {}, relations: {}, doc: -1, minDegree: 0, hideIsolated: false, focus: null, revealed: {} };
  data.types.forEach(function (t) { state.types[t.type] = true; });
  data.relations.forEach(function (r) { state.relations[r.relation] = true; });
  var shownNodes = {}, shownEdges = {};
  var nodesView = new vis.DataView(nodes, { filter: function (n) { return shownNodes[n.id] === true; } });
  var edgesView = new vis.DataView(edges, { filter: function (e) { return shownEdges[e.id] === true; } });

  function compute() {
    var cand = {};
    data.nodes.forEach(function (n) {
      if (state.revealed[n.id]) { cand[n.id] = true; return; }
      if (!state.types[n.type]) return;
      if (state.focus) { if (state.focus[n.id]) cand[n.id] = true; return; }
      if (n.rank >= data.first || n.degree < state.minDegree) return;
      if (state.doc >= 0 && n.docs.indexOf(state.doc) < 0) return;
      cand[n.id] = true;
    });
    var ce = {}, touched = {};
    data.edges.forEach(function (e) {
      if (!state.relations[e.relation] || !cand[e.from] || !cand[e.to]) return;
      if (state.doc >= 0 && !state.focus && e.docs.indexOf(state.doc) < 0) return;
      ce[e.id] = true; touched[e.from] = true; touched[e.to] = true;
    });
    if (state.hideIsolated) {
      Object.keys(cand).forEach(function (id) { if (!touched[id] && !state.revealed[id]) delete cand[id]; });
    }
    shownNodes = cand; shownEdges = ce;
    nodesView.refresh(); edgesView.refresh();
    if (network === null) return;
    if (selected !== null && !shownNodes[selected]) clearSelection();
    else if (selected !== null) highlight(selected);
    updateStatus();
  }

  var options = {
    autoResize: true,
    nodes: { font: { size: 14, face: "Noto Sans CJK SC, sans-serif" }, borderWidth: 1, borderWidthSelected: 3,
             // each label's size follows its rank (font.size): at low zoom only the big ones reach the threshold
             scaling: { min: 8, max: 36, label: { enabled: false, maxVisible: 30, drawThreshold: 11 } } },
    edges: { font: { size: 10, align: "middle", face: "Noto Sans CJK SC, sans-serif" }, smooth: big ? false : { type: "continuous" },
             arrows: { to: { scaleFactor: 0.5 } }, selectionWidth: 2,
             scaling: { label: { enabled: true, min: 10, max: 10, drawThreshold: 9 } } },
    physics: data.physics ? { solver: "forceAtlas2Based", stabilization: { iterations: 150, fit: true },
                              forceAtlas2Based: { gravitationalConstant: -40, centralGravity: 0.02, springLength: 90 } } : false,
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, navigationButtons: false },
    layout: { randomSeed: 42, improvedLayout: false }
  };
  var selected = null, dimmed = [];
  compute();
  network = new vis.Network($("net"), { nodes: nodesView, edges: edgesView }, options);

  $("summary").textContent =
    data.total.nodes + " 个实体，" + data.total.edges + " 条关系，来自 " + data.documents + " 篇文档";
  if (data.first < data.total.nodes) {
    var text = "为保持流畅，先显示连接最多的 " + data.first + " 个实体；其余 " + (data.kept.nodes - data.first) +
      " 个可以搜索找到（找到后连同邻居一起显示）。";
    if (data.kept.nodes < data.total.nodes) {
      text += "另有 " + (data.total.nodes - data.kept.nodes) + " 个实体、" + (data.total.edges - data.kept.edges) +
        " 条关系不在本页（完整数据见 graph.json）。";
    }
    $("omitted").textContent = text;
  }

  function legend(containerId, items, key, shown) {
    var box = $(containerId);
    items.forEach(function (it) {
      var row = el("label", "row");
      var cb = el("input");
      cb.type = "checkbox"; cb.checked = true; cb.value = it[key]; cb.setAttribute("data-" + key, it[key]);
      cb.addEventListener("change", function () { shown[it[key]] = cb.checked; compute(); });
      var sw = el("span", key === "type" ? "swatch" : "line"); sw.style.background = it.color;
      row.appendChild(cb); row.appendChild(sw);
      row.appendChild(el("span", "", it.name + "（" + it[key] + "）"));
      row.appendChild(el("span", "count", String(it.count)));
      box.appendChild(row);
    });
  }
  legend("types", data.types, "type", state.types);
  legend("relations", data.relations, "relation", state.relations);

  var docSelect = $("doc");
  data.docs.forEach(function (d, i) { var o = el("option", "", docName(i)); o.value = String(i); docSelect.appendChild(o); });
  docSelect.addEventListener("change", function () { state.doc = Number(docSelect.value); compute(); fit(); });
  var minDegree = $("mindeg");
  minDegree.addEventListener("input", function () { state.minDegree = Math.max(0, Number(minDegree.value) || 0); compute(); });
  var isolated = $("isolated");
  isolated.addEventListener("change", function () { state.hideIsolated = isolated.checked; compute(); });
  $("relayout").addEventListener("click", function () { relayout(); });
  $("showall").addEventListener("click", function () { showAll(); });
  $("focus").addEventListener("click", function () { if (selected !== null) neighbourhood(selected, Number($("hops").value)); });
  $("toggle").addEventListener("click", function () { $("side").classList.toggle("open"); });

  function updateStatus() {
    status.textContent = "显示 " + Object.keys(shownNodes).length + " 个实体，" + Object.keys(shownEdges).length + " 条关系" +
      (state.focus ? "（邻域）" : "");
  }
  function fit() { if (Object.keys(shownNodes).length) network.fit({ animation: false }); }

  function undim() {
    if (!dimmed.length) return;
    var nu = [], eu = [];
    dimmed.forEach(function (id) {
      if (byId[id]) nu.push({ id: id, color: nodeColor(byId[id], false), font: { color: TEXT, size: byId[id].font } });
      else eu.push({ id: id, color: edgeColor(edgeById[id], false), font: { color: "#444" } });
    });
    dimmed = [];
    nodes.update(nu); edges.update(eu);
  }
  function highlight(id) {
    undim();
    var near = {}; near[id] = true;
    adj[id].forEach(function (e) { if (shownEdges[e.id]) { near[e.from] = true; near[e.to] = true; } });
    var nu = [], eu = [];
    Object.keys(shownNodes).forEach(function (nid) {
      if (!near[nid]) {
        dimmed.push(nid);
        nu.push({ id: nid, color: nodeColor(byId[nid], true), font: { color: DIM_TEXT, size: byId[nid].font } });
      }
    });
    Object.keys(shownEdges).forEach(function (eid) {
      var e = edgeById[eid];
      if (e.from !== id && e.to !== id) { dimmed.push(eid); eu.push({ id: eid, color: edgeColor(e, true), font: { color: DIM_TEXT } }); }
    });
    nodes.update(nu); edges.update(eu);
  }
  function clearSelection() {
    selected = null;
    undim();
    network.unselectAll();
    info.textContent = "";
    $("focus").disabled = true;
  }
  function field(name, text) {
    var f = el("div", "field");
    f.appendChild(el("span", "key", name + "："));
    f.appendChild(el("span", "", text));
    info.appendChild(f);
  }
  function showNode(id) {
    var n = byId[id];
    info.textContent = "";
    info.appendChild(el("div", "name", n.label));
    var meta = el("div", "meta");
    var sw = el("span", "swatch"); sw.style.background = n.color; meta.appendChild(sw);
    meta.appendChild(el("span", "", (typeNames[n.type] || n.type) + "（" + n.type + "）　提及 " + n.mentions + " 次　关系 " + n.degree + " 条"));
    info.appendChild(meta);
    if (n.aliases.length) field("别名", n.aliases.join("、"));
    var posts = [];
    adj[id].forEach(function (e) {
      if (e.post) posts.push(e.from === id ? e.post + "（" + label(e.to) + "）" : label(e.from) + "：" + e.post);
    });
    if (posts.length) field("职务", posts.join("；"));
    if (n.docs.length) field("文档", n.docs.map(docName).join("，"));
    info.appendChild(el("div", "key", "关系（" + adj[id].length + " 条）"));
    var list = el("ul");
    adj[id].forEach(function (e) {
      var li = el("li"), head = el("div"), out = e.from === id, other = out ? e.to : e.from;
      var line = el("span", "line"); line.style.background = e.color; head.appendChild(line);
      head.appendChild(el("span", "", (out ? " → " : " ← ") + e.label + "："));
      var go = el("button", "link", label(other)); go.type = "button";
      go.addEventListener("click", function () { select(other); network.focus(other, { animation: false }); });
      head.appendChild(go);
      li.appendChild(head);
      e.evidence.forEach(function (ev) {
        var q = el("div", "ev");
        q.appendChild(el("span", "doc", "［" + docName(ev[0]) + "］"));
        q.appendChild(el("span", "", ev[1]));
        li.appendChild(q);
      });
      if (e.more) li.appendChild(el("div", "ev", "……另有 " + e.more + " 句"));
      list.appendChild(li);
    });
    info.appendChild(list);
  }
  function showEdge(eid) {
    var e = edgeById[eid];
    if (!e) return;
    info.textContent = "";
    var lines = edgeTitle(e).split("\n");
    info.appendChild(el("div", "name", lines[0]));
    lines.slice(1).forEach(function (l) { info.appendChild(el("div", "field", l)); });
  }
  function reveal(id) {
    state.revealed[id] = true;
    adj[id].slice(0, 50).forEach(function (e) { state.revealed[e.from] = true; state.revealed[e.to] = true; });
    compute();
  }
  function select(id) {
    if (!byId[id]) return;
    if (!shownNodes[id]) reveal(id);
    selected = id;
    network.selectNodes([id]);
    highlight(id);
    showNode(id);
    $("focus").disabled = false;
    if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) $("side").classList.add("open");
  }
  function neighbourhood(id, k) {
    var seen = {}; seen[id] = true;
    var frontier = [id];
    for (var d = 0; d < k; d++) {
      var next = [];
      frontier.forEach(function (u) {
        adj[u].forEach(function (e) {
          if (!state.relations[e.relation]) return;
          var w = e.from === u ? e.to : e.from;
          if (!seen[w]) { seen[w] = true; next.push(w); }
        });
      });
      frontier = next;
    }
    state.focus = seen; state.revealed = {};
    $("showall").disabled = false;
    compute();
    select(id);
    relayout();
  }
  function showAll() {
    state.focus = null; state.revealed = {};
    $("showall").disabled = true;
    compute();
    relayout();
  }
  var layouts = 0;
  function relayout() {
    var count = Object.keys(shownNodes).length;
    function done() {
      if (!data.physics) network.setOptions({ physics: { enabled: false } });
      fit();
      layouts += 1;
      document.body.setAttribute("data-layouts", String(layouts));
    }
    if (count < 2) { done(); return; }
    // wider than the first layout: fewer nodes, drawn bigger, their labels need the room
    network.setOptions({ physics: { enabled: true, solver: "forceAtlas2Based",
                                    forceAtlas2Based: { gravitationalConstant: count > 200 ? -60 : -150, centralGravity: 0.01,
                                                        springLength: count > 200 ? 100 : 160, avoidOverlap: 0.5 },
                                    stabilization: { enabled: true, iterations: 100, fit: true } } });
    network.once("stabilizationIterationsDone", done);
    network.stabilize(count > 1500 ? 50 : 100);
  }

  network.on("selectNode", function (p) { select(p.nodes[0]); });
  network.on("deselectNode", function () { if (!network.getSelectedNodes().length) clearSelection(); });
  network.on("selectEdge", function (p) { if (!p.nodes.length) { clearSelection(); network.selectEdges(p.edges); showEdge(p.edges[0]); } });
  network.on("doubleClick", function (p) { if (p.nodes.length) neighbourhood(p.nodes[0], Number($("hops").value)); });

  var names = $("names");
  data.nodes.forEach(function (n) { var o = document.createElement("option"); o.value = n.label; names.appendChild(o); });
  function search(query) {
    var q = String(query || "").trim().toLowerCase();
    if (!q) { clearSelection(); updateStatus(); return []; }
    var hits = data.nodes.filter(function (n) {
      if (n.label.toLowerCase().indexOf(q) >= 0) return true;
      return n.aliases.some(function (a) { return a.toLowerCase().indexOf(q) >= 0; });
    });
    if (!hits.length) { clearSelection(); status.textContent = "没有找到“" + query + "”"; return []; }
    hits.sort(function (a, b) {
      var ea = a.label.toLowerCase() === q ? 0 : 1, eb = b.label.toLowerCase() === q ? 0 : 1;
      return ea - eb || a.label.length - b.label.length || a.rank - b.rank;
    });
    select(hits[0].id);
    var ids = hits.filter(function (n) { return shownNodes[n.id]; }).map(function (n) { return n.id; });
    network.selectNodes(ids);
    network.focus(hits[0].id, { scale: 1.2, animation: false });
    status.textContent = "找到 " + hits.length + " 个：" + hits.slice(0, 5).map(function (n) { return n.label; }).join("、");
    return ids;
  }
  var box = $("search");
  box.addEventListener("input", function () { search(box.value); });
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(box.value); });

  var ready = false;
  function markReady() {
    if (ready) return;
    ready = true;
    updateStatus();
    document.body.setAttribute("data-ready", "1");
  }
  network.once("afterDrawing", function () { if (!data.physics) { fit(); markReady(); } });
  network.once("stabilizationIterationsDone", markReady);
  if (!data.nodes.length) markReady();
  window.kg = { network: network, nodes: nodes, edges: edges, nodesView: nodesView, edgesView: edgesView, state: state,
                search: search, select: select, neighbourhood: neighbourhood, showAll: showAll, relayout: relayout,
                visible: function () { return { nodes: Object.keys(shownNodes).length, edges: Object.keys(shownEdges).length }; } };
})();
"""


def html_text(
    G: nx.MultiDiGraph, title: str = "知识图谱", max_nodes: int = MAX_NODES, shown_nodes: int = SHOWN_NODES
) -> str:
    """The whole page as a string (UTF-8, no external resources)."""
    js, css = _vis_assets()
    data = graph_data(G, max_nodes=max_nodes, shown_nodes=shown_nodes)
    esc_title = html.escape(title, quote=False)
    scripts = ["\n" + js, _inline_script(_APP_JS)]
    # Only these two scripts may run: no inline event handler, even if markup ever got in.
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(c.encode()).digest()).decode()}'" for c in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        f"script-src {hashes}; style-src 'unsafe-inline'; img-src data:; font-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="kg">\n'
        f"<title>{esc_title}</title>\n"
        f"<style>\n{css}\n</style>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        '<div id="app">\n<div id="side">\n'
        f'<div id="head"><h1>{esc_title}</h1><button id="toggle" type="button" aria-controls="panel">☰ 面板</button>\n'
        '<input id="search" type="search" list="names" placeholder="搜索名称或别名" autocomplete="off">\n'
        '<datalist id="names"></datalist></div>\n<div id="status"></div>\n'
        '<div id="panel">\n'
        '<div id="summary"></div>\n<div id="omitted"></div>\n'
        '<h2>详情</h2>\n<div class="tools"><button id="focus" type="button" disabled>只看邻域</button>'
        '<label>范围 <select id="hops"><option value="1">1 跳</option><option value="2" selected>2 跳</option>'
        '<option value="3">3 跳</option></select></label>'
        '<button id="showall" type="button" disabled>显示全部</button></div>\n'
        '<div id="info"></div>\n'
        '<h2>筛选</h2>\n<div class="tools"><select id="doc"><option value="-1">全部文档</option></select></div>\n'
        '<div class="tools"><label>最少关系数 <input id="mindeg" type="number" min="0" value="0"></label>'
        '<label><input id="isolated" type="checkbox"> 隐藏孤立实体</label></div>\n'
        '<div class="tools"><button id="relayout" type="button">重新布局</button></div>\n'
        '<h2>类型</h2>\n<div id="types"></div>\n'
        '<h2>关系</h2>\n<div id="relations"></div>\n'
        "</div>\n</div>\n"
        '<div id="net"></div>\n</div>\n'
        f'<script type="application/json" id="kg-data">{script_json(data)}</script>\n'
        f"<script>{scripts[0]}</script>\n"
        f"<script>{scripts[1]}</script>\n"
        "</body>\n</html>\n"
    )


def write_html(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, html_text(G))
