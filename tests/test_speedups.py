"""kg._speedups (the CRF decoding, jieba's route and POS Viterbi, the layout) gives exactly what the pure-Python route gives.

The pure-Python route (``KG_PURE_PYTHON=1``, or an install where the extension could
not be built) must not be a second product: same graph, same bytes in every export.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from array import array
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.crf import speedups
from kg.export import _style
from tests.test_resources import hmms

ROOT = Path(__file__).resolve().parent.parent
GRAPH_DEV = ROOT.parent / "shared" / "eval" / "graph_dev" / "texts"
needs_extension = pytest.mark.skipif(speedups() is None, reason="kg._speedups is not built")


def _graph(n: int, m: int, seed: int) -> tuple[tuple, tuple]:
    G = nx.gnm_random_graph(n, m, seed=seed)
    G = nx.relabel_nodes(G, {i: f"node-{i:05d}" for i in G})
    nodes = tuple(sorted(G.nodes))
    return nodes, tuple(sorted((u, v) if u <= v else (v, u) for u, v in G.edges()))


@needs_extension
@pytest.mark.parametrize(("n", "m"), [(2, 1), (3, 0), (40, 60), (65, 64), (700, 1400)])
def test_layout_compiled_and_pure_python_give_the_same_positions(n, m, monkeypatch):
    nodes, edges = _graph(n, m, seed=n)
    compiled = _style._layout(nodes, edges, 1000.0)
    monkeypatch.setenv("KG_PURE_PYTHON", "1")
    assert speedups() is None
    pure = _style._layout(nodes, edges, 1000.0)
    assert compiled == pure
    assert set(pure) == set(nodes)
    assert all(-1000.0 <= x <= 1000.0 and -1000.0 <= y <= 1000.0 for x, y in pure.values())
    assert len(set(pure.values())) == n  # no two nodes on one spot


def test_layout_spreads_nodes_and_keeps_neighbours_closer():
    nodes, edges = _graph(120, 200, seed=7)
    pos = _style._layout(nodes, edges, 1000.0)
    assert max(abs(c) for xy in pos.values() for c in xy) == 1000.0

    def dist(a, b):
        return ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5

    linked = sum(dist(u, v) for u, v in edges) / len(edges)
    pairs = [(nodes[i], nodes[j]) for i in range(0, 120, 7) for j in range(3, 120, 11) if i != j]
    assert linked < 0.8 * sum(dist(a, b) for a, b in pairs) / len(pairs)


def _build(src: Path, out: Path, pure: bool) -> dict[str, bytes]:
    env = {k: v for k, v in os.environ.items() if k != "KG_PURE_PYTHON"}
    if pure:
        env["KG_PURE_PYTHON"] = "1"
    cmd = [sys.executable, "-m", "kg", "build", str(src), "--out", str(out), "--no-cache", "--no-progress"]
    subprocess.run(cmd, check=True, cwd=ROOT, env=env, capture_output=True, timeout=900)
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    files.pop("report.json", None)  # timings
    return files


@needs_extension
@pytest.mark.parametrize("corpus", ["seeds", "graph_dev"])
def test_exports_are_byte_identical_with_and_without_the_extension(corpus, tmp_path):
    src = ROOT / "seeds" if corpus == "seeds" else GRAPH_DEV
    if not src.is_dir():
        pytest.skip(f"{src} is not here")
    compiled = _build(src, tmp_path / "compiled", pure=False)
    pure = _build(src, tmp_path / "pure", pure=True)
    assert {"graph.json", "graph.ttl", "graph.html", "graph.gexf", "graph.graphml"} <= set(compiled)
    assert compiled.keys() == pure.keys()
    for name in compiled:
        assert compiled[name] == pure[name], f"{name} differs"


# --- jieba's routes and POS Viterbi, compiled ------------------------------------------------


def _eval_lines(limit: int) -> list[str]:
    lines: list[str] = []
    for path in sorted((ROOT.parent / "shared" / "eval").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            lines += [json.loads(line)["text"] for _, line in zip(range(limit), fh)]
    return lines


def _pure_pos_tokenizer():
    from kg.posseg import POSTokenizer
    from kg.segment import _hmm, _tables, tokenizer

    pos = POSTokenizer(tokenizer(), _tables()[2], _hmm())
    pos._hmm_c = pos._routes = None
    return pos


@needs_extension
def test_compiled_pos_cut_is_jiebas_on_eval_text():
    import jieba
    import jieba.posseg

    from kg.segment import pos_tokenizer, tokenizer

    lines = _eval_lines(150) + [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    if len(lines) < 10:
        pytest.skip("the eval sets are not here")
    reference = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    compiled, pure = pos_tokenizer(), _pure_pos_tokenizer()
    assert compiled._hmm_c is not None and compiled._routes is not None
    for line in lines:
        expected = [(w.word, w.flag) for w in reference.cut(line)]
        assert compiled.lcut(line) == expected
        assert pure.lcut(line) == expected
        assert list(tokenizer().cut(line, HMM=False)) == list(reference.tokenizer.cut(line, HMM=False))
        assert list(tokenizer().cut(line)) == list(reference.tokenizer.cut(line))


@needs_extension
@settings(max_examples=300, derandomize=True, deadline=None)
@given(hmms(), st.text(alphabet="abcd\U0001f600", min_size=1, max_size=8))
def test_compiled_pos_viterbi_is_jiebas_on_any_hmm(hmm, text):
    from jieba.posseg.viterbi import viterbi as jieba_viterbi

    from kg.posseg import compiled_hmm

    hmm_c, states = compiled_hmm(hmm)
    route = hmm_c.viterbi(text)
    try:
        expected = jieba_viterbi(text, *hmm)[1]
    except ValueError:  # jieba finds no path: the compiled route must hand back to Python, not invent one
        assert route is None
        return
    if route is not None:  # None: text beyond the BMP, left to the Python route
        assert [states[i] for i in array("H", route)] == expected


@needs_extension
def test_the_compiled_objects_refuse_misuse_with_an_error_not_a_crash():
    fast = speedups()
    for cls, method, arg in ((fast.CrfDecoder, "decode", ["北京"]), (fast.PosHmm, "viterbi", "北京")):
        with pytest.raises(RuntimeError, match="not initialised"):
            getattr(cls.__new__(cls), method)(arg)
    with pytest.raises(ValueError):
        fast.CrfDecoder(13, b"", b"", b"", b"", 0, b"", 0, 0, print)
    with pytest.raises(ValueError):
        fast.PosHmm(2, b"", b"", b"", b"", b"", b"", b"", b"")
    with pytest.raises(ValueError, match="not a node index"):
        fast.spring_layout(2, array("q", [0, 5]), 10, 64, 42)
