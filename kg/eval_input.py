"""Shape checks of the JSON files ``kg eval --graph`` reads: a graph gold and a ``graph.json``.

``kg.graph_eval`` scores them assuming every field has its documented type; a
file written by hand or by another tool may not. These checks name the first
field that is wrong, so the command answers with one ``kg: error:`` line
instead of a traceback from deep inside the scoring.

>>> gold_problem({"entities": [{"name": "唐山市", "type": "PLACE", "aliases": "唐山"}]})
"entity 0: 'aliases' is a string, not a list of strings"
>>> graph_json_problem({"nodes": [{"id": "a", "label": "唐山市"}], "edges": [{"source": "a"}]}) is None
True
"""

from __future__ import annotations


def _kind(value: object) -> str:
    names = {list: "list", dict: "object", str: "string", int: "number", float: "number", bool: "boolean"}
    return names.get(type(value), "null")


def _strings(item: dict, key: str) -> str | None:
    """What is wrong with an optional list-of-strings field, if anything."""
    value = item.get(key, [])
    if not isinstance(value, list):
        return f"'{key}' is a {_kind(value)}, not a list of strings"
    if not all(isinstance(v, str) for v in value):
        return f"'{key}' holds a {next(_kind(v) for v in value if not isinstance(v, str))}, not only strings"
    return None


def _optional(item: dict, key: str, types: tuple[type, ...], what: str) -> str | None:
    if key in item and item[key] is not None and not isinstance(item[key], types):
        return f"'{key}' is a {_kind(item[key])}, not {what}"
    return None


def gold_problem(data: dict) -> str | None:
    """The first field of a graph gold that does not have its documented type (see ``kg.graph_eval``), if any."""
    for i, e in enumerate(data.get("entities", [])):
        if not isinstance(e, dict):
            return f"entity {i} is a {_kind(e)}, not an object"
        for problem in (
            _strings(e, "aliases"),
            _strings(e, "docs"),
            _strings(e, "alt_names_not_in_text"),
            _optional(e, "core", (bool,), "true or false"),
        ):
            if problem:
                return f"entity {i}: {problem}"
    relations = data.get("relations", [])
    if not isinstance(relations, list):
        return f"'relations' is a {_kind(relations)}, not a list"
    for i, r in enumerate(relations):
        if not isinstance(r, dict):
            return f"relation {i} is a {_kind(r)}, not an object"
        for problem in (
            _optional(r, "doc", (str,), "a string"),
            _optional(r, "core", (bool,), "true or false"),
            _optional(r, "title", (str,), "a string"),
        ):
            if problem:
                return f"relation {i}: {problem}"
    return None


def graph_json_problem(data: dict) -> str | None:
    """The first field of a node-link ``graph.json`` that does not have the type kg writes, if any."""
    meta = data.get("graph", {})
    if not isinstance(meta, dict):
        return f"'graph' is a {_kind(meta)}, not an object"
    documents = meta.get("documents", [])
    if not isinstance(documents, list) or not all(
        isinstance(d, dict) and isinstance(d.get("id"), str) for d in documents
    ):
        return "'graph.documents' is not a list of objects with an 'id'"
    for i, n in enumerate(data.get("nodes", [])):
        if not isinstance(n, dict):
            return f"node {i} is a {_kind(n)}, not an object"
        if not isinstance(n.get("id"), (str, int)):
            return f"node {i} has no 'id' (a string)"
        for problem in (
            _optional(n, "label", (str,), "a string"),
            _optional(n, "type", (str,), "a string"),
            _strings(n, "aliases"),
        ):
            if problem:
                return f"node {i}: {problem}"
    links = data.get("edges", data.get("links", []))
    if not isinstance(links, list):
        return f"'edges' is a {_kind(links)}, not a list"
    for i, link in enumerate(links):
        if not isinstance(link, dict):
            return f"edge {i} is a {_kind(link)}, not an object"
        for problem in (
            _optional(link, "source", (str, int), "a node id"),
            _optional(link, "target", (str, int), "a node id"),
            _optional(link, "relation", (str,), "a string"),
        ):
            if problem:
                return f"edge {i}: {problem}"
    return None
