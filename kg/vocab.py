"""The kg vocabulary as code: one closed namespace, equal to ``ontology/kg.ttl``.

The entity classes and relations are the schema's (``kg.schema``); the rest of
the terms are listed here.

``KG.Persn`` raises ``AttributeError`` (``_fail = True``), so a typo in a
class or property name fails at import time instead of writing a term nobody
declared. ``tests/test_rdf.py`` keeps this list and the ontology equal.

>>> str(KG.holdsPosition)
'https://kg.example.org/ontology#holdsPosition'
>>> str(ID["agency-852ee94733dc"])
'https://kg.example.org/id/agency-852ee94733dc'
"""

from __future__ import annotations

from typing import cast

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from kg import _files
from kg.schema import ENTITY_TYPES, RELATIONS

#: Where the ontology, shapes and named queries live (the installed ``kg.ontology``, or ``$KG_ONTOLOGY_DIR``).
ONTOLOGY_DIR = _files.ontology_dir()

#: Base IRI of the vocabulary (classes, properties).
VOCAB_BASE = "https://kg.example.org/ontology#"
#: Base IRI of the data (entities, posts, documents, evidence, statements).
DATA_BASE = "https://kg.example.org/id/"

ID = Namespace(DATA_BASE)


#: Terms of ``ontology/kg.ttl`` besides the entity types and relations (which come from ``kg.schema``).
_OTHER_CLASSES = ("Entity", "Post", "Document", "Evidence", "Statement")
_OTHER_PROPERTIES = (
    # posts
    "holds",
    "postIn",
    "post",
    "title",
    # mentions and documents
    "mentionCount",
    "mentionedIn",
    "fileName",
    "sha256",
    "headline",
    "charCount",
    "start",
    "end",
)

#: Classes and properties of ``ontology/kg.ttl``, a closed namespace: ``KG.holdsPosition``, ``KG.Person``.
KG = cast(
    "type[DefinedNamespace]",
    type(
        "KG",
        (DefinedNamespace,),
        {
            "__doc__": "Classes and properties of ``ontology/kg.ttl``.",
            "__annotations__": dict.fromkeys((*_OTHER_CLASSES, *ENTITY_TYPES, *RELATIONS, *_OTHER_PROPERTIES), URIRef),
            "_NS": Namespace(VOCAB_BASE),
            "_fail": True,
        },
    ),
)


#: Prefixes bound in graph.ttl and offered to ``kg query`` (nothing else is bound).
PREFIXES: dict[str, str] = {
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
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
