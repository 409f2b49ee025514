"""kg eval --graph: a graph.json against a graph gold, counted the way the README says."""

from __future__ import annotations

import json

import pytest

from kg.cli import main
from kg.errors import UserError
from kg.graph_eval import load_gold, score_graph

GOLD = {
    "entities": [
        {"name": "河北省科学技术厅", "type": "AGENCY", "aliases": ["省科技厅"], "core": True, "docs": ["01"]},
        {"name": "龙奋杰", "type": "PER", "aliases": [], "core": True, "docs": ["01"]},
        {"name": "唐山市", "type": "PLACE", "aliases": ["唐山"], "core": True, "docs": ["01", "02"]},
        {"name": "科技特派员制度", "type": "INITIATIVE", "aliases": [], "core": True, "docs": ["02"]},
        {"name": "政策法规处", "type": "AGENCY", "aliases": [], "core": False, "docs": ["01"]},
        {"name": "石家庄市", "type": "PLACE", "aliases": [], "core": True, "docs": ["03"]},
    ],
    "relations": [
        {
            "head": "龙奋杰",
            "rel": "holds_position",
            "tail": "河北省科学技术厅",
            "doc": "01",
            "core": True,
            "title": "厅长",
        },
        {"head": "河北省科学技术厅", "rel": "organizes", "tail": "科技特派员制度", "doc": "02", "core": True},
        {"head": "科技特派员制度", "rel": "located_in", "tail": "唐山市", "doc": "02", "core": True},
    ],
}


def node(i, label, type_, aliases=()):
    return {"id": i, "label": label, "type": type_, "aliases": list(aliases)}


GRAPH = {
    "graph": {"documents": [{"id": "01.txt"}, {"id": "02.txt"}]},
    "nodes": [
        node("a", "河北省科学技术厅", "Agency", ["省科技厅"]),
        node("b", "龙奋杰", "Person"),
        node("c", "唐山", "Place"),  # an alias of the gold name matches
        node("c2", "唐山市", "Place"),  # a second node of the same entity: a duplicate
        node("d", "科技特派员制度", "Organization"),  # found, but not typed
        node("e", "政策法规处", "Agency"),  # not core: neutral
        node("f", "北京非", "Place"),  # a fragment: false positive
    ],
    "edges": [
        {"source": "b", "target": "a", "relation": "holdsPosition"},
        {"source": "a", "target": "d", "relation": "cooperatesWith"},  # the pair, the wrong kind
        {"source": "c", "target": "a", "relation": "locatedIn"},  # between gold entities the gold does not relate
    ],
}


def test_entities_relations_and_links_are_counted_as_documented():
    s = score_graph(GRAPH, GOLD)
    assert s.documents == 2  # 石家庄市 (document 03) is not scored
    assert (s.matched, len(s.false_positives), s.neutral) == (5, 1, 1)
    assert s.recall == 1.0 and s.precision == 5 / 6
    assert s.duplicates == ["唐山市"]
    assert s.typed["INITIATIVE"] == 0 and s.found["INITIATIVE"] == 1
    assert (sum(s.pair_hits.values()), sum(s.typed_hits.values())) == (2, 1)
    assert s.missed_relations[0].startswith(
        "02: 河北省科学技术厅 -organizes-> 科技特派员制度 (linked as cooperatesWith)"
    )
    assert (s.links_between_gold, s.links_in_gold) == (3, 2)


def test_the_cli_prints_the_table_and_json(tmp_path, capsys):
    (tmp_path / "gold.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "graph.json").write_text(json.dumps(GRAPH, ensure_ascii=False), encoding="utf-8")
    assert main(["eval", str(tmp_path / "gold.json"), "--graph", str(tmp_path / "graph.json"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["entity_recall"] == 1.0 and out["core_relation_typed_recall"] == round(1 / 3, 3)
    assert main(["eval", str(tmp_path / "gold.json"), "--graph", str(tmp_path / "graph.json"), "--misses"]) == 0
    table = capsys.readouterr().out
    assert "holdsPosition" in table and "false positive nodes: 北京非" in table


def test_a_folder_of_articles_is_built_then_scored(tmp_path, capsys):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "01.txt").write_text("河北日报讯 省科技厅厅长龙奋杰在唐山调研。\n", encoding="utf-8")
    (tmp_path / "gold.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    assert main(["eval", str(tmp_path / "gold.json"), "--graph", str(tmp_path / "texts"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["documents"] == 1 and out["entity_recall"] == 1.0 and out["core_relation_typed_recall"] == 1.0


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"entities": [{"name": "x", "type": "PERSON"}]}',
        '{"entities": [], "relations": [{"rel": "x"}]}',
    ],
)
def test_a_bad_gold_is_one_line_error(tmp_path, content, capsys):
    path = tmp_path / "gold.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError):
        load_gold(path)
    assert main(["eval", str(path), "--graph", str(path)]) == 2
    assert capsys.readouterr().err.startswith("kg: error:")
