"""The inputs users have: folders of .txt, .md, scraped .html pages and JSONL dumps (issue 14)."""

from __future__ import annotations

import json
import sys

import pytest

from kg.inputs import DEFAULT_GLOBS, HTML_HINT, list_items, markdown_text
from kg.pipeline import build

ARTICLE = "8月13日，省科技厅厅长龙奋杰在石家庄市主持召开会议，研究部署科技特派员工作。"
MORE = "会议要求，唐山市科技局局长张三加强组织领导，确保各项任务落到实处。"

PAGE = f"""<!DOCTYPE html><html><head><meta charset="gbk"><title>河北日报 新闻</title></head><body>
<nav><a href="/">首页</a> | <a href="/news">要闻</a> | <a href="/login">登录注册</a></nav>
<div class="sidebar"><h3>热门推荐</h3><ul><li><a href="/a">北京市文化局举办展览</a></li></ul></div>
<article><h1>省科技厅召开科技特派员工作会议</h1><p>{ARTICLE}</p><p>{MORE}</p></article>
<footer>版权所有 河北日报社 冀ICP备00000000号 联系我们 广告服务</footer></body></html>"""


def _build(src, tmp_path, **kw):
    summary = build([src], tmp_path / "out", formats="json", use_cache=False, **kw)
    return summary, json.loads((tmp_path / "out" / "graph.json").read_text(encoding="utf-8"))


def _sentences(graph) -> set[str]:
    return {ev["sentence"] for e in graph["edges"] for ev in e["evidence"]}


def test_jsonl_lines_are_documents_with_their_own_ids_and_a_broken_line_is_skipped(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = [
        json.dumps({"id": "hbrb-0001", "text": ARTICLE, "date": "2021-08-13"}, ensure_ascii=False),
        '{"id": "hbrb-0002", "text": "省科技厅',  # cut off mid-line
        json.dumps({"id": 3, "text": MORE}, ensure_ascii=False),
        json.dumps({"id": "hbrb-0001", "text": "重复的一行。"}, ensure_ascii=False),
        json.dumps({"text": "保定市科技局在保定市召开会议。"}, ensure_ascii=False),
        json.dumps(["not", "an", "object"]),
        "",
    ]
    (src / "dump.jsonl").write_text("\n".join(lines), encoding="utf-8")
    summary, graph = _build(src, tmp_path)
    ids = sorted(d["id"] for d in graph["graph"]["documents"])
    assert ids == ["dump.jsonl#3", "dump.jsonl#hbrb-0001", "dump.jsonl#line 5"]
    skipped = dict(summary.report.skipped)
    assert skipped["dump.jsonl line 2"].startswith("not JSON")
    assert skipped["dump.jsonl line 4"] == "the id hbrb-0001 again: the first one is kept"
    assert skipped["dump.jsonl line 6"] == "not a JSON object"
    assert {"龙奋杰", "唐山市科学技术局", "保定市"} <= {n["label"] for n in graph["nodes"]}
    for _ in range(2):  # with the cache: extracted, then every line (and the run's state) from the cache
        again = build([src], tmp_path / "cached", formats="json", cache_dir=tmp_path / "cache")
        assert json.loads((tmp_path / "cached" / "graph.json").read_text(encoding="utf-8")) == graph
        assert again.report.skipped == summary.report.skipped
    assert (again.report.cached, again.report.extracted) == (3, 0)


def test_markdown_is_read_without_its_markup(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    md = f"# 省科技厅召开会议\n\n> 来源：**河北日报**\n\n{ARTICLE}详见[通知](http://example.org/a)。\n\n![图](a.png)\n\n- {MORE}\n"
    (src / "news.md").write_text(md, encoding="utf-8")
    summary, graph = _build(src, tmp_path)
    assert summary.report.documents == 1
    sentences = _sentences(graph)
    assert sentences and not any(c in s for s in sentences for c in "#*[]()>")
    assert "龙奋杰" in {n["label"] for n in graph["nodes"]}
    assert markdown_text("**粗体**与`代码`") == "粗体与代码"


def test_an_html_page_gives_its_main_text_without_menus_or_footer(tmp_path):
    pytest.importorskip("trafilatura")
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_bytes(PAGE.encode("gbk"))
    summary, graph = _build(src, tmp_path)
    assert summary.report.documents == 1 and not summary.report.skipped
    labels = {n["label"] for n in graph["nodes"]}
    assert {"龙奋杰", "石家庄市"} <= labels
    assert not {"北京市文化局", "北京市"} & labels  # the sidebar is boilerplate
    assert not any("版权所有" in s or "登录" in s for s in _sentences(graph))


def test_without_trafilatura_a_page_is_skipped_with_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if not installed
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_bytes(PAGE.encode("gbk"))
    (src / "a.txt").write_text(ARTICLE, encoding="utf-8")
    summary, _graph = _build(src, tmp_path)
    assert summary.report.skipped == [("page.html", HTML_HINT)]
    assert summary.report.documents == 1


def test_only_text_formats_are_read_from_a_folder_unless_glob_says_otherwise(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.MD", "sub/c.htm", "d.jsonl", "e.csv", "f.json", "graph.ttl", ".hidden.txt"):
        (src / name).write_text(ARTICLE if not name.endswith("jsonl") else "{}\n", encoding="utf-8")
    names = [item[0] for item in list_items([src])]
    assert names == ["a.txt", "b.MD", "sub/c.htm"]  # d.jsonl has no good line
    assert [item[0] for item in list_items([src], globs=["*.csv"])] == ["e.csv"]
    assert [item[0] for item in list_items([src / "e.csv"])] == ["e.csv"]  # a file named directly is read
    assert "*.jsonl" in DEFAULT_GLOBS


def test_the_python_api_takes_the_globs_too(tmp_path):
    import kg
    from kg.pipeline import Report

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.csv").write_text(ARTICLE, encoding="utf-8")
    (src / "b.txt").write_text(MORE, encoding="utf-8")
    report = Report()
    kg.build([src], globs=["*.csv"], report=report)
    assert report.documents == 1
    assert "龙奋杰" in {d["label"] for _, d in kg.build([src], globs=["*.csv"]).nodes(data=True)}
