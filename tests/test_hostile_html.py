"""graph.html in headless Chromium with script payloads in every place article text reaches the page (issue 6).

Entity names, aliases, titles (职务), evidence sentences, document ids and document
titles all carry payloads; the page is loaded offline, every node and edge is
selected and hovered (details panel and vis-network tooltip), the search box is
fed the payloads, and nothing may run: no ``window.__pwned``, no dialog, no
element created from the text, no console error (a CSP refusal would be one).
"""

from __future__ import annotations

from kg.export.html import write_html
from kg.graph import add_entity, add_link, new_graph

PAYLOADS = [
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "<svg onload=window.__pwned=2>",
    "</script><script>window.__pwned=3</script>",
    '" onmouseover="window.__pwned=4" x="',
    "javascript:window.__pwned=5",
    '<iframe srcdoc="<script>parent.__pwned=6</script>"></iframe>',
    "]]><script>window.__pwned=7</script><!--",
    "\u2028</script>\u2029<script>window.__pwned=8</script>",
    "{{constructor.constructor('window.__pwned=9')()}}",
    '<a href="javascript:window.__pwned=10">点我</a>',
]


def payload_graph():
    docs = [
        {"id": f"{p}.txt", "path": f"{p}.txt", "sha256": "0" * 64, "title": "标题" + p, "chars": 10}
        for p in PAYLOADS[:4]
    ]
    G = new_graph(docs)
    doc_ids = [d["id"] for d in docs]
    agency = add_entity(G, "Agency", "河北省科学技术厅", aliases=PAYLOADS, mentions=3, documents=doc_ids)
    people = []
    for i, p in enumerate(PAYLOADS):
        people.append(add_entity(G, "Person", f"人{i}" + p, aliases=[p + "别名"], documents=[doc_ids[i % 4]]))
    for i, (person, p) in enumerate(zip(people, PAYLOADS, strict=True)):
        ev = [{"document": doc_ids[i % 4], "sentence": "证据" + p + "。", "start": i, "end": i + 10}]
        add_link(G, person, agency, "holdsPosition", ev, title="职务" + p)
    return G


PWNED = "typeof window.__pwned === 'undefined' && typeof parent.__pwned === 'undefined'"
ELEMENTS = "document.querySelectorAll('img, svg, iframe, a, object, embed, #status *').length"
# the details panel is built of these elements, and text only
PANEL_TAGS = "Array.from(new Set(Array.from(document.querySelectorAll('#info *')).map(e => e.tagName)))"


def test_payloads_in_names_aliases_titles_evidence_and_documents_never_run(chromium, tmp_path):
    from kg.export.screenshot import open_page

    G = payload_graph()
    path = tmp_path / "graph.html"
    write_html(G, path)
    dialogs: list[str] = []
    with open_page(chromium, path) as (page, log):
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        assert page.evaluate(PWNED)
        assert page.evaluate(ELEMENTS) == 0
        box = page.locator("#net").bounding_box()
        # every node: details panel (selectNode) and hover tooltip hold the text, as text
        for nid in sorted(G.nodes):
            page.evaluate(
                f"kg.network.selectNodes(['{nid}']); kg.network.body.emitter.emit('selectNode', {{nodes: ['{nid}']}})"
            )
            info = page.text_content("#info")
            assert info.startswith(G.nodes[nid]["label"])
            assert all(alias in info for alias in G.nodes[nid]["aliases"])
            assert set(page.evaluate(PANEL_TAGS)) <= {"DIV", "SPAN", "UL", "LI", "BUTTON"}
            xy = page.evaluate(f"kg.network.canvasToDOM(kg.network.getPosition('{nid}'))")
            page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
            page.wait_for_timeout(10)
        # the agency's tooltip lists every payload alias and document name verbatim
        agency = next(n for n, d in G.nodes(data=True) if d["type"] == "Agency")
        title = page.evaluate(f"kg.nodes.get('{agency}').title")
        assert all(p in title for p in PAYLOADS) and all(d["id"] in title for d in G.graph["documents"])
        # every edge: its details hold the evidence sentence, title and document name verbatim
        for eid in page.evaluate("kg.edges.getIds()"):
            page.evaluate(f"kg.network.body.emitter.emit('selectEdge', {{nodes: [], edges: ['{eid}']}})")
            info = page.text_content("#info")
            assert "证据" in info and "职务" in info and ".txt）］" in info
            assert set(page.evaluate(PANEL_TAGS)) <= {"DIV"}
        # the search box takes the payloads as plain text (alias match and the "not found" message)
        for p in PAYLOADS:
            page.fill("#search", p)
            page.fill("#search", p + "不存在")
            assert p in page.text_content("#status")
        page.wait_for_timeout(200)
        assert page.evaluate(PWNED)
        assert page.evaluate(ELEMENTS) == 0
        assert page.evaluate("document.querySelectorAll('script').length") == 3
    assert dialogs == []
    assert log.console_errors == [] and log.page_errors == []
    assert log.requests == [path.resolve().as_uri()] and log.blocked == []
