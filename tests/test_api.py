"""The Python API: kg.build, kg.build_texts and kg.write give what `kg build` gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.cli import main
from kg.errors import UserError
from kg.pipeline import Report

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_build_and_write_give_the_exports_of_kg_build(tmp_path):
    assert main(["build", str(SEEDS), "--out", str(tmp_path / "cli"), "--no-cache", "--format", "json,ttl"]) == 0
    G = kg.build(SEEDS)
    assert kg.write(G, tmp_path / "api", formats=["json", "ttl"]) == ["graph.json", "graph.ttl"]
    for name in ("graph.json", "graph.ttl"):
        assert (tmp_path / "api" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()


def test_build_texts_runs_every_stage_on_strings():
    G = kg.build_texts({"a.txt": "河北日报讯 8月13日,省科技厅厅长龙奋杰在唐山市调研科技特派员制度。"})
    labels = {d["label"]: d["type"] for _, d in G.nodes(data=True)}
    assert labels["河北省科学技术厅"] == "Agency" and labels["龙奋杰"] == "Person" and labels["唐山市"] == "Place"
    edges = {(G.nodes[u]["label"], d["relation"], G.nodes[v]["label"]) for u, v, d in G.edges(data=True)}
    assert ("龙奋杰", "holdsPosition", "河北省科学技术厅") in edges
    ev = next(d["evidence"][0] for _, _, d in G.edges(data=True) if d["relation"] == "holdsPosition")
    assert ev["document"] == "a.txt" and "龙奋杰" in ev["sentence"]


def test_a_list_of_strings_gets_numbered_ids_and_empty_texts_are_reported():
    report = Report()
    G = kg.build_texts(["省科技厅厅长龙奋杰出席。", "   "], report=report)
    assert [d["id"] for d in G.graph["documents"]] == ["text-1"]
    assert report.skipped == [("text-2", "empty text")]


def test_bad_arguments_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="unknown format"):
        kg.write(kg.build_texts(["省科技厅。"]), tmp_path, formats="json,pdf")
    with pytest.raises(UserError, match="not a str"):
        kg.build_texts({"a": b"bytes"})  # type: ignore[dict-item]
    with pytest.raises(FileNotFoundError):
        kg.build(tmp_path / "missing")


def test_import_kg_loads_no_extraction_code():
    import subprocess
    import sys

    code = "import sys, kg; print(any(m.startswith(('kg.extract', 'networkx', 'jieba')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_readme_example_runs(tmp_path, monkeypatch):
    readme = (SEEDS.parent / "README.md").read_text(encoding="utf-8")
    code = readme.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "seeds").symlink_to(SEEDS)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "out" / "graph.json").exists() and (tmp_path / "out" / "graph.ttl").exists()
