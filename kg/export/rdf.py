"""``graph.ttl``: the canonical graph as RDF, in the terms of ``ontology/kg.ttl``.

Two parts: ``kg.export.rdf_model`` says which triples there are (entities,
direct links, statements with their evidence, posts, documents, and the
public-vocabulary terms they entail); ``kg.export.turtle`` writes them as
sorted, byte-stable Turtle. This module is the public face of both.

>>> from kg.graph import add_entity, new_graph
>>> G = new_graph()
>>> _ = add_entity(G, "Person", "龙奋杰")
>>> sorted(str(o) for s, p, o in triples(G) if str(p).endswith("#type"))
['http://xmlns.com/foaf/0.1/Person', 'https://kg.example.org/ontology#Person', 'https://schema.org/Person']
"""

from __future__ import annotations

from kg.export.rdf_model import (
    GRAPH_PREFIXES,
    Term,
    Triple,
    alignment,
    document_iri,
    entity_iri,
    rdf_graph,
    statements,
    triples,
    types_of,
)
from kg.export.turtle import escape_string, turtle_lines, turtle_of, turtle_text, write_turtle
from kg.vocab import PREFIXES

__all__ = [
    "GRAPH_PREFIXES",
    "PREFIXES",
    "Term",
    "Triple",
    "escape_string",
    "statements",
    "turtle_lines",
    "alignment",
    "document_iri",
    "entity_iri",
    "rdf_graph",
    "triples",
    "turtle_of",
    "turtle_text",
    "types_of",
    "write_turtle",
]
