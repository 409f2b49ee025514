"""Assembled states of runs of documents merge into exactly what adding every document gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.assemble import Assembler
from kg.export.json import json_text
from kg.model import Extraction

KEYS = ["唐山市", "唐山", "河北省科学技术厅", "科技特派员制度", "唐山市科技特派员制度", "龙奋杰", "清华大学", "玉田县"]
TYPES = ["Person", "Agency", "Organization", "Place", "Initiative"]
SOURCES = ["title", "org", "crf", "gazetteer", "rule"]
RELATIONS = ["holdsPosition", "organizes", "locatedIn", "partOf", "participatesIn", "cooperatesWith"]


@st.composite
def extractions(draw, i: int) -> Extraction:
    n = draw(st.integers(1, 3))
    sentences = tuple((f"第{i}篇第{k}句。", 10 * k, 10 * k + 6) for k in range(n))
    mentions = tuple(
        (key, draw(st.sampled_from(TYPES)), draw(st.sampled_from(SOURCES)), key[: draw(st.integers(2, 9))], sent)
        for key, sent in draw(st.lists(st.tuples(st.sampled_from(KEYS), st.integers(-1, n - 1)), max_size=5))
    )
    relations = tuple(
        (
            h,
            draw(st.sampled_from(TYPES)),
            h,
            t,
            draw(st.sampled_from(TYPES)),
            t,
            rel,
            draw(st.sampled_from(["", "厅长"])),
            s,
        )
        for h, t, rel, s in draw(
            st.lists(
                st.tuples(
                    st.sampled_from(KEYS), st.sampled_from(KEYS), st.sampled_from(RELATIONS), st.integers(0, n - 1)
                ),
                max_size=4,
            )
        )
    )
    return Extraction(f"d{i:02d}.txt", f"d{i:02d}.txt", f"{i:064x}", "", 60, (), sentences, mentions, relations)


@st.composite
def corpora(draw):
    docs = [draw(extractions(i)) for i in range(draw(st.integers(1, 8)))]
    cuts = sorted(draw(st.sets(st.integers(1, len(docs)), max_size=4)) | {len(docs)})
    return docs, cuts


@settings(max_examples=200, deadline=None, derandomize=True)
@given(corpora())
def test_merged_runs_give_the_graph_of_one_pass(corpus):
    docs, cuts = corpus
    whole = Assembler()
    for ext in docs:
        whole.add(ext)
    merged, start = Assembler(), 0
    for end in cuts:
        part = Assembler()
        for ext in docs[start:end]:
            part.add(ext)
        merged.merge(part)
        start = end
    assert json_text(merged.graph()) == json_text(whole.graph())


def test_a_name_a_relation_brings_first_takes_its_type_and_sentence():
    """The one order-dependent rule: 唐山 appears in a relation (as a Place) before any mention of it."""
    rel = ("清华大学", "Organization", "清华大学", "唐山", "Place", "唐山", "locatedIn", "", 0)
    first = Extraction("a.txt", "a.txt", "0" * 64, "", 9, (), (("清华大学在唐山。", 0, 8),), (), (rel,))
    later = Extraction(
        "b.txt",
        "b.txt",
        "1" * 64,
        "",
        9,
        (),
        (("唐山一中。", 0, 5),),
        (("唐山", "Organization", "rule", "唐山", 0),),
        (),
    )
    for split in (False, True):
        a = Assembler()
        a.add(first)
        if split:
            b = Assembler()
            b.add(later)
            a.merge(b)
        else:
            a.add(later)
        G = a.graph()
        node = next(d for _, d in G.nodes(data=True) if d["label"] == "唐山")
        assert node["documents"] == ["a.txt", "b.txt"]
        # one vote as a Place (from the relation, counted first) against one as an Organization (an unranked
        # source counts 1): the first wins
        assert node["type"] == "Place"
