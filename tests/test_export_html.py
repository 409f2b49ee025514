"""graph.html in real headless Chromium (Debian's ``chromium``), offline, every request recorded.

One browser for the module; each test opens the page from file:// in a fresh
offline context (``kg.export.screenshot.open_page``), which blocks and records
any request other than the page file itself.
"""

from __future__ import annotations

import json
import os
import random
import re
import struct
import zlib
from pathlib import Path

import pytest

from kg.export.html import PHYSICS_MAX_NODES, SHOWN_NODES, graph_data, html_text, script_json, write_html
from tests.conftest import reversed_copy

HOSTILE_ID = "organization-3df2bcc6b8ac"


def assert_clean(log, path):
    assert log.console_errors == [] and log.page_errors == []
    assert log.requests == [path.resolve().as_uri()], log.requests
    assert log.blocked == []


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into rows of raw pixels."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, bpp, rows


def colour_stats(png: bytes) -> tuple[int, float]:
    """(number of distinct colours, variance of grey levels) of a screenshot."""
    width, bpp, rows = png_pixels(png)
    greys, colours = [], set()
    for row in rows[::4]:
        for x in range(0, width * bpp, 4 * bpp):
            r, g, b = row[x], row[x + 1], row[x + 2]
            colours.add((r, g, b))
            greys.append((r + g + b) / 3)
    mean = sum(greys) / len(greys)
    return len(colours), sum((v - mean) ** 2 for v in greys) / len(greys)


# --- the page as text -----------------------------------------------------------------------


def test_script_json_cannot_break_out():
    text = script_json({"x": "</script><!--<script>&\u2028\u2029"})
    assert not re.search(r"[<>&\u2028\u2029]", text)
    assert json.loads(text) == {"x": "</script><!--<script>&\u2028\u2029"}


@pytest.mark.parametrize("value", ["\ud800 lone surrogate", 2**70, [1.5, -0.0, "\x00\x1f"], {"b": 1, "a": {"中": 2}}])
def test_script_json_writes_what_json_writes(value):
    """Fast path or not (orjson refuses a lone surrogate and a very big int), the text is json's."""
    assert script_json(value) == json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_page_is_self_contained_and_deterministic(sample_graph):
    page = html_text(sample_graph)
    assert page == html_text(reversed_copy(sample_graph))
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page, re.IGNORECASE)
    assert "sourceMappingURL" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "default-src 'none'" in csp
    script_src = re.search(r"script-src ([^;]*);", csp).group(1).split()
    assert len(script_src) == 2 and all(h.startswith("'sha256-") for h in script_src)  # no 'unsafe-inline'
    # three script elements (data, vis-network, the page; vis-network's code holds one "<script>"
    # string), and the hostile markup exists only escaped inside the JSON block
    assert page.count("<script") == 3 + page.count('"<script>"')
    assert "<img" not in page and "\\u003cimg src=x onerror=" in page


def test_large_graph_is_capped_with_layout_and_no_physics():
    from kg.graph import add_entity, add_link, new_graph
    from kg.schema import ENTITY_TYPES, RELATIONS

    rnd = random.Random(7)
    G = new_graph()
    ids = [add_entity(G, ENTITY_TYPES[i % 5], f"实体{i}", mentions=1 + i % 3) for i in range(700)]
    for j in range(900):
        u, v = rnd.sample(ids, 2)
        add_link(G, u, v, RELATIONS[j % 7], [{"document": "d", "sentence": f"句{j}", "start": j, "end": j + 2}])
    data = graph_data(G, max_nodes=650, shown_nodes=600)
    assert data["physics"] is False and PHYSICS_MAX_NODES < 600 <= SHOWN_NODES
    assert data["first"] == 600 and data["kept"]["nodes"] == 650 and data["total"]["nodes"] == 700
    kept = {n["id"] for n in data["nodes"]}
    dropped_max = max(G.degree(n) for n in G if n not in kept)
    assert min(G.degree(n) for n in kept) >= dropped_max  # the most connected are kept
    first = {n["id"] for n in data["nodes"] if n["rank"] < data["first"]}  # and drawn first
    assert len(first) == 600 and min(G.degree(n) for n in first) >= max(G.degree(n) for n in kept - first)
    # the nodes drawn first span the canvas: some reach ±1000, none beyond
    coords = [abs(c) for n in data["nodes"] if n["rank"] < 600 for c in (n["x"], n["y"])]
    assert max(coords) == 1000
    assert data == graph_data(G, max_nodes=650, shown_nodes=600)


# --- the page in Chromium -------------------------------------------------------------------


def test_sample_page_loads_offline_and_draws_everything(chromium, sample_html, sample_graph):
    from kg.export.screenshot import open_page

    with open_page(chromium, sample_html) as (page, log):
        assert page.evaluate("window.kg.visible()") == {
            "nodes": sample_graph.number_of_nodes(),
            "edges": sample_graph.number_of_edges(),
        }
        assert page.evaluate("typeof vis.Network") == "function"
        assert page.evaluate("document.querySelectorAll('#types input').length") == 5
        assert page.evaluate("document.querySelectorAll('#relations input').length") == 5
        png = page.screenshot()
    assert_clean(log, sample_html)
    colours, variance = colour_stats(png)
    assert colours > 20 and variance > 100, (colours, variance)


def test_hostile_name_is_text_not_markup(chromium, sample_html):
    from kg.export.screenshot import open_page

    with open_page(chromium, sample_html) as (page, log):
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        label = page.evaluate(f"kg.nodes.get('{HOSTILE_ID}').label")
        assert label.startswith('坏<img src=x onerror="window.__pwned=1">') and "</script>" in label
        # shown in the details panel as text
        assert page.evaluate("kg.search('坏')") == [HOSTILE_ID]
        info = page.text_content("#info")
        assert info.startswith("坏<img src=x onerror=")
        assert page.text_content("#info .name") == label  # the name, whole, as the text of one element
        tags = page.evaluate("Array.from(document.querySelectorAll('#info *')).map(e => e.tagName)")
        assert set(tags) <= {"DIV", "SPAN", "UL", "LI", "BUTTON"}
        # and in vis-network's hover tooltip, also as text
        xy = page.evaluate(
            f"(function(){{var p = kg.network.getPosition('{HOSTILE_ID}'); return kg.network.canvasToDOM(p);}})()"
        )
        box = page.locator("#net").bounding_box()
        page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
        tooltip = page.locator("div.vis-tooltip")
        tooltip.wait_for(state="visible", timeout=5000)
        assert "onerror=" in tooltip.text_content()
        # vis-network sets string tooltips with innerText: line breaks become <br>, nothing else
        tags = page.evaluate("Array.from(document.querySelectorAll('div.vis-tooltip *')).map(e => e.tagName)")
        assert set(tags) <= {"BR"}
        page.wait_for_timeout(200)
        assert page.evaluate("typeof window.__pwned") == "undefined"
    assert_clean(log, sample_html)


def test_search_and_filters(chromium, sample_html):
    from kg.export.screenshot import open_page

    with open_page(chromium, sample_html) as (page, log):
        page.fill("#search", "龙奋杰")
        assert page.evaluate("kg.network.getSelectedNodes()") == ["person-b38a6bdbd1d7"]
        assert "龙奋杰" in page.text_content("#info")
        page.fill("#search", "省科技厅")  # an alias finds the canonical node
        assert page.evaluate("kg.network.getSelectedNodes()") == ["agency-852ee94733dc"]
        page.fill("#search", "不存在的名字")
        assert page.evaluate("kg.network.getSelectedNodes()") == []
        assert "没有找到" in page.text_content("#status")

        page.uncheck("#types input[data-type='Person']")
        assert page.evaluate("kg.visible()") == {"nodes": 6, "edges": 5}
        page.uncheck("#relations input[data-relation='locatedIn']")
        assert page.evaluate("kg.visible()") == {"nodes": 6, "edges": 3}
        assert "6 个实体，3 条关系" in page.text_content("#status")
        page.check("#types input[data-type='Person']")
        page.check("#relations input[data-relation='locatedIn']")
        assert page.evaluate("kg.visible()") == {"nodes": 8, "edges": 7}
    assert_clean(log, sample_html)


def test_large_page_opens_without_physics(chromium, tmp_path):
    from kg.export.screenshot import open_page
    from kg.graph import add_entity, add_link, new_graph
    from kg.schema import ENTITY_TYPES, RELATIONS

    rnd = random.Random(3)
    G = new_graph()
    ids = [add_entity(G, ENTITY_TYPES[i % 5], f"实体{i}") for i in range(1200)]
    for j in range(1500):
        u, v = rnd.sample(ids, 2)
        add_link(G, u, v, RELATIONS[j % 7], [{"document": "d", "sentence": f"句{j}", "start": j, "end": j + 2}])
    path = tmp_path / "big.html"
    path.write_text(html_text(G, max_nodes=1000), encoding="utf-8")
    with open_page(chromium, path) as (page, log):
        assert page.evaluate("kg.network.physics.physicsEnabled") is False
        assert page.evaluate("kg.visible().nodes") == 1000
        assert "另有 200 个实体" in page.text_content("#omitted")
    assert_clean(log, path)


def test_seed_graph_page(chromium, seed_graph, tmp_path):
    from kg.export.screenshot import open_page

    path = tmp_path / "graph.html"
    write_html(seed_graph, path)
    with open_page(chromium, path) as (page, log):
        shown = page.evaluate("kg.visible()")
        assert shown["nodes"] == min(seed_graph.number_of_nodes(), SHOWN_NODES)
        if seed_graph.number_of_nodes() <= SHOWN_NODES:
            assert shown["edges"] == seed_graph.number_of_edges()
        assert page.evaluate("kg.search('河北省科学技术厅')")
        colours, variance = colour_stats(page.screenshot())
    assert_clean(log, path)
    assert colours > 20 and variance > 100


@pytest.mark.parametrize("labels", [[], ["张三"]])
def test_empty_and_single_node_pages_load(chromium, tmp_path, labels):
    from kg.export.screenshot import open_page
    from kg.graph import add_entity, new_graph

    G = new_graph()
    for label in labels:
        add_entity(G, "Person", label)
    path = tmp_path / "graph.html"
    write_html(G, path)
    with open_page(chromium, path) as (page, log):
        assert page.evaluate("kg.visible()") == {"nodes": len(labels), "edges": 0}
    assert_clean(log, path)


def test_a_page_that_leaves_entities_out_is_the_same_whatever_the_hash_seed(tmp_path):
    """Big graphs keep the most connected entities; their edges must come in a fixed order, not a set's."""
    import subprocess
    import sys

    script = (
        "import hashlib, kg\n"
        "from kg.export.html import html_text\n"
        "G = kg.build(['seeds'])\n"
        "print(hashlib.sha256(html_text(G, max_nodes=40, shown_nodes=20).encode()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[1]
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "2")
    }
    assert len(digests) == 1
