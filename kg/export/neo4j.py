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
* ``kuzu.cypher`` — the same into an embedded Kùzu (or its fork ladybug) database:
  tables, then ``COPY … FROM (LOAD WITH HEADERS …)``, which reads the quoted
  multi-line fields and splits the arrays (a plain ``COPY`` of these files does
  neither). Run it from inside the folder: the CSV paths are relative.
* ``README.txt`` — the exact ``neo4j-admin`` command (``IMPORT_COMMAND``) and
  the statement to run after it (``UNESCAPE_CYPHER``).

Spreadsheet formulas: a text cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is a formula to LibreOffice and Excel (an article's
``=HYPERLINK(…)`` became a live link). Every such value — a name, an alias,
a title, a document name, an evidence text — is written with a leading
apostrophe (``'=HYPERLINK(…)``), which spreadsheets show as text. So that the
real value can be recovered, a value that itself begins with an apostrophe
gets one more. Reading back is one rule: drop one leading apostrophe
(``unescape_cell``). ``import.cypher`` and ``kuzu.cypher`` apply it while
loading; after ``neo4j-admin database import`` (which takes fields as they
are) ``UNESCAPE_CYPHER`` applies it once in the database.

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
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from kg import schema
from kg.cells import FORMULA_START, escape_cell, unescape_cell  # noqa: F401 (FORMULA_START, unescape_cell: re-exported)
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


def _text(value) -> str:
    return escape_cell(clean_text(value))


def _array(values: Iterable | None) -> str:
    items = (escape_cell(clean_text(v).replace(ARRAY_DELIMITER, "；")) for v in values or ())
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
                _text(d.get("label", "")),
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
                _text(d.get("title", "")),
                escape_cell(sentences),
                _array(documents),
                int(d.get("weight", len(evidence)) or 0),
            ]
        )
    return _csv(REL_HEADER, rows)


def _unescape(expr: str) -> str:
    """Cypher for ``unescape_cell`` of a text expression (Neo4j's substring counts from 0)."""
    return f'CASE WHEN {expr} STARTS WITH "\'" THEN substring({expr}, 1) ELSE {expr} END'


def _cypher_text(column: str) -> str:
    return _unescape(f"row.`{column}`")


def _cypher_array(column: str) -> str:
    items = f"[x IN split(row.`{column}`, '{ARRAY_DELIMITER}') | {_unescape('x')}]"
    return f"CASE WHEN coalesce(row.`{column}`, '') = '' THEN [] ELSE {items} END"


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
            f"SET n:{type_}, n.label = {_cypher_text('label')}, n.type = row.type,",
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
            f"SET r.relation = row.relation, r.title = {_cypher_text('title')}, r.evidence = {_cypher_text('evidence')},",
            f"    r.documents = {_cypher_array('documents:string[]')},",
            "    r.weight = toInteger(row.`weight:int`);",
            "",
        ]
    return "\n".join(out)


def _kuzu_text(col: str) -> str:
    return f"regexp_replace({col}, \"^'\", '')"


def _kuzu_array(col: str) -> str:
    items = f"list_transform(string_split({col}, '{ARRAY_DELIMITER}'), x -> {_kuzu_text('x')})"
    return f"CASE WHEN {col} IS NULL THEN CAST([] AS STRING[]) ELSE {items} END"


KUZU_CSV_OPTIONS = "(header=true, parallel=false, auto_detect=false, delim=',', quote='\"', escape='\"')"


def kuzu_cypher(G: nx.MultiDiGraph) -> str:
    """``kuzu.cypher``: the CSVs into an embedded Kùzu/ladybug database, run from inside the folder."""
    # a table for every relation of the schema (queries on an absent one then find nothing, not an error)
    present = {d["relation"] for _, _, d in G.edges(data=True)}
    rel_types = sorted({relationship_type(r) for r in (*schema.RELATIONS, *present)})
    node_cols = ", ".join(f"c{i} STRING" for i in range(len(NODE_HEADER)))
    rel_cols = ", ".join(f"c{i} STRING" for i in range(len(REL_HEADER)))
    out = [
        "// Load kg's neo4j/ CSVs into an embedded Kùzu or ladybug database (Cypher), from inside this folder:",
        "//   python -c \"import ladybug as k; k.Connection(k.Database('kg.db')).execute(open('kuzu.cypher').read())\"",
        "// (or import kuzu as k). LOAD WITH HEADERS reads the quoted multi-line evidence; the arrays are split",
        "// and the leading apostrophe that keeps spreadsheets from running formulas is dropped.",
        "CREATE NODE TABLE Entity(id STRING, labels STRING[], label STRING, type STRING, aliases STRING[],"
        " mentions INT64, documents STRING[], PRIMARY KEY(id));",
        f"COPY Entity FROM (LOAD WITH HEADERS ({node_cols}) FROM 'nodes.csv' {KUZU_CSV_OPTIONS}"
        f" RETURN c0, string_split(c1, '{ARRAY_DELIMITER}'), {_kuzu_text('c2')}, c3, {_kuzu_array('c4')},"
        f" CAST(c5 AS INT64), {_kuzu_array('c6')});",
    ]
    for rel in rel_types:
        out += [
            f"CREATE REL TABLE {rel}(FROM Entity TO Entity, key STRING, relation STRING, title STRING,"
            " evidence STRING, documents STRING[], weight INT64);",
            f"COPY {rel} FROM (LOAD WITH HEADERS ({rel_cols}) FROM 'relationships.csv' {KUZU_CSV_OPTIONS}"
            f" WITH * WHERE c2 = '{rel}' RETURN c0, c1, c3, c4, {_kuzu_text('c5')}, {_kuzu_text('c6')},"
            f" {_kuzu_array('c7')}, CAST(c8 AS INT64));",
        ]
    return "\n".join(out) + "\n"


def _unescape_set(var: str, prop: str, array: bool = False) -> str:
    if array:
        return f"{var}.{prop} = [x IN {var}.{prop} | {_unescape('x')}]"
    return f"{var}.{prop} = {_unescape(f'{var}.{prop}')}"


#: run once after ``neo4j-admin database import``: drop the spreadsheet escape (see the module docstring)
UNESCAPE_CYPHER = (
    "MATCH (n:Entity) SET "
    + ", ".join(
        [_unescape_set("n", "label"), _unescape_set("n", "aliases", True), _unescape_set("n", "documents", True)]
    )
    + ";\nMATCH ()-[r]->() SET "
    + ", ".join([_unescape_set("r", "title"), _unescape_set("r", "evidence"), _unescape_set("r", "documents", True)])
    + ";"
)


_README = f"""kg graph for Neo4j
==================

{{files}}
import.cypher      the same through LOAD CSV into a running database (constraint first, MERGE by id)
kuzu.cypher        the same into an embedded Kuzu/ladybug database (run it from inside this folder)

Text that starts with = + - @ tab or CR (a formula to a spreadsheet) or with ' is written with one more
leading ', so LibreOffice and Excel show it as text; the real value is the cell without one leading '.
import.cypher and kuzu.cypher drop it while loading.

Bulk import into a new database (Neo4j 5; database stopped and not yet existing):
copy nodes.csv and relationships.csv into $NEO4J_HOME/import/, then from $NEO4J_HOME run

    {IMPORT_COMMAND}

then, in cypher-shell or the browser:

    CREATE DATABASE neo4j IF NOT EXISTS;   // on Enterprise; on Community just start the server
    CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;
    {UNESCAPE_CYPHER.replace(chr(10), chr(10) + "    ")}

Arrays (aliases, documents) use ";" as delimiter; a ";" inside a value is written as the full-width "；".
Example query:

    MATCH (p:Person)-[r:HOLDS_POSITION]->(a:Agency) RETURN p.label, r.title, a.label;
"""


def readme_text() -> str:
    """``README.txt``: the files, the types and relationship types (from ``kg.schema``), the commands."""
    import textwrap

    files = [
        f"nodes.csv          one row per entity; labels Entity + its type ({', '.join(schema.ENTITY_TYPES)})",
        textwrap.fill(
            "relationships.csv  one row per relation; types "
            + ", ".join(relationship_type(r) for r in schema.RELATIONS)
            + "; evidence = the source sentences, one per line",
            width=107,
            subsequent_indent=" " * 19,
            break_on_hyphens=False,
            break_long_words=False,
        ),
    ]
    return _README.replace("{files}", "\n".join(files))


def write_neo4j(G: nx.MultiDiGraph, folder: str | Path) -> None:
    """Write ``nodes.csv``, ``relationships.csv``, ``import.cypher``, ``kuzu.cypher`` and ``README.txt``."""
    folder = Path(folder)
    atomic_write(folder / "nodes.csv", nodes_csv(G))
    atomic_write(folder / "relationships.csv", relationships_csv(G))
    atomic_write(folder / "import.cypher", import_cypher(G))
    atomic_write(folder / "kuzu.cypher", kuzu_cypher(G))
    atomic_write(folder / "README.txt", readme_text())
