// Load kg's neo4j/ CSVs into a running Neo4j 5 database (cypher-shell -f import.cypher).
// Copy nodes.csv and relationships.csv into the database's import/ folder first.
// For a new, empty database the bulk importer is faster:
//   bin/neo4j-admin database import full --nodes=import/nodes.csv --relationships=import/relationships.csv --array-delimiter=";" --multiline-fields=true neo4j

CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;

LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row
WITH row WHERE row.type = 'Agency'
MERGE (n:Entity {id: row.`id:ID`})
SET n:Agency, n.label = CASE WHEN row.`label` STARTS WITH "'" THEN substring(row.`label`, 1) ELSE row.`label` END, n.type = row.type,
    n.aliases = CASE WHEN coalesce(row.`aliases:string[]`, '') = '' THEN [] ELSE [x IN split(row.`aliases:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    n.mentions = toInteger(row.`mentions:int`),
    n.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END;

LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row
WITH row WHERE row.type = 'Initiative'
MERGE (n:Entity {id: row.`id:ID`})
SET n:Initiative, n.label = CASE WHEN row.`label` STARTS WITH "'" THEN substring(row.`label`, 1) ELSE row.`label` END, n.type = row.type,
    n.aliases = CASE WHEN coalesce(row.`aliases:string[]`, '') = '' THEN [] ELSE [x IN split(row.`aliases:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    n.mentions = toInteger(row.`mentions:int`),
    n.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END;

LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row
WITH row WHERE row.type = 'Organization'
MERGE (n:Entity {id: row.`id:ID`})
SET n:Organization, n.label = CASE WHEN row.`label` STARTS WITH "'" THEN substring(row.`label`, 1) ELSE row.`label` END, n.type = row.type,
    n.aliases = CASE WHEN coalesce(row.`aliases:string[]`, '') = '' THEN [] ELSE [x IN split(row.`aliases:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    n.mentions = toInteger(row.`mentions:int`),
    n.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END;

LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row
WITH row WHERE row.type = 'Person'
MERGE (n:Entity {id: row.`id:ID`})
SET n:Person, n.label = CASE WHEN row.`label` STARTS WITH "'" THEN substring(row.`label`, 1) ELSE row.`label` END, n.type = row.type,
    n.aliases = CASE WHEN coalesce(row.`aliases:string[]`, '') = '' THEN [] ELSE [x IN split(row.`aliases:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    n.mentions = toInteger(row.`mentions:int`),
    n.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END;

LOAD CSV WITH HEADERS FROM 'file:///nodes.csv' AS row
WITH row WHERE row.type = 'Place'
MERGE (n:Entity {id: row.`id:ID`})
SET n:Place, n.label = CASE WHEN row.`label` STARTS WITH "'" THEN substring(row.`label`, 1) ELSE row.`label` END, n.type = row.type,
    n.aliases = CASE WHEN coalesce(row.`aliases:string[]`, '') = '' THEN [] ELSE [x IN split(row.`aliases:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    n.mentions = toInteger(row.`mentions:int`),
    n.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END;

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'AFFILIATED_WITH'
MATCH (a:Entity {id: row.`:START_ID`}), (b:Entity {id: row.`:END_ID`})
MERGE (a)-[r:AFFILIATED_WITH {key: row.key}]->(b)
SET r.relation = row.relation, r.title = CASE WHEN row.`title` STARTS WITH "'" THEN substring(row.`title`, 1) ELSE row.`title` END, r.evidence = CASE WHEN row.`evidence` STARTS WITH "'" THEN substring(row.`evidence`, 1) ELSE row.`evidence` END,
    r.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    r.weight = toInteger(row.`weight:int`);

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'COOPERATES_WITH'
MATCH (a:Entity {id: row.`:START_ID`}), (b:Entity {id: row.`:END_ID`})
MERGE (a)-[r:COOPERATES_WITH {key: row.key}]->(b)
SET r.relation = row.relation, r.title = CASE WHEN row.`title` STARTS WITH "'" THEN substring(row.`title`, 1) ELSE row.`title` END, r.evidence = CASE WHEN row.`evidence` STARTS WITH "'" THEN substring(row.`evidence`, 1) ELSE row.`evidence` END,
    r.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    r.weight = toInteger(row.`weight:int`);

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'HOLDS_POSITION'
MATCH (a:Entity {id: row.`:START_ID`}), (b:Entity {id: row.`:END_ID`})
MERGE (a)-[r:HOLDS_POSITION {key: row.key}]->(b)
SET r.relation = row.relation, r.title = CASE WHEN row.`title` STARTS WITH "'" THEN substring(row.`title`, 1) ELSE row.`title` END, r.evidence = CASE WHEN row.`evidence` STARTS WITH "'" THEN substring(row.`evidence`, 1) ELSE row.`evidence` END,
    r.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    r.weight = toInteger(row.`weight:int`);

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'LOCATED_IN'
MATCH (a:Entity {id: row.`:START_ID`}), (b:Entity {id: row.`:END_ID`})
MERGE (a)-[r:LOCATED_IN {key: row.key}]->(b)
SET r.relation = row.relation, r.title = CASE WHEN row.`title` STARTS WITH "'" THEN substring(row.`title`, 1) ELSE row.`title` END, r.evidence = CASE WHEN row.`evidence` STARTS WITH "'" THEN substring(row.`evidence`, 1) ELSE row.`evidence` END,
    r.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    r.weight = toInteger(row.`weight:int`);

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'ORGANIZES'
MATCH (a:Entity {id: row.`:START_ID`}), (b:Entity {id: row.`:END_ID`})
MERGE (a)-[r:ORGANIZES {key: row.key}]->(b)
SET r.relation = row.relation, r.title = CASE WHEN row.`title` STARTS WITH "'" THEN substring(row.`title`, 1) ELSE row.`title` END, r.evidence = CASE WHEN row.`evidence` STARTS WITH "'" THEN substring(row.`evidence`, 1) ELSE row.`evidence` END,
    r.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    r.weight = toInteger(row.`weight:int`);

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'PARTICIPATES_IN'
MATCH (a:Entity {id: row.`:START_ID`}), (b:Entity {id: row.`:END_ID`})
MERGE (a)-[r:PARTICIPATES_IN {key: row.key}]->(b)
SET r.relation = row.relation, r.title = CASE WHEN row.`title` STARTS WITH "'" THEN substring(row.`title`, 1) ELSE row.`title` END, r.evidence = CASE WHEN row.`evidence` STARTS WITH "'" THEN substring(row.`evidence`, 1) ELSE row.`evidence` END,
    r.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    r.weight = toInteger(row.`weight:int`);

LOAD CSV WITH HEADERS FROM 'file:///relationships.csv' AS row
WITH row WHERE row.`:TYPE` = 'PART_OF'
MATCH (a:Entity {id: row.`:START_ID`}), (b:Entity {id: row.`:END_ID`})
MERGE (a)-[r:PART_OF {key: row.key}]->(b)
SET r.relation = row.relation, r.title = CASE WHEN row.`title` STARTS WITH "'" THEN substring(row.`title`, 1) ELSE row.`title` END, r.evidence = CASE WHEN row.`evidence` STARTS WITH "'" THEN substring(row.`evidence`, 1) ELSE row.`evidence` END,
    r.documents = CASE WHEN coalesce(row.`documents:string[]`, '') = '' THEN [] ELSE [x IN split(row.`documents:string[]`, ';') | CASE WHEN x STARTS WITH "'" THEN substring(x, 1) ELSE x END] END,
    r.weight = toInteger(row.`weight:int`);
