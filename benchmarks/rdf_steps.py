"""One step of the RDF rows of the benchmark, as a whole process ``run.py`` times.

    python benchmarks/rdf_steps.py kg-turtle OUT        # graph.json -> Turtle text with kg's writer
    python benchmarks/rdf_steps.py rdflib-turtle OUT    # graph.json -> rdflib graph -> rdflib's Turtle serialiser
    python benchmarks/rdf_steps.py rdflib-query OUT     # rdflib parses OUT/graph.ttl, runs officials_by_agency

Each prints one number (characters of Turtle, or rows), so the two sides can be checked
to do the same work. ``kg query officials_by_agency --graph OUT/graph.ttl`` is the kg side
of the query row.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    step, out = argv[0], Path(argv[1])
    if step in ("kg-turtle", "rdflib-turtle"):
        from kg.export.json import read_json
        from kg.export.rdf import rdf_graph, turtle_text

        G = read_json(out / "graph.json")
        text = turtle_text(G) if step == "kg-turtle" else rdf_graph(G).serialize(format="turtle")
        print(len(text))
    elif step == "rdflib-query":
        from rdflib import Graph

        from kg._files import ontology_dir

        query = (ontology_dir() / "queries" / "officials_by_agency.rq").read_text(encoding="utf-8")
        g = Graph()
        g.parse(out / "graph.ttl", format="turtle")
        print(len(list(g.query(query))))
    else:
        raise SystemExit(f"unknown step {step!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
