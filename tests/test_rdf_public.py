"""graph.ttl speaks the public vocabularies too: FOAF, schema.org and W3C ORG queries answer with no inference."""

from __future__ import annotations

from rdflib import Graph

from kg.export.rdf import alignment, turtle_text
from kg.schema import TYPES

PREFIXES = """
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kg: <https://kg.example.org/ontology#>
"""


def labels(R: Graph, where: str) -> set[str]:
    rows = R.query(PREFIXES + "SELECT DISTINCT ?label WHERE { " + where + " ?x skos:prefLabel ?label . }")
    return {str(row[0]) for row in rows}


def test_public_vocabulary_queries_answer_on_the_exported_graph(sample_graph):
    R = Graph().parse(data=turtle_text(sample_graph), format="turtle")  # the file as written, parsed back
    assert labels(R, "?x a foaf:Person .") == {"龙奋杰", "马宇骏"}
    assert labels(R, "?x a schema:Person .") == {"龙奋杰", "马宇骏"}
    assert labels(R, "?x a schema:Place .") == {"唐山市", "河北省"}
    assert labels(R, "?x a schema:GovernmentOrganization .") == {"河北省科学技术厅"}
    orgs = labels(R, "?x a org:Organization .")
    assert "河北省科学技术厅" in orgs and "华北理工大学" in orgs and len(orgs) == 3
    # a post, the W3C ORG way: person org:holds post, post org:postIn organization
    rows = R.query(
        PREFIXES
        + """SELECT ?name ?title ?orgName WHERE {
            ?p org:holds ?post . ?post org:postIn ?o ; kg:title ?title .
            ?p skos:prefLabel ?name . ?o skos:prefLabel ?orgName .
        } ORDER BY ?name"""
    )
    assert [tuple(map(str, r)) for r in rows] == [
        ("马宇骏", "厅长", "河北省科学技术厅"),
        ("龙奋杰", "厅长", "河北省科学技术厅"),
    ]
    assert labels(R, "?o schema:location ?x .") == {"唐山市"}
    assert labels(R, "?o dcterms:isPartOf ?x .") == {"河北省"}
    assert labels(R, '?x schema:affiliation ?o . ?o skos:prefLabel "河北省科学技术厅"@zh .') == {"龙奋杰", "马宇骏"}
    # matching a label needs its language tag, or str()
    assert labels(R, '?x skos:prefLabel "唐山市" .') == set()
    assert labels(R, '?x skos:prefLabel ?l . FILTER (str(?l) = "唐山市")') == {"唐山市"}


def test_alignment_comes_from_the_ontology_which_comes_from_the_schema():
    classes, _ = alignment()
    for t in TYPES:
        aligned = set(classes.get(f"https://kg.example.org/ontology#{t.name}", ()))
        expanded = {
            a.replace("foaf:", "http://xmlns.com/foaf/0.1/")
            .replace("schema:", "https://schema.org/")
            .replace("org:", "http://www.w3.org/ns/org#")
            for a in t.aligned
        }
        assert expanded <= aligned, t.name
