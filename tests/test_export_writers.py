"""The html, gexf, graphml and neo4j writers as ``kg build`` calls them: through ``WRITERS``."""

from __future__ import annotations

import pytest

from kg.export import WRITERS

EXPECTED = {
    "html": ("graph.html", ["graph.html"]),
    "gexf": ("graph.gexf", ["graph.gexf"]),
    "graphml": ("graph.graphml", ["graph.graphml"]),
    "neo4j": (
        "neo4j",
        ["neo4j/README.txt", "neo4j/import.cypher", "neo4j/kuzu.cypher", "neo4j/nodes.csv", "neo4j/relationships.csv"],
    ),
}


@pytest.mark.parametrize("fmt", sorted(EXPECTED))
def test_registered_and_written_atomically(fmt, sample_graph, tmp_path):
    name, files = EXPECTED[fmt]
    assert WRITERS[fmt][0] == name
    WRITERS[fmt][1](sample_graph, tmp_path / name)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == files  # no temporary files left behind
    for f in files:
        raw = (tmp_path / f).read_bytes()
        assert raw and not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")


@pytest.mark.parametrize("fmt", sorted(EXPECTED))
def test_writers_do_not_change_the_graph(fmt, sample_graph, tmp_path):
    from kg.export.json import json_text

    before = json_text(sample_graph)
    WRITERS[fmt][1](sample_graph, tmp_path / EXPECTED[fmt][0])
    assert json_text(sample_graph) == before
