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


# --- jieba's dictionary as one mapped table ----------------------------------------------------


@needs_extension
def test_the_word_table_answers_every_word_as_jiebas_dicts():
    from kg.segment import _tables, _word_table

    freq, total, tags = _tables()
    table = _word_table()
    assert len(table) == len(freq) and table.total == total
    for word, f in freq.items():
        assert word in table and table.get(word) == f and table[word] == f and table.tag(word) == tags.get(word)
    for absent in ("", "不在词典里的一串字", "天津\U0001f600", "a" * 70_000):
        assert absent not in table and table.get(absent) is None and table.get(absent, 7) == 7
        assert table.tag(absent, "x") == "x"
        with pytest.raises(KeyError):
            table[absent]
    assert 5 not in table and table.get(5) is None


def _small_table():
    fast = speedups()
    freq = {"天": 3, "天津": 9, "天津市": 0, "天津市区": 4, "\U0001f600a": 1, "\U0001f600": 0, "a": 2, "b": 0}
    tags = {"天": "n", "天津": "ns", "天津市区": "ns", "\U0001f600a": "x"}
    return fast, freq, tags, fast.build_word_table(freq, tags, 19)


@needs_extension
def test_a_small_word_table_is_its_dicts_and_the_routes_over_it_are_the_routes_over_them():
    fast, freq, tags, raw = _small_table()
    table = fast.WordTable(raw)
    assert {w: (table.get(w), table.tag(w)) for w in freq} == {w: (f, tags.get(w)) for w, f in freq.items()}
    for text in ("天津市区天", "\U0001f600ab天津市", "ba天津市天津"):
        assert fast.get_dag(table, text) == fast.get_dag(freq, text)
        assert fast.dag_word_ends(table, 3.0, text) == fast.dag_word_ends(freq, 3.0, text)
        routes = [{}, {}]
        for t, route in zip((table, freq), routes):
            fast.calc(t, 3.0, text, fast.get_dag(freq, text), route)
        assert routes[0] == routes[1]


@needs_extension
@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.text(alphabet="天津市区北京大学科技厅长在调研a1\U0001f600。", min_size=1, max_size=40))
def test_jiebas_route_over_the_word_table_is_the_route_over_the_dict(text):
    from kg.segment import _tables, _word_table

    fast, freq, table = speedups(), _tables()[0], _word_table()
    assert fast.get_dag(table, text) == fast.get_dag(freq, text)
    assert fast.dag_word_ends(table, 17.9, text) == fast.dag_word_ends(freq, 17.9, text)


@needs_extension
@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-1],  # cut short
        lambda b: b"XX" + b[2:],  # not the magic
        lambda b: b[:16] + (24).to_bytes(4, sys.byteorder) + b[20:],  # slots: not a power of two
        lambda b: b[:16] + (8).to_bytes(4, sys.byteorder) + b[20:],  # fewer slots than the size says
        lambda b: b[:40] + (99).to_bytes(4, sys.byteorder) + b[44:],  # a slot past the entries
        lambda b: b[:-30] + b"\xff" * 30,  # tags without their NULs
        lambda b: b[:40] + (1).to_bytes(4, sys.byteorder) * 16 + b[40 + 64 :],  # no empty slot: a probe never ends
    ],
)
def test_a_damaged_word_table_is_refused_not_read(damage):
    fast, *_, raw = _small_table()
    fast.WordTable(raw)
    with pytest.raises(ValueError, match="word table"):
        fast.WordTable(damage(raw))


@needs_extension
def test_an_entry_pointing_outside_the_characters_is_refused():
    fast, freq, _, raw = _small_table()
    # the header: magic, total (8 bytes each), then slots, entries, chars, tags, tag bytes (4 each)
    slots = int.from_bytes(raw[16:20], sys.byteorder)
    entry = 40 + 4 * slots  # the first entry: hash, key, freq (4 bytes each), len, tag (2 each)
    bad = raw[: entry + 4] + (10**6).to_bytes(4, sys.byteorder) + raw[entry + 8 :]
    with pytest.raises(ValueError, match="word table"):
        fast.WordTable(bad)
