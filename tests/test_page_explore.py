"""graph.html as a tool to explore with, in real headless Chromium, offline.

Clicks and double clicks are real mouse events at a node's place on the
canvas; what is checked is what a user sees: which nodes are drawn (the page's
DataViews), their colours, the details panel's text, labels the renderer
would draw, the panel on a narrow screen.
"""

from __future__ import annotations

import random

import pytest

from kg.export.html import SHOWN_NODES, write_html
from tests.test_export_html import assert_clean

AGENCY = "agency-852ee94733dc"  # 河北省科学技术厅
LONG = "person-b38a6bdbd1d7"  # 龙奋杰
MA = "person-0a01d23a8105"  # 马宇骏
TANGSHAN = "place-9d6ae2d40b3c"
AGENCY_COLOUR = "#4e79a7"
DIM = "#e6e6e6"


def node_xy(page, node_id):
    """Where ``node_id`` is on the screen (page coordinates)."""
    page.evaluate(f"kg.network.focus('{node_id}', {{scale: 1.0, animation: false}})")
    page.wait_for_timeout(50)
    xy = page.evaluate(f"kg.network.canvasToDOM(kg.network.getPosition('{node_id}'))")
    box = page.locator("#net").bounding_box()
    return box["x"] + xy["x"], box["y"] + xy["y"]


def shown(page) -> list[str]:
    return sorted(page.evaluate("kg.nodesView.getIds()"))


def on_screen(page) -> list[str]:
    """The drawn nodes whose centre is inside the canvas."""
    return page.evaluate(
        """(function () {
            var box = document.getElementById("net").getBoundingClientRect();
            return kg.nodesView.getIds().filter(function (id) {
                var p = kg.network.canvasToDOM(kg.network.getPosition(id));
                return p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height;
            });
        })()"""
    )


def colour(page, node_id) -> str:
    return page.evaluate(f"kg.nodes.get('{node_id}').color.background")


def test_click_highlights_neighbours_and_fills_the_details_panel(chromium, sample_html, sample_graph):
    from kg.export.screenshot import open_page

    with open_page(chromium, sample_html) as (page, log):
        page.mouse.click(*node_xy(page, AGENCY))
        assert page.evaluate("kg.network.getSelectedNodes()") == [AGENCY]
        neighbours = set(sample_graph.predecessors(AGENCY)) | set(sample_graph.successors(AGENCY))
        for n in sample_graph.nodes:
            expected = sample_graph.nodes[n]["type"] if (n in neighbours or n == AGENCY) else None
            assert (colour(page, n) != DIM) == (expected is not None), n
        # the selected node keeps its type colour (vis-network would paint it light blue)
        assert page.evaluate(f"kg.nodes.get('{AGENCY}').color.highlight.background") == AGENCY_COLOUR
        info = page.text_content("#info")
        assert info.startswith("河北省科学技术厅机关（Agency）")
        assert "别名：河北省科技厅、省科技厅" in info
        assert "职务：马宇骏：厅长；龙奋杰：厅长" in info
        assert "关系（4 条）" in info
        # every relation with its evidence sentence and document
        for sentence in ("厅党组书记、厅长龙奋杰在会上提出。", "省科技厅推行科技特派员制度。"):
            assert sentence in info
        assert "［《打通“最后一公里”》（b.txt）］省科技厅厅长马宇骏在座。" in info
        # a person's post: title and the body it is in
        page.click("#info button.link >> text=龙奋杰")
        assert page.evaluate("kg.network.getSelectedNodes()") == [LONG]
        assert "职务：厅长（河北省科学技术厅）" in page.text_content("#info")
        # clicking the empty canvas clears it all
        box = page.locator("#net").bounding_box()
        page.mouse.click(box["x"] + 5, box["y"] + 5)
        assert page.evaluate("kg.network.getSelectedNodes()") == []
        assert all(colour(page, n) != DIM for n in sample_graph.nodes)
        assert page.text_content("#info") == ""
    assert_clean(log, sample_html)


def test_double_click_shows_a_k_hop_neighbourhood(chromium, sample_html, sample_graph):
    from kg.export.screenshot import open_page

    with open_page(chromium, sample_html) as (page, log):
        page.select_option("#hops", "1")
        page.mouse.dblclick(*node_xy(page, LONG))
        page.wait_for_selector("body[data-layouts='1']", state="attached")
        assert shown(page) == sorted([LONG, AGENCY])
        assert sorted(on_screen(page)) == shown(page)  # laid out afresh and in view
        assert page.evaluate("kg.network.getSelectedNodes()") == [LONG]
        assert "邻域" in page.text_content("#status")
        # two hops: the agency's other neighbours too
        page.select_option("#hops", "2")
        page.click("#focus")
        page.wait_for_selector("body[data-layouts='2']", state="attached")
        two = {LONG, AGENCY} | set(sample_graph.predecessors(AGENCY)) | set(sample_graph.successors(AGENCY))
        assert shown(page) == sorted(two)
        page.click("#showall")
        page.wait_for_selector("body[data-layouts='3']", state="attached")
        assert page.evaluate("kg.visible()") == {"nodes": 8, "edges": 7}
    assert_clean(log, sample_html)


def test_filters_by_document_degree_and_isolation_then_relayout(chromium, tmp_path, sample_graph):
    from kg.export.screenshot import open_page
    from kg.graph import add_entity

    lonely = add_entity(sample_graph, "Person", "张三", documents=["a.txt"])
    path = tmp_path / "graph.html"
    write_html(sample_graph, path)
    with open_page(chromium, path) as (page, log):
        assert page.evaluate("kg.visible()") == {"nodes": 9, "edges": 7}
        options = page.evaluate("Array.from(document.querySelectorAll('#doc option')).map(o => o.textContent)")
        assert options == ["全部文档", "《科技铁军开新局》（a.txt）", "《打通“最后一公里”》（b.txt）"]
        page.select_option("#doc", label="《打通“最后一公里”》（b.txt）")
        in_b = sorted(n for n, d in sample_graph.nodes(data=True) if "b.txt" in d["documents"])
        assert shown(page) == in_b
        # the links stated in b.txt between entities it names (河北省 is named in a.txt only)
        assert page.evaluate("kg.visible().edges") == 4
        page.select_option("#doc", "-1")
        page.fill("#mindeg", "2")
        assert shown(page) == sorted(n for n in sample_graph if sample_graph.degree(n) >= 2)
        page.fill("#mindeg", "0")
        assert lonely in shown(page)
        page.check("#isolated")
        assert lonely not in shown(page) and len(shown(page)) == 8
        # hiding a relation leaves 华北理工大学 with no drawn link: hidden as isolated too
        page.uncheck("#relations input[data-relation='locatedIn']")
        assert all(
            page.evaluate(f"kg.edgesView.get({{filter: e => e.from === '{n}' || e.to === '{n}'}}).length") > 0
            for n in shown(page)
        )
        # 重新布局 lays out what is left and brings all of it into view
        page.evaluate("kg.network.moveTo({position: {x: 5000, y: 5000}, scale: 2, animation: false})")
        assert on_screen(page) == []
        page.click("#relayout")
        page.wait_for_selector("body[data-layouts='1']", state="attached")
        assert sorted(on_screen(page)) == shown(page)
    assert_clean(log, path)


def test_labels_follow_importance_and_zoom(chromium, seed_graph, tmp_path):
    """Zoomed out only the most important labels are drawn; zoomed in, all of them."""
    from kg.export.screenshot import open_page

    path = tmp_path / "graph.html"
    write_html(seed_graph, path)
    drawn = """(function () {
        var out = [];
        kg.nodesView.getIds().forEach(function (id) {
            var n = kg.network.body.nodes[id], l = n.labelModule;
            var threshold = n.options.scaling.label.drawThreshold;
            out.push([id, l.fontOptions.size, l.fontOptions.size * kg.network.getScale() >= threshold - 1]);
        });
        return out;
    })()"""
    with open_page(chromium, path) as (page, log):
        page.evaluate("kg.network.moveTo({scale: 0.5, animation: false})")
        page.wait_for_timeout(100)
        labels = page.evaluate(drawn)
        on = [size for _, size, visible in labels if visible]
        off = [size for _, size, visible in labels if not visible]
        assert 0 < len(on) < len(labels) / 2, (len(on), len(labels))
        assert min(on) > max(off)  # the biggest labels are the important nodes' (size by mentions + degree)
        page.evaluate("kg.network.moveTo({scale: 1.5, animation: false})")
        page.wait_for_timeout(100)
        assert all(visible for _, _, visible in page.evaluate(drawn))
    assert_clean(log, path)


def test_five_thousand_entities_open_with_the_most_connected_and_search_reaches_the_rest(chromium, tmp_path):
    from kg.export.screenshot import open_page
    from kg.graph import add_entity, add_link, new_graph
    from kg.schema import ENTITY_TYPES, RELATIONS

    rnd = random.Random(5)
    G = new_graph([{"id": "d.txt", "path": "d.txt", "sha256": "0" * 64, "title": "合成", "chars": 1}])
    ids = [add_entity(G, ENTITY_TYPES[i % 5], f"实体{i:04d}", documents=["d.txt"]) for i in range(5000)]
    hubs = ids[:300]
    for j in range(6000):  # most links touch a few hundred hubs; many entities have one link or none
        u, v = rnd.choice(hubs), rnd.choice(ids)
        if u != v:
            ev = [{"document": "d.txt", "sentence": f"句子{j}。", "start": j, "end": j + 4}]
            add_link(G, u, v, RELATIONS[j % len(RELATIONS)], ev)
    hidden = max(n for n in ids if G.degree(n) == 1)  # one link: ranked far below the first SHOWN_NODES
    path = tmp_path / "big.html"
    write_html(G, path)
    with open_page(chromium, path, timeout_ms=120000) as (page, log):
        assert page.evaluate("kg.visible().nodes") == SHOWN_NODES
        assert page.evaluate(f"kg.nodesView.get('{hidden}')") is None
        assert page.evaluate("kg.nodes.length") == 5000
        label = G.nodes[hidden]["label"]
        page.fill("#search", label)
        assert page.evaluate("kg.network.getSelectedNodes()") == [hidden]
        assert page.evaluate(f"kg.nodesView.get('{hidden}').label") == label
        neighbours = set(G.predecessors(hidden)) | set(G.successors(hidden))
        assert neighbours <= set(shown(page))  # found with its neighbours
        assert page.text_content("#info").startswith(label)
    assert_clean(log, path)


def test_narrow_screen_collapses_the_panel(chromium, sample_html):
    from kg.export.screenshot import open_page

    with open_page(chromium, sample_html, width=400, height=760) as (page, log):
        net = page.locator("#net").bounding_box()
        assert net["width"] >= 380 and net["height"] >= 400
        assert page.is_visible("#search") and page.is_visible("#toggle")
        assert not page.is_visible("#panel")
        page.click("#toggle")
        assert page.is_visible("#panel") and page.is_visible("#types")
        page.click("#toggle")
        assert not page.is_visible("#panel")
        page.fill("#search", "龙奋杰")  # a selection opens the panel on its details
        assert page.is_visible("#info") and page.text_content("#info").startswith("龙奋杰")
        assert page.evaluate("document.documentElement.scrollWidth") <= 400  # nothing sticks out sideways
    assert_clean(log, sample_html)


def test_screenshot_of_a_selected_node(chromium, sample_html, tmp_path):
    import subprocess
    import sys

    from kg.export.screenshot import click_node, open_page

    with open_page(chromium, sample_html) as (page, log):
        assert click_node(page, "河北省科学技术厅", hops=1) == AGENCY
        assert len(shown(page)) == 5 and page.text_content("#info").startswith("河北省科学技术厅")
        with pytest.raises(ValueError, match="no node called"):
            click_node(page, "不存在")
    assert_clean(log, sample_html)

    # the command (its own browser, so in its own process)
    out = tmp_path / "selected.png"
    command = [sys.executable, "-m", "kg.export.screenshot", str(sample_html), str(out)]
    done = subprocess.run([*command, "--select", "省科技厅", "--hops", "1"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr  # an alias finds it
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    done = subprocess.run([*command, "--select", "不存在"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr == "kg: error: no node called '不存在' in the page\n"
