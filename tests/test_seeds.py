"""End to end over the three bundled Hebei Daily articles: what the graph must say."""

import pytest

A000 = "000_5ea018c45a97ab36.txt"
A002 = "002_7824a12080678c07.txt"
A003 = "003_37ce80262c18466e.txt"


def node(G, label):
    found = [n for n, d in G.nodes(data=True) if d["label"] == label]
    assert len(found) == 1, f"{label!r}: {len(found)} nodes"
    return found[0]


def edges(G, relation, head=None, tail=None):
    out = []
    for u, v, d in G.edges(data=True):
        if d["relation"] != relation:
            continue
        if head and G.nodes[u]["label"] != head:
            continue
        if tail and G.nodes[v]["label"] != tail:
            continue
        out.append((G.nodes[u]["label"], G.nodes[v]["label"], d))
    return out


def test_the_graph_is_not_empty(seed_graph):
    assert seed_graph.number_of_nodes() > 100
    assert seed_graph.number_of_edges() > 100
    assert [d["id"] for d in seed_graph.graph["documents"]] == [A000, A002, A003]


@pytest.mark.parametrize(
    ("label", "type_"),
    [
        ("河北省科学技术厅", "Agency"),
        ("唐山市科学技术局", "Agency"),
        ("天津市科学技术局", "Agency"),
        ("北京市科学技术委员会", "Agency"),
        ("河北省外国专家局", "Agency"),
        ("龙奋杰", "Person"),
        ("马宇骏", "Person"),
        ("郭玉明", "Person"),
        ("李从民", "Person"),
        ("潘树文", "Person"),
        ("王璐丹", "Person"),
        ("刘禹彤", "Person"),
        ("冯建忠", "Person"),
        ("科技特派员制度", "Initiative"),
        ("河北省科技创新辅导团", "Initiative"),
        ("京津冀青年科学家论坛", "Initiative"),
        ("第五届中国创新挑战赛", "Initiative"),
        ("关于推行基层科技特派员制度的指导意见", "Initiative"),
        ("唐山市", "Place"),
        ("玉田县", "Place"),
        ("彩虹镇", "Place"),
        ("河北省", "Place"),
        ("天津市", "Place"),
        ("华北理工大学", "Organization"),
        ("河北省儿童医院", "Organization"),
        ("加拿大病童医院", "Organization"),
        ("中国科学院", "Organization"),
        ("河北日报", "Organization"),
        ("唐山开元自动焊接装备有限公司", "Organization"),
    ],
)
def test_named_things_are_nodes_exactly_once(seed_graph, label, type_):
    assert seed_graph.nodes[node(seed_graph, label)]["type"] == type_


@pytest.mark.parametrize(
    ("label", "aliases"),
    [
        ("河北省科学技术厅", {"省科技厅", "河北省科技厅", "省科学技术厅"}),
        ("唐山市", {"唐山"}),
        ("中国科学院", {"中科院"}),
        ("唐山市科学技术局", {"唐山市科技局"}),
    ],
)
def test_short_forms_are_aliases_of_one_node(seed_graph, label, aliases):
    assert aliases <= set(seed_graph.nodes[node(seed_graph, label)]["aliases"])


@pytest.mark.parametrize(
    "fragment", ["省科技厅党", "基层", "省科技厅", "唐山", "科技", "街道", "和首席", "省级重点实验室"]
)
def test_fragments_and_generic_words_are_not_nodes(seed_graph, fragment):
    assert fragment not in {d["label"] for _, d in seed_graph.nodes(data=True)}


def test_the_science_commissioner_chain(seed_graph):
    assert edges(seed_graph, "organizes", "河北省科学技术厅", "科技特派员制度")
    assert edges(seed_graph, "locatedIn", "科技特派员制度", "唐山市")


def test_two_directors_of_the_department_in_different_articles(seed_graph):
    directors = {
        h: d for h, _t, d in edges(seed_graph, "holdsPosition", tail="河北省科学技术厅") if d.get("title") == "厅长"
    }
    assert set(directors) == {"龙奋杰", "马宇骏"}
    assert {e["document"] for e in directors["龙奋杰"]["evidence"]} == {A000}
    assert {e["document"] for e in directors["马宇骏"]["evidence"]} == {A002}


@pytest.mark.parametrize(
    ("relation", "head", "tail", "title"),
    [
        ("holdsPosition", "郭玉明", "河北省科学技术厅", "副厅长"),
        ("holdsPosition", "蒋栋", "河北省科学技术厅", "二级巡视员"),
        ("holdsPosition", "潘树文", "唐山市科学技术局", "党组书记"),
        ("holdsPosition", "王璐丹", "河北日报", "记者"),
        ("organizes", "河北省科学技术厅", "河北省科技创新辅导团", None),
        ("organizes", "天津市科学技术局", "京津冀青年科学家论坛", None),
        ("locatedIn", "京津冀青年科学家论坛", "天津市", None),
        ("partOf", "彩虹镇", "玉田县", None),
        ("partOf", "玉田县", "唐山市", None),
        ("partOf", "唐山市", "河北省", None),
        ("cooperatesWith", "河北省儿童医院", "加拿大病童医院", None),
    ],
)
def test_key_relations(seed_graph, relation, head, tail, title):
    found = edges(seed_graph, relation, head, tail)
    assert found, f"no {relation} {head} -> {tail}"
    if title:
        assert title in {d.get("title") for _h, _t, d in found}


def test_every_link_carries_its_evidence_sentence(seed_graph):
    from kg.textio import read_document
    from tests.conftest import SEEDS

    texts = {p.name: read_document(p).text for p in SEEDS.glob("*.txt")}
    for _u, _v, d in seed_graph.edges(data=True):
        assert d["evidence"]
        for e in d["evidence"]:
            assert texts[e["document"]][e["start"] : e["end"]] == e["sentence"]


def test_ids_are_stable_ascii(seed_graph):
    from kg.graph import entity_id

    for n, d in seed_graph.nodes(data=True):
        assert n.isascii() and n == entity_id(d["type"], d["label"])
