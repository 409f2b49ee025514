"""The kg vocabulary as code: one closed namespace, equal to ``ontology/kg.ttl``.

``KG.Persn`` raises ``AttributeError`` (``_fail = True``), so a typo in a
class or property name fails at import time instead of writing a term nobody
declared. ``tests/test_rdf.py`` keeps this list and the ontology equal.

>>> str(KG.holdsPosition)
'https://kg.example.org/ontology#holdsPosition'
>>> str(ID["agency-852ee94733dc"])
'https://kg.example.org/id/agency-852ee94733dc'
"""

from __future__ import annotations

import os
from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

#: Where the ontology, shapes and named queries live (the repository's ``ontology/``).
ONTOLOGY_DIR = Path(os.environ.get("KG_ONTOLOGY_DIR") or Path(__file__).resolve().parent.parent / "ontology")

#: Base IRI of the vocabulary (classes, properties).
VOCAB_BASE = "https://kg.example.org/ontology#"
#: Base IRI of the data (entities, posts, documents, evidence, statements).
DATA_BASE = "https://kg.example.org/id/"

ID = Namespace(DATA_BASE)


class KG(DefinedNamespace):
    """Classes and properties of ``ontology/kg.ttl``."""

    _NS = Namespace(VOCAB_BASE)
    _fail = True

    # classes
    Entity: URIRef
    Person: URIRef
    Agency: URIRef
    Organization: URIRef
    Place: URIRef
    Initiative: URIRef
    Post: URIRef
    Document: URIRef
    Evidence: URIRef
    Statement: URIRef

    # the seven relations (model.RELATIONS)
    holdsPosition: URIRef
    affiliatedWith: URIRef
    organizes: URIRef
    participatesIn: URIRef
    locatedIn: URIRef
    partOf: URIRef
    cooperatesWith: URIRef

    # posts
    holds: URIRef
    postIn: URIRef
    post: URIRef
    title: URIRef

    # mentions and documents
    mentionCount: URIRef
    mentionedIn: URIRef
    fileName: URIRef
    sha256: URIRef
    headline: URIRef
    charCount: URIRef
    start: URIRef
    end: URIRef


#: Prefixes bound in graph.ttl and offered to ``kg query`` (nothing else is bound).
PREFIXES: dict[str, str] = {
    "kg": VOCAB_BASE,
    "kgr": DATA_BASE,
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
