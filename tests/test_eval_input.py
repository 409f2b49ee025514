"""``kg eval`` and ``kg extract`` on bad input: one ``kg: error:`` line, exit 2, never a traceback (issue 13.6)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kg.cli import main

GOOD_GOLD = {"text": "李明在北京", "entities": [{"start": 0, "end": 2, "type": "PER"}]}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def line(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode() + b"\n"


# name: (file bytes or "folder", the words the error must say); every case is bad for both commands
BAD_FOR_BOTH = {
    "empty file": (b"", "is empty"),
    "blank lines only": (b"\n  \n\n", "is empty"),
    "binary file": (PNG, "binary file (PNG"),
    "NUL bytes": (b"\x00" * 64, "binary file"),
    "not UTF-8": (b'{"text": "\xff\xfe"}\n', ":1: not UTF-8"),
    "broken JSON": (b'{"text": "a",\n', ":1: not JSON"),
    "a JSON list": (b"[1, 2]\n", ":1: a JSON list, not an object"),
    "a JSON string": (b'"text"\n', ":1: a JSON string, not an object"),
    "no text": (line({"id": 1}), ":1: no 'text' field"),
    "text a number": (line({"text": 5, "entities": []}), ":1: 'text' is a number"),
    "text null": (line({"text": None, "entities": []}), ":1: 'text' is a null"),
    "bad second line": (line(GOOD_GOLD) + b"{oops\n", ":2: not JSON"),
    "JSON nested too deeply": (b"[" * 100_000 + b"\n", ":1: not JSON kg can read (nested too deeply)"),
    "a folder": ("folder", "is a folder"),
}

BAD_GOLD_ONLY = {
    "no entities": (line({"text": "李明"}), "no 'entities' list"),
    "entities a number": (line({"text": "李明", "entities": 5}), "'entities' is a number"),
    "entity a string": (line({"text": "李明", "entities": ["PER"]}), "entity 0 is a string"),
    "start a string": (line({"text": "李明", "entities": [{"start": "0", "end": 2, "type": "PER"}]}), "integer"),
    "start a boolean": (line({"text": "李明", "entities": [{"start": False, "end": 2, "type": "PER"}]}), "integer"),
    "end past the text": (line({"text": "李明", "entities": [{"start": 0, "end": 9, "type": "PER"}]}), "outside"),
    "empty span": (line({"text": "李明", "entities": [{"start": 1, "end": 1, "type": "PER"}]}), "outside"),
    "no type": (line({"text": "李明", "entities": [{"start": 0, "end": 2}]}), "needs a 'type'"),
    "type a list": (line({"text": "李明", "entities": [{"start": 0, "end": 2, "type": ["PER"]}]}), "'type'"),
}


def write(tmp_path, content):
    path = tmp_path / "input.jsonl"
    if content == "folder":
        path.mkdir()
    else:
        path.write_bytes(content)
    return path


def one_error_line(err: str, words: str) -> None:
    assert err.startswith("kg: error: ") and err.count("\n") == 1, err
    assert words in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["eval", "extract"])
@pytest.mark.parametrize("case", sorted(BAD_FOR_BOTH))
def test_bad_input_is_one_error_line(command, case, tmp_path, capsys):
    content, words = BAD_FOR_BOTH[case]
    assert main([command, str(write(tmp_path, content))]) == 2
    one_error_line(capsys.readouterr().err, words)


@pytest.mark.parametrize("case", sorted(BAD_GOLD_ONLY))
def test_bad_gold_is_one_error_line(case, tmp_path, capsys):
    content, words = BAD_GOLD_ONLY[case]
    assert main(["eval", str(write(tmp_path, content))]) == 2
    one_error_line(capsys.readouterr().err, words)


def test_extract_keeps_going_past_a_bad_line(tmp_path, capsys):
    path = write(tmp_path, line({"id": "a", "text": "李明在北京"}) + b"[1]\n" + line({"id": "b", "text": "王强在天津"}))
    assert main(["extract", str(path)]) == 2
    out, err = capsys.readouterr()
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["a", "b"]
    one_error_line(err, ":2: a JSON list")


def test_a_gold_file_with_a_bom_and_a_missing_file(tmp_path, capsys):
    path = write(tmp_path, b"\xef\xbb\xbf" + line(GOOD_GOLD))
    assert main(["eval", str(path)]) == 0
    assert main(["extract", str(path)]) == 0
    capsys.readouterr()
    assert main(["eval", str(tmp_path / "nope.jsonl")]) == 2
    one_error_line(capsys.readouterr().err, "cannot read")
    assert main(["eval", str(path), "--limit", "-1"]) == 2
    one_error_line(capsys.readouterr().err, "--limit")


def test_a_device_is_refused_not_read_forever(capsys):
    for command in ("eval", "extract"):
        assert main([command, "/dev/zero"]) == 2
        one_error_line(capsys.readouterr().err, "binary file (NUL bytes)")


def test_extract_from_a_pipe_as_a_user_runs_it():
    proc = subprocess.run([sys.executable, "-m", "kg", "extract", "-"], input=PNG, capture_output=True, timeout=120)
    assert proc.returncode == 2
    one_error_line(proc.stderr.decode(), "binary file (PNG")


# ---------------------------------------------------------------- kg eval --graph


GRAPH_GOLD = {
    "entities": [
        {"name": "唐山市", "type": "PLACE", "core": True, "docs": ["01"], "aliases": ["唐山"]},
        {"name": "河北省", "type": "PLACE", "core": True, "docs": ["01"]},
    ],
    "relations": [{"head": "唐山市", "rel": "part_of", "tail": "河北省", "doc": "01", "core": True}],
}
GRAPH_JSON = {
    "graph": {"documents": [{"id": "01.txt"}]},
    "nodes": [{"id": "a", "label": "唐山市", "type": "Place", "aliases": ["唐山"]}, {"id": "b", "label": "河北省"}],
    "edges": [{"source": "a", "target": "b", "relation": "partOf"}],
}


def changed(data: dict, key: str, value) -> dict:
    """``data`` with ``key`` (``entities.0.aliases``) set to ``value``."""
    data = json.loads(json.dumps(data))
    *path, last = key.split(".")
    target = data
    for k in path:
        target = target[int(k)] if k.isdigit() else target[k]
    target[int(last) if last.isdigit() else last] = value
    return data


BAD_GRAPH_GOLD = {
    "aliases a number": (changed(GRAPH_GOLD, "entities.0.aliases", 5), "'aliases' is a number"),
    "an alias a number": (changed(GRAPH_GOLD, "entities.0.aliases", [5]), "'aliases' holds a number"),
    "docs a string": (changed(GRAPH_GOLD, "entities.0.docs", "01"), "'docs' is a string"),
    "relations a number": (changed(GRAPH_GOLD, "relations", 5), "'relations' is a number"),
    "a list": ([1, 2], "an object with 'entities'"),
}
BAD_GRAPH_JSON = {
    "node a number": (changed(GRAPH_JSON, "nodes.0", 5), "node 0 is a number"),
    "node without id": (changed(GRAPH_JSON, "nodes.0", {"label": "x"}), "node 0 has no 'id'"),
    "aliases a number": (changed(GRAPH_JSON, "nodes.0.aliases", 5), "'aliases' is a number"),
    "label a number": (changed(GRAPH_JSON, "nodes.0.label", 5), "'label' is a number"),
    "type a list": (changed(GRAPH_JSON, "nodes.0.type", ["Place"]), "'type' is a list"),
    "edges a number": (changed(GRAPH_JSON, "edges", 5), "'edges' is a number"),
    "edge a number": (changed(GRAPH_JSON, "edges.0", 5), "edge 0 is a number"),
    "documents wrong": (changed(GRAPH_JSON, "graph.documents", [5]), "'graph.documents'"),
    "graph a list": (changed(GRAPH_JSON, "graph", [1]), "'graph' is a list"),
}


@pytest.mark.parametrize("case", sorted(BAD_GRAPH_GOLD))
def test_bad_graph_gold_is_one_error_line(case, tmp_path, capsys):
    data, words = BAD_GRAPH_GOLD[case]
    (tmp_path / "gold.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "graph.json").write_text(json.dumps(GRAPH_JSON, ensure_ascii=False), encoding="utf-8")
    assert main(["eval", str(tmp_path / "gold.json"), "--graph", str(tmp_path / "graph.json")]) == 2
    one_error_line(capsys.readouterr().err, words)


@pytest.mark.parametrize("case", sorted(BAD_GRAPH_JSON))
def test_bad_graph_json_is_one_error_line(case, tmp_path, capsys):
    data, words = BAD_GRAPH_JSON[case]
    (tmp_path / "gold.json").write_text(json.dumps(GRAPH_GOLD, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "graph.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["eval", str(tmp_path / "gold.json"), "--graph", str(tmp_path / "graph.json")]) == 2
    one_error_line(capsys.readouterr().err, words)


@pytest.mark.parametrize("content", [b"", PNG, b"\xff\xfe{}", b"{oops"])
def test_graph_gold_and_graph_json_that_are_not_json(content, tmp_path, capsys):
    good_gold, good_graph, bad = tmp_path / "gold.json", tmp_path / "graph.json", tmp_path / "bad.json"
    good_gold.write_text(json.dumps(GRAPH_GOLD, ensure_ascii=False), encoding="utf-8")
    good_graph.write_text(json.dumps(GRAPH_JSON, ensure_ascii=False), encoding="utf-8")
    bad.write_bytes(content)
    assert main(["eval", str(good_gold), "--graph", str(good_graph)]) == 0
    capsys.readouterr()
    for args in ([str(bad), "--graph", str(good_graph)], [str(good_gold), "--graph", str(bad)]):
        assert main(["eval", *args]) == 2
        one_error_line(capsys.readouterr().err, str(bad))


def test_graph_eval_inputs_that_are_devices_fifos_or_nested_too_deeply(tmp_path, capsys):
    gold, graph = tmp_path / "gold.json", tmp_path / "graph.json"
    gold.write_text(json.dumps(GRAPH_GOLD, ensure_ascii=False), encoding="utf-8")
    graph.write_text(json.dumps(GRAPH_JSON, ensure_ascii=False), encoding="utf-8")
    deep, fifo = tmp_path / "deep.json", tmp_path / "fifo"
    deep.write_bytes(b"[" * 100_000)
    os.mkfifo(fifo)
    cases = [
        ([str(deep), "--graph", str(graph)], "nested too deeply"),
        ([str(gold), "--graph", str(deep)], "nested too deeply"),
        (["/dev/zero", "--graph", str(graph)], "/dev/zero is not a regular file"),
        ([str(gold), "--graph", "/dev/zero"], "/dev/zero is not a regular file"),
        ([str(fifo), "--graph", str(graph)], "fifo is not a regular file"),
        ([str(gold), "--graph", str(fifo)], "fifo is not a regular file"),
    ]
    for args, words in cases:
        assert main(["eval", *args]) == 2, args
        one_error_line(capsys.readouterr().err, words)
