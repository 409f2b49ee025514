"""``kg eval --graph``: a built graph against a graph gold (what a right graph of the articles holds).

The gold is one JSON file (the format of the README's *Measuring a graph*)::

    {"entities": [{"name", "type", "aliases": [...], "core": bool, "docs": ["01", ...],
                   "alt_names_not_in_text"?: [...]}],
     "relations": [{"head", "rel", "tail", "doc", "core": bool, "title"?}]}

``type`` is PER, AGENCY, ORG, PLACE or INITIATIVE; ``rel`` one of
holds_position, affiliated_with, organizes, participates_in, located_in,
part_of, cooperates_with; ``docs``/``doc`` are document ids without their
extension (``01`` for ``01.txt``). Only the gold of the documents in the graph
is scored, so a graph of some of the articles is measured on those.

How it counts:

* a node matches a gold entity when its label or an alias equals the gold
  name or an alias (spaces, quotes and 《》 aside); a node that matches only a
  non-core entity is neutral, one that matches none is a false positive;
* entity precision = matching nodes / (matching + false positive nodes),
  recall = core entities with a node; a core entity with two nodes is a
  duplicate;
* a core relation is found when a link joins a node of its head and a node of
  its tail (either direction); *typed* when one such link is of its kind;
* link precision (a lower bound: the gold is not exhaustive) = links between
  two different gold entities that the gold relates / all such links.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import UserError
from kg.eval_input import gold_problem, graph_json_problem

TYPES = {"Person": "PER", "Agency": "AGENCY", "Organization": "ORG", "Place": "PLACE", "Initiative": "INITIATIVE"}
KINDS = {
    "holds_position": "holdsPosition",
    "affiliated_with": "affiliatedWith",
    "organizes": "organizes",
    "participates_in": "participatesIn",
    "located_in": "locatedIn",
    "part_of": "partOf",
    "cooperates_with": "cooperatesWith",
}
_STRIP = re.compile(r"[\s“”‘’\"'《》〈〉「」『』]")


def _norm(name: str) -> str:
    return _STRIP.sub("", name or "")


@dataclass
class GraphScores:
    """Everything ``kg eval --graph`` prints."""

    documents: int = 0
    nodes: int = 0
    matched: int = 0
    neutral: int = 0
    false_positives: list[str] = field(default_factory=list)
    core: Counter = field(default_factory=Counter)  # core gold entities by type
    found: Counter = field(default_factory=Counter)  # ... with a node
    typed: Counter = field(default_factory=Counter)  # ... with a node of their type
    predicted: Counter = field(default_factory=Counter)  # scored nodes by (gold-style) type
    correct: Counter = field(default_factory=Counter)  # ... that match core gold
    duplicates: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    relations: Counter = field(default_factory=Counter)  # core relations by kind
    pair_hits: Counter = field(default_factory=Counter)
    typed_hits: Counter = field(default_factory=Counter)
    missed_relations: list[str] = field(default_factory=list)
    links: int = 0
    links_between_gold: int = 0
    links_in_gold: int = 0

    @property
    def precision(self) -> float:
        return (
            self.matched / (self.matched + len(self.false_positives)) if self.false_positives or self.matched else 0.0
        )

    @property
    def recall(self) -> float:
        total = sum(self.core.values())
        return sum(self.found.values()) / total if total else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def relation_recall(self, typed: bool = True) -> float:
        total = sum(self.relations.values())
        hits = self.typed_hits if typed else self.pair_hits
        return sum(hits.values()) / total if total else 0.0

    @property
    def link_precision(self) -> float:
        return self.links_in_gold / self.links_between_gold if self.links_between_gold else 0.0

    def summary(self) -> dict:
        return {
            "documents": self.documents,
            "entity_precision": round(self.precision, 3),
            "entity_recall": round(self.recall, 3),
            "entity_f1": round(self.f1, 3),
            "typed_entity_recall": round(sum(self.typed.values()) / max(1, sum(self.core.values())), 3),
            "false_positive_nodes": len(self.false_positives),
            "duplicate_core_entities": len(self.duplicates),
            "core_relation_pair_recall": round(self.relation_recall(typed=False), 3),
            "core_relation_typed_recall": round(self.relation_recall(), 3),
            "link_pair_precision_lower_bound": round(self.link_precision, 3),
            "links": self.links,
        }

    def render(self, misses: bool = False) -> str:
        s = self.summary()
        rows = [
            f"{self.documents} documents, {self.nodes} nodes scored, {self.links} links",
            f"entities   P {s['entity_precision']:.3f}  R {s['entity_recall']:.3f}  F1 {s['entity_f1']:.3f}"
            f"  (typed recall {s['typed_entity_recall']:.3f}, {len(self.false_positives)} false positive nodes,"
            f" {self.neutral} neutral, {len(self.duplicates)} duplicated core entities)",
            f"{'type':<12}{'gold':>6}{'found':>7}{'recall':>8}{'typed':>7}{'nodes':>7}{'prec.':>7}",
        ]
        for t in ("PER", "AGENCY", "ORG", "PLACE", "INITIATIVE"):
            n, f, ty, pred, ok = self.core[t], self.found[t], self.typed[t], self.predicted[t], self.correct[t]
            rows.append(
                f"{t:<12}{n:>6}{f:>7}{f / n if n else 0:>8.3f}{ty / n if n else 0:>7.3f}{pred:>7}"
                f"{ok / pred if pred else 0:>7.3f}"
            )
        rows.append(
            f"relations  core recall {s['core_relation_pair_recall']:.3f} (pair), "
            f"{s['core_relation_typed_recall']:.3f} (typed); link precision ≥ {s['link_pair_precision_lower_bound']:.3f}"
        )
        rows.append(f"{'relation':<16}{'gold':>6}{'pair':>7}{'typed':>7}{'recall':>8}")
        for kind in KINDS:
            n = self.relations[kind]
            rows.append(
                f"{KINDS[kind]:<16}{n:>6}{self.pair_hits[kind]:>7}{self.typed_hits[kind]:>7}"
                f"{self.typed_hits[kind] / n if n else 0:>8.3f}"
            )
        if misses:
            rows.append("\nfalse positive nodes: " + " | ".join(self.false_positives))
            rows.append("missed core entities: " + " | ".join(self.missed))
            rows.append("duplicated: " + " | ".join(self.duplicates))
            rows.append("missed core relations:\n  " + "\n  ".join(self.missed_relations))
        return "\n".join(rows)


def load_gold(path: str | Path) -> dict:
    """Read and check a graph gold file; a one-line ``UserError`` names what is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path} is not a JSON graph gold ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise UserError(f"{path}: a graph gold is an object with 'entities' and 'relations' lists")
    names = set()
    for i, e in enumerate(data["entities"]):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or e.get("type") not in TYPES.values():
            raise UserError(f"{path}: entity {i} needs a 'name' and a 'type' of {', '.join(TYPES.values())}")
        names.add(e["name"])
    problem = gold_problem(data)
    if problem:
        raise UserError(f"{path}: {problem}")
    for i, r in enumerate(data.get("relations", [])):
        if (
            not isinstance(r, dict)
            or r.get("rel") not in KINDS
            or r.get("head") not in names
            or r.get("tail") not in names
        ):
            raise UserError(
                f"{path}: relation {i} needs 'head' and 'tail' entity names and a 'rel' of {', '.join(KINDS)}"
            )
    return data


def load_graph_json(path: str | Path) -> dict:
    """A node-link ``graph.json`` as plain data (links under ``edges`` or ``links``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{path} is not a graph.json ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise UserError(f"{path} is not a node-link graph.json (no 'nodes' list)")
    problem = graph_json_problem(data)
    if problem:
        raise UserError(f"{path} is not a node-link graph.json: {problem}")
    return data


def _stem(doc_id: str) -> str:
    name = doc_id.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def score_graph(data: dict, gold: dict, documents: set[str] | None = None) -> GraphScores:
    """Score a node-link graph (``graph.json`` data) against a gold, restricted to the graph's documents."""
    if documents is None:
        documents = {_stem(d["id"]) for d in data.get("graph", {}).get("documents", [])}
    entities = [e for e in gold["entities"] if not documents or set(e.get("docs", [])) & documents]
    relations = [r for r in gold.get("relations", []) if not documents or r.get("doc") in documents]
    out = GraphScores(documents=len(documents))
    surface: dict[str, int] = {}
    for i, e in enumerate(entities):
        for s in [e["name"], *e.get("aliases", []), *e.get("alt_names_not_in_text", [])]:
            surface.setdefault(_norm(s), i)
    node_gold: dict[str, int | None] = {}
    node_type: dict[str, str] = {}
    for n in data["nodes"]:
        t = TYPES.get(n.get("type", ""))
        if t is None:
            continue
        forms = [n.get("label", ""), *n.get("aliases", [])]
        hits = [surface[_norm(f)] for f in forms if _norm(f) in surface]
        node_gold[n["id"]] = hits[0] if hits else None
        node_type[n["id"]] = t
    matched: dict[int, list[str]] = defaultdict(list)
    label = {n["id"]: n.get("label", "") for n in data["nodes"]}
    for nid, gi in node_gold.items():
        out.nodes += 1
        out.predicted[node_type[nid]] += 1
        if gi is None:
            out.false_positives.append(label[nid])
            continue
        matched[gi].append(nid)
        if entities[gi].get("core"):
            out.matched += 1
            out.correct[node_type[nid]] += 1
        else:
            out.neutral += 1
    for i, e in enumerate(entities):
        if not e.get("core"):
            continue
        out.core[e["type"]] += 1
        if matched[i]:
            out.found[e["type"]] += 1
            out.typed[e["type"]] += any(node_type[n] == e["type"] for n in matched[i])
            if len(matched[i]) > 1:
                out.duplicates.append(e["name"])
        else:
            out.missed.append(e["name"])
    links = data.get("edges", data.get("links", []))
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for link in links:
        a, b, kind = link.get("source"), link.get("target"), link.get("relation", "")
        kinds[(a, b)].add(kind)
        kinds[(b, a)].add(kind)
    index = {e["name"]: i for i, e in enumerate(entities)}
    for r in relations:
        if not r.get("core") or r["head"] not in index or r["tail"] not in index:
            continue
        kind = r["rel"]
        out.relations[kind] += 1
        found = set().union(
            *(kinds.get((a, b), set()) for a in matched[index[r["head"]]] for b in matched[index[r["tail"]]])
        )
        if found:
            out.pair_hits[kind] += 1
            out.typed_hits[kind] += KINDS[kind] in found
        if KINDS[kind] not in found:
            got = f" (linked as {', '.join(sorted(found))})" if found else ""
            out.missed_relations.append(f"{r['doc']}: {r['head']} -{kind}-> {r['tail']}{got}")
    gold_pairs = {
        frozenset((index[r["head"]], index[r["tail"]])) for r in relations if r["head"] in index and r["tail"] in index
    }
    out.links = len(links)
    for link in links:
        a, b = node_gold.get(link.get("source")), node_gold.get(link.get("target"))
        if a is not None and b is not None and a != b:
            out.links_between_gold += 1
            out.links_in_gold += frozenset((a, b)) in gold_pairs
    return out


def evaluate_graph(gold_path: str | Path, graph: str | Path, jobs: int = 1) -> GraphScores:
    """``kg eval --graph GOLD GRAPH``: GRAPH is a ``graph.json`` or a folder of articles to build first."""
    gold = load_gold(gold_path)
    path = Path(graph)
    if path.is_dir():
        from kg.export.json import json_text
        from kg.pipeline import build_graph

        data = json.loads(json_text(build_graph([path], jobs=jobs)))
    elif path.exists():
        data = load_graph_json(path)
    else:
        raise UserError(f"no graph.json or folder at {path}")
    return score_graph(data, gold)
