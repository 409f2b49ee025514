"""The kg command as a user runs it."""

import json
import subprocess
import sys

import pytest

from kg.cli import main
from tests.conftest import SEEDS


def run(*args):
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=600)


def test_build_writes_graph_json_and_prints_a_summary(tmp_path, capsys):
    assert main(["build", str(SEEDS), "--out", str(tmp_path), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert "documents: 3" in out and "Person:" in out and "holdsPosition:" in out
    data = json.loads((tmp_path / "graph.json").read_text(encoding="utf-8"))
    assert {"nodes", "edges"} <= set(data)
    node = next(n for n in data["nodes"] if n["label"] == "河北省科学技术厅")
    assert node["type"] == "Agency" and "省科技厅" in node["aliases"]
    link = next(link for link in data["edges"] if link["relation"] == "holdsPosition")
    assert {"source", "target", "evidence", "title"} <= set(link)


def test_build_is_byte_identical_across_runs_and_hash_seeds(tmp_path):
    outs = []
    for seed in ("0", "12345"):
        out = tmp_path / seed
        proc = subprocess.run(
            [sys.executable, "-m", "kg", "build", str(SEEDS), "--out", str(out), "--format", "json", "--no-cache"],
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        outs.append((out / "graph.json").read_bytes())
    assert outs[0] == outs[1]


def test_the_command_flushes_its_summary_to_a_pipe_before_it_exits(tmp_path):
    # ``kg`` ends with os._exit (no teardown of the graph): the summary must still reach the reader
    proc = run("build", str(SEEDS), "--out", str(tmp_path / "out"), "--format", "json", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("documents: 3") and proc.stdout.rstrip().splitlines()[-1].startswith("wrote: ")


def test_gbk_and_broken_line_files_build(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "gbk.txt").write_bytes("河北日报讯 省科技厅副厅长李从民在石家庄出席会议。".encode("gbk"))
    (src / "broken.txt").write_text("唐山市科技局党组书记潘树文表示,唐山推行基层科技特\n\n派员制度。", encoding="utf-8")
    assert main(["build", str(src), "--out", str(tmp_path / "out"), "--format", "json"]) == 0
    labels = {n["label"] for n in json.loads((tmp_path / "out" / "graph.json").read_text())["nodes"]}
    assert {"李从民", "河北省科学技术厅", "潘树文", "唐山市科学技术局", "科技特派员制度"} <= labels


def test_extract_adds_entities_with_offsets(tmp_path):
    src = tmp_path / "lines.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": "省科技厅厅长龙奋杰在唐山市调研。"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    proc = run("extract", str(src))
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    got = {(e["text"], e["type"]) for e in record["entities"]}
    assert {("省科技厅", "Agency"), ("龙奋杰", "Person"), ("唐山市", "Place")} <= got
    for e in record["entities"]:
        assert record["text"][e["start"] : e["end"]] == e["text"]


def test_eval_scores_span_exact_by_type(tmp_path):
    gold = tmp_path / "gold.jsonl"
    text = "省科技厅厅长龙奋杰在唐山市调研。"
    ents = [
        {"start": 0, "end": 4, "type": "ORG"},
        {"start": 6, "end": 9, "type": "PER"},
        {"start": 10, "end": 13, "type": "LOC"},
        {"start": 13, "end": 15, "type": "LOC"},  # a wrong gold span: one miss
    ]
    gold.write_text(json.dumps({"text": text, "entities": ents}, ensure_ascii=False) + "\n", encoding="utf-8")
    proc = run("eval", str(gold))
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line.split()[1:] for line in proc.stdout.splitlines()[2:]}
    assert rows["PER"][:3] == ["1.000", "1.000", "1.000"]
    assert rows["LOC"][:3] == ["1.000", "0.500", "0.667"]


@pytest.mark.parametrize(
    "args", [["build", "/no/such/folder"], ["extract", "/no/such.jsonl"], ["build", "--format", "pdf"]]
)
def test_user_errors_are_one_line_with_nonzero_exit(args):
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("kg: error:")
    assert "Traceback" not in proc.stderr
