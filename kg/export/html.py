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
  size by mentions + degree, edge colour and label by relation, tooltips with
  type, aliases, documents, and the evidence sentences; search by name or
  alias; filters by type and relation;
* up to ``PHYSICS_MAX_NODES`` nodes the layout is live (physics, starting
  from the precomputed positions); above, the precomputed layout is used as
  is and physics is off, so big pages open at once; above ``max_nodes`` only
  the most connected nodes are kept and the page says what was left out.

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
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path

import networkx as nx

from kg.export import atomic_write
from kg.export._style import layout, node_size, relation_style, type_style
from kg.graph import sorted_graph
from kg.schema import ENTITY_TYPES, RELATIONS

#: Above this many nodes, physics is off and the precomputed layout is final.
PHYSICS_MAX_NODES = 500
#: Above this many nodes, only the most connected ones are drawn.
MAX_NODES = 3000
#: Evidence sentences shown per edge tooltip.
MAX_EVIDENCE = 5

VIS_VERSION = "vis-9.1.2"

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def script_json(data: object) -> str:
    """JSON that is safe inside a ``<script>`` element: it cannot end it or open a comment.

    >>> script_json({"a": "</script><!--&"})
    '{"a":"\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group()], text)


def _inline_script(code: str) -> str:
    # A script element ends at "</script" and "<!--" changes how it is parsed.
    code = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", code)
    if re.search(r"</script|<!--", code, re.IGNORECASE):
        raise ValueError("script cannot be inlined safely")
    return code


@cache
def _vis_assets() -> tuple[str, str]:
    """(vis-network.min.js, vis-network.css) from the copy pyvis ships."""
    try:
        lib = resources.files("pyvis") / "templates" / "lib" / VIS_VERSION
        js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        css = (lib / "vis-network.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # pragma: no cover - install problem
        raise RuntimeError(
            f"graph.html needs vis-network from pyvis ({exc}); install it: pip install 'pyvis>=0.3.2'"
        ) from exc
    if "</style" in css.lower():
        raise ValueError("vis-network.css cannot be inlined safely")
    return _inline_script(js), css


def _keep(G: nx.MultiDiGraph, max_nodes: int) -> list[str]:
    """The nodes drawn: all, or the ``max_nodes`` most connected (then most mentioned, then by id)."""
    nodes = sorted(G.nodes)
    if len(nodes) <= max_nodes:
        return nodes
    ranked = sorted(nodes, key=lambda n: (-G.degree(n), -int(G.nodes[n].get("mentions") or 0), n))
    return sorted(ranked[:max_nodes])


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


def _edge_tooltip(G: nx.MultiDiGraph, u: str, v: str, d: dict) -> str:
    relation = d["relation"]
    lines = [
        f"{G.nodes[u].get('label', u)} → {G.nodes[v].get('label', v)}",
        f"关系：{relation_style(relation)[1]}（{relation}）",
    ]
    if d.get("title"):
        lines.append(f"职务：{d['title']}")
    evidence = d.get("evidence") or []
    if evidence:
        lines.append(f"证据（{len(evidence)} 句）：")
        lines += [f"［{e.get('document', '')}］{e.get('sentence', '')}" for e in evidence[:MAX_EVIDENCE]]
        if len(evidence) > MAX_EVIDENCE:
            lines.append(f"……另有 {len(evidence) - MAX_EVIDENCE} 句")
    return "\n".join(lines)


def graph_data(G: nx.MultiDiGraph, max_nodes: int = MAX_NODES) -> dict:
    """What the page draws: vis-network nodes and edges, legend, and what was left out."""
    S = sorted_graph(G)
    keep = _keep(S, max_nodes)
    H = S.subgraph(keep)
    pos = layout(S)  # the full graph's layout (the one Gephi's files get), not a second one of the subgraph
    physics = H.number_of_nodes() <= PHYSICS_MAX_NODES
    titles = {str(doc.get("id", "")): str(doc.get("title") or "") for doc in S.graph.get("documents", [])}
    nodes = []
    for n in keep:
        d = H.nodes[n]
        type_ = str(d.get("type", ""))
        colour, shape, _, _ = type_style(type_)
        degree = S.degree(n)
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
                "title": _node_tooltip(d, degree, titles),
                "x": x,
                "y": y,
            }
        )
    edges = []
    for i, (u, v, k, d) in enumerate(H.edges(keys=True, data=True)):
        relation = d["relation"]
        colour, name = relation_style(relation)
        edges.append(
            {
                "id": f"e{i}",
                "from": u,
                "to": v,
                "key": k,
                "relation": relation,
                "label": f"{name}·{d['title']}" if d.get("title") else name,
                "color": colour,
                "title": _edge_tooltip(H, u, v, d),
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
        "total": {"nodes": S.number_of_nodes(), "edges": S.number_of_edges()},
        "shown": {"nodes": len(nodes), "edges": len(edges)},
        "documents": len(S.graph.get("documents", [])),
    }


_CSS = """
html, body { margin: 0; height: 100%; font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; font-size: 14px; color: #222; background: #fff; }
#app { display: flex; height: 100%; }
#side { width: 270px; flex: none; overflow-y: auto; padding: 10px 12px; border-right: 1px solid #ddd; box-sizing: border-box; background: #fafafa; }
#net { flex: 1; min-width: 0; height: 100%; }
h1 { font-size: 17px; margin: 0 0 6px; }
h2 { font-size: 14px; margin: 14px 0 4px; }
#summary, #omitted, #status { color: #555; font-size: 12px; margin: 4px 0; }
#omitted { color: #a33; }
#search { width: 100%; box-sizing: border-box; padding: 5px; font-size: 14px; }
label.row { display: flex; align-items: center; gap: 6px; margin: 2px 0; cursor: pointer; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; flex: none; }
.line { display: inline-block; width: 18px; height: 3px; flex: none; }
.count { color: #888; font-size: 12px; }
#info { white-space: pre-wrap; font-size: 12px; background: #fff; border: 1px solid #ddd; padding: 6px; min-height: 2em; }
div.vis-tooltip { white-space: pre-wrap; max-width: 420px; font-family: inherit; }
"""

_APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var big = !data.physics;
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return { id: n.id, label: n.label, title: n.title, shape: n.shape, size: n.size, x: n.x, y: n.y,
             color: { background: n.color, border: n.color }, type: n.type, aliases: n.aliases };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    return { id: e.id, from: e.from, to: e.to, label: big ? undefined : e.label, title: e.title, width: e.width,
             color: { color: e.color, highlight: e.color }, relation: e.relation, arrows: "to" };
  }));
  var shownTypes = {}, shownRelations = {};
  data.types.forEach(function (t) { shownTypes[t.type] = true; });
  data.relations.forEach(function (r) { shownRelations[r.relation] = true; });
  var nodesView = new vis.DataView(nodes, { filter: function (n) { return shownTypes[n.type] === true; } });
  var edgesView = new vis.DataView(edges, { filter: function (e) { return shownRelations[e.relation] === true; } });
  var options = {
    autoResize: true,
    nodes: { font: { size: 14, face: "Noto Sans CJK SC, sans-serif" }, borderWidth: 1,
             scaling: { label: { enabled: false } } },
    edges: { font: { size: 10, align: "middle", face: "Noto Sans CJK SC, sans-serif" }, smooth: big ? false : { type: "continuous" },
             arrows: { to: { scaleFactor: 0.5 } } },
    physics: data.physics ? { solver: "forceAtlas2Based", stabilization: { iterations: 150, fit: true },
                              forceAtlas2Based: { gravitationalConstant: -40, centralGravity: 0.02, springLength: 90 } } : false,
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, navigationButtons: false },
    layout: { randomSeed: 42, improvedLayout: false }
  };
  var network = new vis.Network(document.getElementById("net"), { nodes: nodesView, edges: edgesView }, options);

  document.getElementById("summary").textContent =
    data.total.nodes + " 个实体，" + data.total.edges + " 条关系，来自 " + data.documents + " 篇文档";
  if (data.shown.nodes < data.total.nodes) {
    document.getElementById("omitted").textContent =
      "为保持流畅，仅显示连接最多的 " + data.shown.nodes + " 个实体和它们之间的 " + data.shown.edges +
      " 条关系；省略了 " + (data.total.nodes - data.shown.nodes) + " 个实体、" +
      (data.total.edges - data.shown.edges) + " 条关系（完整数据见 graph.json）。";
  }
  var info = document.getElementById("info");
  var status = document.getElementById("status");

  function legend(containerId, items, key, shown, view, swatchClass) {
    var box = document.getElementById(containerId);
    items.forEach(function (it) {
      var row = el("label", "row");
      var cb = el("input");
      cb.type = "checkbox"; cb.checked = true; cb.value = it[key]; cb.setAttribute("data-" + key, it[key]);
      cb.addEventListener("change", function () { shown[it[key]] = cb.checked; view.refresh(); updateStatus(); });
      var sw = el("span", swatchClass); sw.style.background = it.color;
      row.appendChild(cb); row.appendChild(sw);
      row.appendChild(el("span", "", it.name + "（" + it[key] + "）"));
      row.appendChild(el("span", "count", String(it.count)));
      box.appendChild(row);
    });
  }
  legend("types", data.types, "type", shownTypes, nodesView, "swatch");
  legend("relations", data.relations, "relation", shownRelations, edgesView, "line");

  function updateStatus() {
    status.textContent = "显示 " + network.body.nodeIndices.length + " 个实体，" + network.body.edgeIndices.length + " 条关系";
  }
  function show(id) {
    var n = nodes.get(id);
    info.textContent = n ? n.title : "";
  }
  network.on("selectNode", function (p) { show(p.nodes[0]); });
  network.on("selectEdge", function (p) { if (!p.nodes.length) { var e = edges.get(p.edges[0]); info.textContent = e ? e.title : ""; } });

  var names = document.getElementById("names");
  data.nodes.forEach(function (n) { var o = document.createElement("option"); o.value = n.label; names.appendChild(o); });
  function search(query) {
    var q = String(query || "").trim().toLowerCase();
    if (!q) { network.unselectAll(); info.textContent = ""; updateStatus(); return []; }
    var hits = nodesView.get({ filter: function (n) {
      if (n.label.toLowerCase().indexOf(q) >= 0) return true;
      return n.aliases.some(function (a) { return a.toLowerCase().indexOf(q) >= 0; });
    } });
    hits.sort(function (a, b) {
      var ea = a.label.toLowerCase() === q ? 0 : 1, eb = b.label.toLowerCase() === q ? 0 : 1;
      return ea - eb || a.label.length - b.label.length || (a.id < b.id ? -1 : 1);
    });
    var ids = hits.map(function (n) { return n.id; });
    network.selectNodes(ids);
    if (ids.length) {
      network.focus(ids[0], { scale: 1.2, animation: false });
      show(ids[0]);
      status.textContent = "找到 " + ids.length + " 个：" + hits.slice(0, 5).map(function (n) { return n.label; }).join("、");
    } else {
      info.textContent = "";
      status.textContent = "没有找到“" + query + "”";
    }
    return ids;
  }
  var box = document.getElementById("search");
  box.addEventListener("input", function () { search(box.value); });
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") search(box.value); });

  var ready = false;
  function markReady() {
    if (ready) return;
    ready = true;
    updateStatus();
    document.body.setAttribute("data-ready", "1");
  }
  network.once("afterDrawing", function () { if (!data.physics) markReady(); });
  network.once("stabilizationIterationsDone", markReady);
  if (!data.nodes.length) markReady();
  window.kg = { network: network, nodes: nodes, edges: edges, nodesView: nodesView, edgesView: edgesView, search: search,
                visible: function () { return { nodes: network.body.nodeIndices.length, edges: network.body.edgeIndices.length }; } };
})();
"""


def html_text(G: nx.MultiDiGraph, title: str = "知识图谱", max_nodes: int = MAX_NODES) -> str:
    """The whole page as a string (UTF-8, no external resources)."""
    js, css = _vis_assets()
    data = graph_data(G, max_nodes=max_nodes)
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
        f"<h1>{esc_title}</h1>\n"
        '<div id="summary"></div>\n<div id="omitted"></div>\n'
        '<h2>搜索</h2>\n<input id="search" type="search" list="names" placeholder="名称或别名" autocomplete="off">\n'
        '<datalist id="names"></datalist>\n<div id="status"></div>\n'
        '<h2>类型</h2>\n<div id="types"></div>\n'
        '<h2>关系</h2>\n<div id="relations"></div>\n'
        '<h2>详情</h2>\n<div id="info"></div>\n'
        '</div>\n<div id="net"></div>\n</div>\n'
        f'<script type="application/json" id="kg-data">{script_json(data)}</script>\n'
        f"<script>{scripts[0]}</script>\n"
        f"<script>{scripts[1]}</script>\n"
        "</body>\n</html>\n"
    )


def write_html(G: nx.MultiDiGraph, path: str | Path) -> None:
    atomic_write(path, html_text(G))
