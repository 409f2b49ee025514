"""Shared fixtures: a small hand-made graph (with hostile text) and the seeds' graph."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from kg.graph import add_entity, add_link, new_graph

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

HOSTILE = '<img src=x onerror="window.__pwned=1">"\'\\</script>]]>&amp;\n\x0b'


def reversed_copy(G):
    """The same graph built in the opposite order: writers must sort, not trust insertion order."""
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for n in reversed(list(G.nodes)):
        H.add_node(n, **G.nodes[n])
    for u, v, k in reversed(list(G.edges(keys=True))):
        H.add_edge(u, v, key=k, **G.edges[u, v, k])
    return H


def make_sample_graph():
    """A graph of the documented shape, small enough to check by eye.

    It holds the DESIGN.md examples plus one entity whose name and evidence
    are hostile (markup, quotes, backslash, newline, a control character).
    """
    docs = [
        {"id": "a.txt", "path": "a.txt", "sha256": "0" * 64, "title": "科技铁军开新局", "chars": 100},
        {"id": "b.txt", "path": "b.txt", "sha256": "1" * 64, "title": "打通“最后一公里”", "chars": 80},
    ]
    G = new_graph(docs)
    agency = add_entity(
        G, "Agency", "河北省科学技术厅", aliases=["省科技厅", "河北省科技厅"], mentions=5, documents=["a.txt", "b.txt"]
    )
    long_ = add_entity(G, "Person", "龙奋杰", mentions=1, documents=["a.txt"])
    ma = add_entity(G, "Person", "马宇骏", mentions=2, documents=["b.txt"])
    system = add_entity(G, "Initiative", "科技特派员制度", mentions=3, documents=["b.txt"])
    tangshan = add_entity(G, "Place", "唐山市", aliases=["唐山"], mentions=4, documents=["b.txt"])
    hebei = add_entity(G, "Place", "河北省", aliases=["河北"], mentions=2, documents=["a.txt"])
    org = add_entity(G, "Organization", "华北理工大学", mentions=1, documents=["b.txt"])
    bad = add_entity(G, "Organization", "坏" + HOSTILE + "公司", aliases=[HOSTILE], mentions=1, documents=["a.txt"])

    def ev(doc, sent, start=0):
        return [{"document": doc, "sentence": sent, "start": start, "end": start + len(sent)}]

    add_link(G, long_, agency, "holdsPosition", ev("a.txt", "厅党组书记、厅长龙奋杰在会上提出。", 10), title="厅长")
    add_link(G, ma, agency, "holdsPosition", ev("b.txt", "省科技厅厅长马宇骏在座。", 5), title="厅长")
    add_link(G, agency, system, "organizes", ev("b.txt", "省科技厅推行科技特派员制度。", 20))
    add_link(G, system, tangshan, "locatedIn", ev("b.txt", "唐山推行基层科技特派员制度。", 30))
    add_link(G, tangshan, hebei, "partOf", ev("b.txt", "河北省唐山市。", 40))
    add_link(G, org, tangshan, "locatedIn", ev("b.txt", "唐山的华北理工大学。", 50))
    add_link(G, bad, agency, "cooperatesWith", ev("a.txt", HOSTILE + "与省科技厅合作。", 60))
    return G


@pytest.fixture
def sample_graph():
    return make_sample_graph()


@pytest.fixture
def sample_html(sample_graph, tmp_path):
    """The sample graph's page, written to a file (the page tests open it in Chromium)."""
    from kg.export.html import write_html

    path = tmp_path / "graph.html"
    write_html(sample_graph, path)
    return path


@pytest.fixture(scope="session")
def seed_graph():
    """The canonical graph of the three bundled seed articles (built once per test run)."""
    from kg.pipeline import build_graph

    return build_graph([SEEDS])


@pytest.fixture(scope="module")
def chromium():
    """A headless Debian chromium driven by Playwright, network off.

    Outside CI a machine without chromium skips the browser tests; in CI
    (``CI`` set) a missing browser is a failure, so a broken install step
    cannot pass unseen.
    """
    import os

    try:
        import playwright  # noqa: F401

        from kg.export.screenshot import browser, chromium_path

        chromium_path()
    except (ImportError, RuntimeError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need playwright and chromium (make test installs them): {exc}")
        pytest.skip(str(exc))
    with browser() as b:
        yield b
