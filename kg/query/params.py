"""Binding parameters: ``--param name=value`` becomes an RDF term the query sees as ``?name``.

Parameters are bound, never pasted into the query text: each group graph
pattern ``{ … }`` that mentions ``?name`` (and the top-level ``WHERE`` group)
starts with ``BIND(<urn:x-kg:param#name>() AS ?name)``, a call of a Python
function that returns the value as an RDF term, so ``FILTER (!BOUND(?name) || …)``
sees it bound, as rdflib's ``initBindings`` did. Values are plain strings, or
IRIs when written ``<…>``; the named queries compare names with ``STR()``, so
``--param agency=省科技厅`` matches the alias as well as the full name.
(pyoxigraph's own ``substitutions`` do not fit: they only accept projected
variables, and ``BOUND(?name)`` stays false inside the query.)

To know where the ``BIND`` goes, :func:`scan` reads the query's tokens (strings,
IRIs and comments skipped): its variables, its group graph patterns and its
top-level ``ORDER BY``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import UserError

#: Parameter ``?name`` is the value of the function ``<urn:x-kg:param#name>()`` (see the module docstring).
PARAM_FUNCTION = "urn:x-kg:param#"


def parse_params(pairs: list[str] | None) -> dict[str, str]:
    """``["agency=省科技厅"]`` → ``{"agency": "省科技厅"}``."""
    params: dict[str, str] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UserError(f"--param wants name=value, got {pair!r}")
        params[name] = value
    return params


#: ``"唐山市"@zh``: a language-tagged literal, written as in SPARQL and Turtle
_TAGGED = re.compile(r'"(.*)"@([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)', re.DOTALL)


def term(name: str, value: str) -> ox.NamedNode | ox.Literal:
    """The RDF term a parameter stands for: an IRI when written ``<…>``, a tagged literal when written
    ``"…"@tag``, else a plain string.

    The named queries compare names with ``STR()``, so ``唐山市`` and ``"唐山市"@zh`` find the same rows;
    in a query of your own, ``?name`` bound to ``"唐山市"@zh`` equals the graph's labels as terms.

    >>> [(t.value, t.language) for t in (term("p", '"唐山市"@zh'), term("p", "唐山市"), term("p", '"唐山市"'))]
    [('唐山市', 'zh'), ('唐山市', None), ('"唐山市"', None)]
    """
    try:
        if value.startswith("<") and value.endswith(">"):
            return ox.NamedNode(value[1:-1])
        tagged = _TAGGED.fullmatch(value)
        if tagged:
            return ox.Literal(tagged[1], language=tagged[2].lower())
        return ox.Literal(value)
    except (ValueError, UnicodeError) as exc:
        raise UserError(
            f"--param {name}: {value!r} is not a valid {'IRI' if value.startswith('<') else 'string'}"
        ) from exc


# ---------------------------------------------------------------- the query text


_TOKEN = re.compile(
    "|".join(
        (
            r"""(?P<space>\s+)""",
            r"""(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
            r"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")""",
            r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)""",
            r"""(?P<comment>#[^\n\r]*)""",
            r"""(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)""",
            r"""(?P<brace>[{}])""",
            r"""(?P<word>(?:[^\s{}()\[\]<>"'#?$,;=!&|+*/^@\\]|\\.)+)""",
            r"""(?P<other>.)""",
        )
    ),
    re.DOTALL,
)


@dataclass
class _Group:
    kind: str  # group, subselect, template, data, annotation or short-construct
    end: int  # offset just after its "{"
    top: bool
    variables: set[str]


@dataclass
class Shape:
    """What running a query needs to know about a query's text (strings, IRIs and comments skipped)."""

    variables: set[str]
    groups: list[_Group]  # group graph patterns, where BIND may go first
    ordered: bool  # has a top-level ORDER BY
    order_by: tuple[str, ...] | None  # its variables, if it orders by plain ?v, ASC(?v) and DESC(?v) only
    short_construct: bool  # CONSTRUCT WHERE { … }: its pattern is a template, no BIND in it
    federated: bool = False  # has a SERVICE clause (a query of another endpoint over the network)


def _tokens(text: str) -> Iterator[tuple[str, int, int, str]]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield kind, match.start(), match.end(), match.group()


def scan(text: str) -> Shape:
    """The variables, the ``{`` of each group graph pattern and whether rows are ordered, from the query text.

    >>> shape = scan('SELECT ?a WHERE { { SELECT ?b WHERE { ?b ?p "?c" } } OPTIONAL { ?a ?q $d } } ORDER BY ?a')
    >>> sorted(shape.variables), shape.ordered, shape.order_by
    (['a', 'b', 'd', 'p', 'q'], True, ('a',))
    >>> [(g.kind, g.top, sorted(g.variables)) for g in shape.groups]
    [('group', True, ['a', 'b', 'd', 'p', 'q']), ('group', False, ['b', 'p']), ('group', False, ['a', 'd', 'q'])]
    """
    tokens = list(_tokens(text))
    words = [t[3].upper() if t[0] == "word" else "" for t in tokens]
    shape = Shape(variables=set(), groups=[], ordered=False, order_by=None, short_construct=False)
    stack: list[_Group] = []
    values_next = False
    for i, (kind, _start, end, token) in enumerate(tokens):
        if kind == "var":
            shape.variables.add(token[1:])
            for group in stack:
                group.variables.add(token[1:])
        elif words[i] == "SERVICE":
            shape.federated = True
        elif words[i] == "VALUES":
            values_next = True
        elif words[i] == "ORDER" and not stack and i + 1 < len(tokens) and words[i + 1] == "BY":
            shape.ordered = True
            shape.order_by = _order_variables(tokens[i + 2 :], words[i + 2 :])
        elif token == "{":
            before = words[i - 1] if i else ""
            after = tokens[i + 1] if i + 1 < len(tokens) else ("", end, end, "")
            if values_next:
                what, values_next = "data", False
            elif after[3] == "|" and after[1] == end:
                what = "annotation"
            elif before == "CONSTRUCT":
                what = "template"
            elif before == "WHERE" and i >= 2 and words[i - 2] == "CONSTRUCT":
                what, shape.short_construct = "short-construct", True
            elif after[0] == "word" and after[3].upper() == "SELECT":
                what = "subselect"
            else:
                what = "group"
            group = _Group(what, end, top=not stack, variables=set())
            stack.append(group)
            if what == "group":
                shape.groups.append(group)
        elif token == "}" and stack:
            stack.pop()
    return shape


def _order_variables(tokens: list[tuple[str, int, int, str]], words: list[str]) -> tuple[str, ...] | None:
    """The variables of an ORDER BY clause made of ``?v``, ``ASC(?v)`` and ``DESC(?v)`` only, else ``None``."""
    names: list[str] = []
    i = 0
    while i < len(tokens) and words[i] not in ("LIMIT", "OFFSET", "VALUES"):
        if tokens[i][0] == "var":
            names.append(tokens[i][3][1:])
            i += 1
        elif words[i] in ("ASC", "DESC") and [t[3] for t in tokens[i + 1 : i + 4 : 2]] == ["(", ")"]:
            if tokens[i + 2][0] != "var":
                return None
            names.append(tokens[i + 2][3][1:])
            i += 4
        else:
            return None
    return tuple(names) or None


def bind_parameters(text: str, shape: Shape, names: list[str]) -> str:
    """``text`` with ``BIND(<urn:x-kg:param#name>() AS ?name)`` first in each group that needs ``?name``.

    Only names already in the query as variables are written; the values never are.
    """
    inserts = []
    for group in shape.groups:
        binds = [f" BIND(<{PARAM_FUNCTION}{n}>() AS ?{n})" for n in names if group.top or n in group.variables]
        if binds:
            inserts.append((group.end, "".join(binds) + " "))
    out, at = [], 0
    for offset, insert in inserts:
        out += [text[at:offset], insert]
        at = offset
    out.append(text[at:])
    return "".join(out)
