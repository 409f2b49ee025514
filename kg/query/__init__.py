"""SPARQL over ``graph.ttl``: ad-hoc queries and the named ones in ``ontology/queries/``.

Five modules, each readable alone, imported one way (``run`` uses the others;
none of them uses ``run``):

- :mod:`kg.query.named` — the named queries (``NAME.rq``), what each answers and its parameters;
- :mod:`kg.query.load` — reading Turtle into a pyoxigraph store (or an rdflib graph for ``kg validate``);
- :mod:`kg.query.params` — binding ``--param name=value`` without pasting it into the query text;
- :mod:`kg.query.format` — RDF terms as plain values, rows as a table, CSV or JSON;
- :mod:`kg.query.run` — running a query and putting its rows in a stable order.

>>> from kg.query import named_queries
>>> sorted(named_queries())
['evidence', 'initiatives', 'mentions', 'officials_by_agency', 'within_place']
"""

from __future__ import annotations

from kg.query.format import FORMATS, QueryResult, Stream, format_csv, format_json, format_table, write_result
from kg.query.load import load_store, parse_turtle_file
from kg.query.named import QUERY_DIR, catalog, describe, load_query, named_queries, parameters
from kg.query.params import PARAM_FUNCTION, parse_params
from kg.query.run import run_query, stream_query
from kg.vocab import PREFIXES

__all__ = [
    "FORMATS",
    "PARAM_FUNCTION",
    "PREFIXES",
    "QUERY_DIR",
    "QueryResult",
    "Stream",
    "catalog",
    "describe",
    "format_csv",
    "format_json",
    "format_table",
    "load_query",
    "load_store",
    "named_queries",
    "parameters",
    "parse_params",
    "parse_turtle_file",
    "run_query",
    "stream_query",
    "write_result",
]
