"""neo4j/: the admin-import format checked field by field, then loaded into a real embedded graph database.

The database is ladybug (the maintained fork of Kùzu, same Cypher): its own
CSV reader parses our files (quotes, commas, newlines), and Cypher queries
must find the people and the 科技特派员制度 chain.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from kg.export.neo4j import (
    ARRAY_DELIMITER,
    FORMULA_START,
    IMPORT_COMMAND,
    UNESCAPE_CYPHER,
    relationship_type,
    unescape_cell,
    write_neo4j,
)
from kg.schema import ENTITY_TYPES, RELATIONS

# neo4j-admin header: <name>:<field_type>; property types may end in [] (arrays).
PROPERTY_TYPES = {
    "int",
    "long",
    "float",
    "double",
    "boolean",
    "byte",
    "short",
    "char",
    "string",
    "point",
    "date",
    "localtime",
    "time",
    "localdatetime",
    "datetime",
    "duration",
}
SPECIAL = {"ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE"}
UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_header(field: str) -> tuple[str, str, bool]:
    """``aliases:string[]`` -> ("aliases", "string", True); ``:TYPE`` -> ("", "TYPE", False)."""
    name, sep, kind = field.rpartition(":")
    if not sep:
        return field, "string", False
    is_array = kind.endswith("[]")
    base = kind[:-2] if is_array else kind
    assert base in SPECIAL or base in PROPERTY_TYPES, f"unknown field type in {field!r}"
    assert not (is_array and base in SPECIAL), field
    return name, base, is_array


def convert(value: str, kind: str, is_array: bool):
    if value == "":
        return None  # absent property
    if is_array:
        items = value.split(ARRAY_DELIMITER)
        assert all(items), f"empty array item in {value!r}"
        return [convert(i, kind, False) for i in items]
    if kind in {"int", "long", "short", "byte"}:
        return int(value)
    if kind in {"float", "double"}:
        return float(value)
    return value


def read_import_csv(path: Path, required: set[str]) -> list[dict]:
    """Read one file the way neo4j-admin does, checking the format as it goes."""
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has a BOM"
    text = raw.decode("utf-8")
    rows = list(csv.reader(text.splitlines(keepends=True), delimiter=",", quotechar='"', doublequote=True))
    header, body = rows[0], rows[1:]
    fields = [parse_header(f) for f in header]
    specials = [kind for name, kind, _ in fields if kind in SPECIAL]
    assert sorted(specials) == sorted(required), f"{path.name}: special columns {specials}"
    names = [name or kind for name, kind, _ in fields]
    assert len(set(names)) == len(names), f"{path.name}: duplicate columns {names}"
    out = []
    for i, row in enumerate(body, start=2):
        assert len(row) == len(header), f"{path.name} row {i}: {len(row)} fields, header has {len(header)}"
        rec = {}
        for (name, kind, is_array), value in zip(fields, row, strict=True):
            if kind in SPECIAL:
                rec[":" + kind] = value
            else:
                rec[name] = convert(value, kind, is_array)
        out.append(rec)
    return out


def validate_folder(folder: Path) -> tuple[list[dict], list[dict]]:
    nodes = read_import_csv(folder / "nodes.csv", {"ID", "LABEL"})
    rels = read_import_csv(folder / "relationships.csv", {"START_ID", "END_ID", "TYPE"})
    ids = [n[":ID"] for n in nodes]
    assert len(set(ids)) == len(ids), "node ids are not unique"
    assert all(ids)
    for n in nodes:
        labels = n[":LABEL"].split(ARRAY_DELIMITER)
        assert labels[0] == "Entity" and all(IDENT.match(label) for label in labels), labels
        assert n["type"] in ENTITY_TYPES and n["type"] in labels
        assert isinstance(n["mentions"], int)
    known = set(ids)
    valid_types = {relationship_type(r) for r in RELATIONS}
    for r in rels:
        assert r[":START_ID"] in known and r[":END_ID"] in known, r
        assert UPPER_SNAKE.match(r[":TYPE"]) and r[":TYPE"] in valid_types, r[":TYPE"]
        assert r[":TYPE"] == relationship_type(r["relation"])
        assert isinstance(r["weight"], int) and r["weight"] >= 1
    keys = [(r[":START_ID"], r[":END_ID"], r["key"]) for r in rels]
    assert len(set(keys)) == len(keys)
    return nodes, rels


def test_relationship_types_are_upper_snake():
    assert [relationship_type(r) for r in RELATIONS] == [
        "HOLDS_POSITION",
        "AFFILIATED_WITH",
        "ORGANIZES",
        "PARTICIPATES_IN",
        "LOCATED_IN",
        "PART_OF",
        "COOPERATES_WITH",
    ]


def test_files_valid_and_complete(sample_graph, tmp_path):
    write_neo4j(sample_graph, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.txt",
        "import.cypher",
        "kuzu.cypher",
        "nodes.csv",
        "relationships.csv",
    ]
    nodes, rels = validate_folder(tmp_path)
    assert len(nodes) == sample_graph.number_of_nodes() and len(rels) == sample_graph.number_of_edges()
    by_id = {n[":ID"]: n for n in nodes}
    for nid, d in sample_graph.nodes(data=True):
        n = by_id[nid]
        assert n["mentions"] == d["mentions"] and n["documents"] == d["documents"]
        assert n["type"] == d["type"] and n[":LABEL"] == f"Entity;{d['type']}"
    agency = next(n for n in nodes if n["label"] == "河北省科学技术厅")
    assert agency["aliases"] == ["河北省科技厅", "省科技厅"]
    # the hostile name survives (quotes, comma-free markup, backslash, newline) minus the control character
    hostile = next(n for n in nodes if n["label"].startswith("坏"))
    assert hostile["label"] == "坏" + '<img src=x onerror="window.__pwned=1">"\'\\</script>]]>&amp;\n' + "公司"
    titles = sorted(r["title"] for r in rels if r[":TYPE"] == "HOLDS_POSITION")
    assert titles == ["厅长", "厅长"]
    assert all(r["title"] is None for r in rels if r[":TYPE"] != "HOLDS_POSITION")
    raw = (tmp_path / "nodes.csv").read_text(encoding="utf-8")
    assert "\x0b" not in raw


def test_array_delimiter_inside_values_is_kept_apart(tmp_path):
    from kg.graph import add_entity, new_graph

    G = new_graph()
    add_entity(G, "Place", "甲", aliases=["a;b", "c,d", 'e"f'])
    write_neo4j(G, tmp_path)
    (node,), _ = validate_folder(tmp_path)
    assert node["aliases"] == ["a；b", "c,d", 'e"f']


def test_byte_identical(sample_graph, tmp_path):
    write_neo4j(sample_graph, tmp_path / "a")
    write_neo4j(sample_graph, tmp_path / "b")
    for name in ["nodes.csv", "relationships.csv", "import.cypher", "kuzu.cypher", "README.txt"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_command_and_cypher_script(sample_graph, tmp_path):
    write_neo4j(sample_graph, tmp_path)
    assert IMPORT_COMMAND.startswith("bin/neo4j-admin database import full ")
    for part in ["--nodes=import/nodes.csv", "--relationships=import/relationships.csv", '--array-delimiter=";"']:
        assert part in IMPORT_COMMAND
    # evidence holds one sentence per line: the importer must accept quoted newlines
    assert "--multiline-fields=true" in IMPORT_COMMAND
    assert IMPORT_COMMAND in (tmp_path / "README.txt").read_text(encoding="utf-8")
    script = (tmp_path / "import.cypher").read_text(encoding="utf-8")
    code = "\n".join(line for line in script.splitlines() if not line.startswith("//"))
    statements = [s.strip() for s in code.split(";\n") if s.strip()]
    assert statements[0] == ("CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE")
    assert "MERGE (n:Entity {id: row.`id:ID`})" in script
    assert "MERGE (a)-[r:HOLDS_POSITION {key: row.key}]->(b)" in script
    assert len(statements) == 1 + 5 + 5  # constraint, one per entity type present, one per relation type present


# --- a real embedded graph database ------------------------------------------------------------


def load_into_ladybug(folder: Path, db_path: Path, monkeypatch=None):
    """Run the folder's kuzu.cypher as written, from inside the folder, in ladybug; return a connection."""
    import os

    ladybug = pytest.importorskip("ladybug", reason="pip install ladybug (the maintained fork of Kùzu)")
    db = ladybug.Database(str(db_path))
    conn = ladybug.Connection(db)
    here = os.getcwd()
    os.chdir(folder)
    try:
        conn.execute((folder / "kuzu.cypher").read_text(encoding="utf-8"))
    finally:
        os.chdir(here)
    return db, conn


def rows(conn, query: str) -> list[list]:
    result = conn.execute(query)
    out = []
    while result.has_next():
        out.append(result.get_next())
    return out


PEOPLE_Q = (
    "MATCH (p:Entity)-[r:HOLDS_POSITION]->(a:Entity {label: '河北省科学技术厅'}) "
    "WHERE r.title = '厅长' AND p.type = 'Person' RETURN p.label ORDER BY p.label"
)
CHAIN_Q = (
    "MATCH (a:Entity {label: '河北省科学技术厅'})-[:ORGANIZES]->(s:Entity {label: '科技特派员制度'})"
    "-[:LOCATED_IN]->(c:Entity {label: '唐山市'}) RETURN a.type, s.type, c.type"
)


def test_loads_into_embedded_graph_database(sample_graph, tmp_path):
    write_neo4j(sample_graph, tmp_path / "neo4j")
    _db, conn = load_into_ladybug(tmp_path / "neo4j", tmp_path / "db")
    assert rows(conn, "MATCH (n:Entity) RETURN count(n)") == [[sample_graph.number_of_nodes()]]
    total = sum(rows(conn, f"MATCH ()-[r:{t}]->() RETURN count(r)")[0][0] for t in map(relationship_type, RELATIONS))
    assert total == sample_graph.number_of_edges()
    assert rows(conn, PEOPLE_Q) == [["马宇骏"], ["龙奋杰"]]
    assert rows(conn, CHAIN_Q) == [["Agency", "Initiative", "Place"]]
    # arrays, ints and the hostile text come through the database's own CSV reader intact
    assert rows(conn, "MATCH (n:Entity {label: '河北省科学技术厅'}) RETURN n.aliases, n.mentions, n.labels") == [
        [["河北省科技厅", "省科技厅"], 5, ["Entity", "Agency"]]
    ]
    (label,) = rows(conn, "MATCH (n:Entity) WHERE n.label STARTS WITH '坏' RETURN n.label")[0]
    assert label == "坏" + '<img src=x onerror="window.__pwned=1">"\'\\</script>]]>&amp;\n' + "公司"
    (evidence,) = rows(conn, "MATCH ()-[r:COOPERATES_WITH]->() RETURN r.evidence")[0]
    assert evidence.endswith("与省科技厅合作。") and "\x0b" not in evidence


def test_seed_graph_in_embedded_graph_database(seed_graph, tmp_path):
    write_neo4j(seed_graph, tmp_path / "neo4j")
    validate_folder(tmp_path / "neo4j")
    _db, conn = load_into_ladybug(tmp_path / "neo4j", tmp_path / "db")
    assert rows(conn, "MATCH (n:Entity) RETURN count(n)") == [[seed_graph.number_of_nodes()]]
    people = [r[0] for r in rows(conn, PEOPLE_Q)]
    assert "龙奋杰" in people
    assert rows(conn, CHAIN_Q) == [["Agency", "Initiative", "Place"]]


# --- spreadsheet formulas ------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x.example/","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "'已有撇号"]


def formula_graph():
    from kg.graph import add_entity, add_link, new_graph

    G = new_graph([{"id": "=d.txt", "path": "=d.txt", "sha256": "0" * 64, "title": "", "chars": 9}])
    people = [add_entity(G, "Person", f, aliases=[f + "别名", "普通"], documents=["=d.txt"]) for f in FORMULAS]
    agency = add_entity(G, "Agency", "河北省科学技术厅", aliases=FORMULAS)
    for i, person in enumerate(people):
        ev = [{"document": "=d.txt", "sentence": FORMULAS[i] + "任厅长。", "start": i, "end": i + 5}]
        add_link(G, person, agency, "holdsPosition", ev, title=FORMULAS[i])
    return G


def test_no_cell_starts_like_a_formula(tmp_path):
    """What LibreOffice or Excel would open: no text cell starts with = + - @ tab or CR."""
    write_neo4j(formula_graph(), tmp_path)
    for name in ("nodes.csv", "relationships.csv"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
        assert all(not c.startswith(FORMULA_START[:-1]) for c in cells), name
        assert any(c.startswith("'=HYPERLINK(") for c in cells)


def test_formula_names_round_trip_through_the_admin_format(tmp_path):
    """neo4j-admin imports cells as they are; one dropped apostrophe (UNESCAPE_CYPHER) gives the real text."""
    G = formula_graph()
    write_neo4j(G, tmp_path)
    nodes, rels = validate_folder(tmp_path)
    labels = {unescape_cell(n["label"]) for n in nodes}
    assert labels == {d["label"] for _, d in G.nodes(data=True)}
    agency = next(n for n in nodes if n["label"] == "河北省科学技术厅")
    assert sorted(unescape_cell(a) for a in agency["aliases"]) == sorted(FORMULAS)
    assert {unescape_cell(r["title"]) for r in rels} == set(FORMULAS)
    assert {unescape_cell(r["evidence"]) for r in rels} == {f + "任厅长。" for f in FORMULAS}
    assert all(unescape_cell(d) == "=d.txt" for r in rels for d in r["documents"])
    # the statement the README gives for after the import drops exactly that apostrophe
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert all(statement in readme for statement in UNESCAPE_CYPHER.splitlines())
    assert UNESCAPE_CYPHER.count('STARTS WITH "\'" THEN substring(') == 6


def test_formula_names_round_trip_through_kuzu_cypher(tmp_path):
    G = formula_graph()
    write_neo4j(G, tmp_path / "neo4j")
    _db, conn = load_into_ladybug(tmp_path / "neo4j", tmp_path / "db")
    labels = {r[0] for r in rows(conn, "MATCH (n:Entity) RETURN n.label")}
    assert labels == {d["label"] for _, d in G.nodes(data=True)}
    (aliases,) = rows(conn, "MATCH (n:Entity {label: '河北省科学技术厅'}) RETURN n.aliases")[0]
    assert sorted(aliases) == sorted(FORMULAS)
    got = rows(conn, "MATCH (p)-[r:HOLDS_POSITION]->() RETURN p.label, r.title, r.evidence, r.documents")
    assert sorted(got) == sorted([f, f, f + "任厅长。", ["=d.txt"]] for f in FORMULAS)


def test_import_cypher_drops_the_escape_while_loading(tmp_path):
    write_neo4j(formula_graph(), tmp_path)
    script = (tmp_path / "import.cypher").read_text(encoding="utf-8")
    assert (
        'n.label = CASE WHEN row.`label` STARTS WITH "\'" THEN substring(row.`label`, 1) ELSE row.`label` END' in script
    )
    assert "[x IN split(row.`aliases:string[]`, ';') | CASE WHEN x STARTS WITH" in script
