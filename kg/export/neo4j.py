"""``neo4j/``: CSVs in ``neo4j-admin database import full`` format, a Cypher script and the command.

Files written into the folder:

* ``nodes.csv`` — ``id:ID,:LABEL,label,type,aliases:string[],mentions:int,documents:string[]``.
  Every node has two labels, ``Entity`` and its type (``Entity;Person``), so one
  uniqueness constraint on ``Entity.id`` covers all of them.
* ``relationships.csv`` — ``:START_ID,:END_ID,:TYPE,key,relation,title,evidence,documents:string[],weight:int``.
  ``:TYPE`` is the relation in UPPER_SNAKE (``holdsPosition`` → ``HOLDS_POSITION``);
  ``evidence`` is the evidence sentences, one per line (so the import needs
  ``--multiline-fields=true``); ``key`` is the graph's edge key
  (``holdsPosition:厅长``), unique per pair of nodes.
* ``import.cypher`` — the same data through ``LOAD CSV`` into a running database
  (constraint first, then ``MERGE`` by id), for people without shell access.
* ``README.txt`` — the exact ``neo4j-admin`` command (``IMPORT_COMMAND``).

Format rules (Neo4j operations manual, "Import header format"): UTF-8 without
BOM, ``,`` between fields, ``"`` quotes with ``""`` inside (the csv module's
default, and neo4j-admin's since 5.0 without ``--legacy-style-quoting``), ``;``
between array items. Neo4j cannot escape the array delimiter, so an ASCII
``;`` inside an alias or document id is written as the full-width ``；``.
Empty fields are absent properties (``title`` exists only on HOLDS_POSITION).
Control characters are dropped (see ``kg.export._text``).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import networkx as nx

from kg.export import atomic_write
from kg.export._text import clean_text
from kg.graph import sorted_graph

ARRAY_DELIMITER = ";"

NODE_HEADER = ["id:ID", ":LABEL", "label", "type", "aliases:string[]", "mentions:int", "documents:string[]"]
REL_HEADER = [
    ":START_ID",
    ":END_ID",
    ":TYPE",
    "key",
    "relation",
    "title",
    "evidence",
    "documents:string[]",
    "weight:int",
]

#: Run from ``$NEO4J_HOME`` with the folder's CSVs copied into ``import/``; the
#: database (here ``neo4j``) must not exist yet (or add ``--overwrite-destination=true``).
IMPORT_COMMAND = (
    "bin/neo4j-admin database import full"
    " --nodes=import/nodes.csv"
    " --relationships=import/relationships.csv"
    ' --array-delimiter=";"'
    " --multiline-fields=true"
    " neo4j"
)


def relationship_type(relation: str) -> str:
    """The Neo4j relationship type for a relation: UPPER_SNAKE.

    >>> relationship_type("holdsPosition")
    'HOLDS_POSITION'
    >>> relationship_type("partOf")
    'PART_OF'
    """
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", relation).upper()


def _array(values) -> str:
    items = (clean_text(v).replace(ARRAY_DELIMITER, "；") for v in values or ())
    return ARRAY_DELIMITER.join(i for i in items if i)


def _csv(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def nodes_csv(G: nx.MultiDiGraph) -> str:
    """The text of ``nodes.csv``."""
    H = sorted_graph(G)
    rows = []
    for nid, d in H.nodes(data=True):
        type_ = clean_text(d.get("type", ""))
        rows.append(
            [
                clean_text(nid),
                f"Entity{ARRAY_DELIMITER}{type_}" if type_ else "Entity",
                clean_text(d.get("label", "")),
                type_,
                _array(d.get("aliases")),
                int(d.get("mentions") or 0),
                _array(d.get("documents")),
            ]
        )
    return _csv(NODE_HEADER, rows)


def relationships_csv(G: nx.MultiDiGraph) -> str:
    """The text of ``relationships.csv``."""
    H = sorted_graph(G)
    rows = []
    for u, v, k, d in H.edges(keys=True, data=True):
        evidence = d.get("evidence") or []
        sentences = "\n".join(clean_text(e.get("sentence", "")) for e in evidence)
        documents = sorted({str(e.get("document", "")) for e in evidence})
        rows.append(
            [
                clean_text(u),
                clean_text(v),
                relationship_type(d["relation"]),
                clean_text(k),
                d["relation"],
                clean_text(d.get("title", "")),
                sentences,
                _array(documents),
                int(d.get("weight", len(evidence)) or 0),
            ]
        )
    return _csv(REL_HEADER, rows)


def _cypher_array(column: str) -> str:
    return f"CASE WHEN coalesce(row.`{column}`, '') = '' THEN [] ELSE split(row.`{column}`, '{ARRAY_DELIMITER}') END"


def import_cypher(G: nx.MultiDiGraph) -> str:
    """``import.cypher``: LOAD CSV into a running database; files in its ``import/`` folder."""
    types = sorted({d.get("type", "") for _, d in G.nodes(data=True)} - {""})
    rel_types = sorted({relationship_type(d["relation"]) for _, _, d in G.edges(data=True)})
    out = [
        "// Load kg's neo4j/ CSVs into a running Neo4j 5 database (cypher-shell -f import.cypher).",
        "// Copy nodes.csv and relationships.csv into the database's import/ folder first.",
        "// For a new, empty database the bulk importer is faster:",
        f"//   {IMPORT_COMMAND}",
        "",
        "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;",
        "",
    ]
    for type_ in types:
        out += [
            "LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row",
            f"WITH row WHERE row.type = '{type_}'",
            "MERGE (n:Entity {id: row.`id:ID`})",
            f"SET n:{type_}, n.label = row.label, n.type = row.type,",
            f"    n.aliases = {_cypher_array('aliases:string[]')},",
            "    n.mentions = toInteger(row.`mentions:int`),",
            f"    n.documents = {_cypher_array('documents:string[]')};",
            "",
        ]
    for rel in rel_types:
        out += [
            "LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row",
            f"WITH row WHERE row.`:TYPE` = '{rel}'",
            "MATCH (a:Entity {id: row.`:START_ID`}), (b:Entity {id: row.`:END_ID`})",
            f"MERGE (a)-[r:{rel} {{key: row.key}}]->(b)",
            "SET r.relation = row.relation, r.title = row.title, r.evidence = row.evidence,",
            f"    r.documents = {_cypher_array('documents:string[]')},",
            "    r.weight = toInteger(row.`weight:int`);",
            "",
        ]
    return "\n".join(out)


README = f"""kg graph for Neo4j
==================

nodes.csv          one row per entity; labels Entity + its type (Person, Agency, Organization, Place, Initiative)
relationships.csv  one row per relation; types HOLDS_POSITION, AFFILIATED_WITH, ORGANIZES, PARTICIPATES_IN,
                   LOCATED_IN, PART_OF, COOPERATES_WITH; evidence = the source sentences, one per line
import.cypher      the same through LOAD CSV into a running database (constraint first, MERGE by id)

Bulk import into a new database (Neo4j 5; database stopped and not yet existing):
copy nodes.csv and relationships.csv into $NEO4J_HOME/import/, then from $NEO4J_HOME run

    {IMPORT_COMMAND}

then, in cypher-shell or the browser:

    CREATE DATABASE neo4j IF NOT EXISTS;   // on Enterprise; on Community just start the server
    CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;

Arrays (aliases, documents) use ";" as delimiter; a ";" inside a value is written as the full-width "；".
Example query:

    MATCH (p:Person)-[r:HOLDS_POSITION]->(a:Agency) RETURN p.label, r.title, a.label;
"""


def write_neo4j(G: nx.MultiDiGraph, folder: str | Path) -> None:
    """Write ``nodes.csv``, ``relationships.csv``, ``import.cypher`` and ``README.txt`` into ``folder``."""
    folder = Path(folder)
    atomic_write(folder / "nodes.csv", nodes_csv(G))
    atomic_write(folder / "relationships.csv", relationships_csv(G))
    atomic_write(folder / "import.cypher", import_cypher(G))
    atomic_write(folder / "README.txt", README)
