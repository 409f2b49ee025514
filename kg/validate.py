"""Check a ``graph.ttl`` against ``ontology/shapes.ttl`` (SHACL, via pyshacl).

The report names each problem by its focus node *and* that node's label, the
property path and the shape's own message, so it reads without SHACL:

    Violation  kgr:person-b38a6bdbd1d7 「龙奋杰」  skos:prefLabel: an entity has exactly one skos:prefLabel

>>> report = validate_turtle('''
... @prefix kg: <https://kg.example.org/ontology#> .
... <https://kg.example.org/id/person-1> a kg:Person .
... ''')
>>> report.conforms
False
>>> print(report.problems[0].render())
Violation  kgr:person-1  skos:prefLabel: an entity has exactly one skos:prefLabel
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, SKOS, Graph, Literal, URIRef
from rdflib.namespace import PROV, SH

from kg import _files
from kg.errors import UserError
from kg.vocab import KG, PREFIXES

SHAPES = _files.ontology_file("shapes.ttl")


@dataclass(frozen=True, slots=True)
class Problem:
    """One SHACL result, in words."""

    severity: str
    focus: str
    label: str
    path: str
    message: str
    value: str = ""

    def render(self) -> str:
        who = f"{self.focus} 「{self.label}」" if self.label else self.focus
        where = f"{self.path}: " if self.path else ""
        value = f" (value: {self.value})" if self.value and self.value != self.focus else ""
        return f"{self.severity}  {who}  {where}{self.message}{value}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    conforms: bool
    problems: tuple[Problem, ...]
    triples: int
    source: str = ""

    def render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if self.conforms:
            return f"{head}conforms to {SHAPES.name} ({self.triples} triples)"
        lines = [f"{head}{len(self.problems)} problem(s) in {self.triples} triples"]
        lines += [p.render() for p in self.problems]
        return "\n".join(lines)


def _short(term) -> str:
    text = str(term)
    if isinstance(term, URIRef):
        for prefix, ns in sorted(PREFIXES.items(), key=lambda x: -len(x[1])):
            if text.startswith(ns):
                return f"{prefix}:{text[len(ns) :]}"
        return f"<{text}>"
    if isinstance(term, Literal):
        text = text if len(text) <= 60 else text[:57] + "…"
        text = json.dumps(text, ensure_ascii=False)
        if term.language:
            return f"{text}@{term.language}"
        return f"{text}^^{_short(term.datatype)}" if term.datatype else text
    return text


def _label(data: Graph, node) -> str:
    """What a person would call ``node``: its label, file name or sentence."""
    for prop in (SKOS.prefLabel, KG.fileName, PROV.value):
        value = data.value(node, prop)
        if value is not None:
            text = str(value).replace("\n", " ")
            return text if len(text) <= 40 else text[:37] + "…"
    subject, predicate, obj = (data.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object))
    if subject is not None and predicate is not None and obj is not None:
        return f"{_label(data, subject) or _short(subject)} {_short(predicate)} {_label(data, obj) or _short(obj)}"
    return ""


#: What ``inference`` may be: none, or RDFS entailment of the data with ``ontology/kg.ttl`` merged in.
INFERENCE = ("none", "rdfs")


def validate_graph(
    data: Graph, shapes: str | Path | None = None, source: str = "", inference: str = "none"
) -> ValidationReport:
    """Validate an rdflib graph against the shapes (default ``ontology/shapes.ttl``).

    ``inference="rdfs"`` first adds what RDFS entails from the data and the
    ontology (pyshacl's ``ont_graph``: ``kg.ttl``'s subclasses, subproperties,
    domains and ranges), as a triple store with an RDFS reasoner would; the
    shapes hold either way.
    """
    if inference not in INFERENCE:
        raise UserError(f"unknown inference {inference!r}; choose one of {', '.join(INFERENCE)}")
    try:
        import pyshacl
    except ImportError as exc:  # pragma: no cover - a dependency, but say how to fix it
        raise ImportError("kg validate needs pyshacl: pip install pyshacl") from exc

    shapes_graph = Graph().parse(Path(shapes or SHAPES), format="turtle")
    ontology = Graph().parse(_files.ontology_file("kg.ttl"), format="turtle") if inference != "none" else None
    conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes_graph, ont_graph=ontology, inference=inference, advanced=True, allow_warnings=True
    )
    problems = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        problems.append(
            Problem(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=_short(focus),
                label=_label(data, focus),
                path=_short(path) if isinstance(path, URIRef) else "",
                message=messages[0] if messages else "constraint not met",
                value=_short(value) if value is not None else "",
            )
        )
    problems.sort(key=lambda p: (p.severity != "Violation", p.focus, p.path, p.message, p.value))
    return ValidationReport(conforms=bool(conforms), problems=tuple(problems), triples=len(data), source=source)


def validate_turtle(text: str, shapes: str | Path | None = None) -> ValidationReport:
    return validate_graph(Graph().parse(data=text, format="turtle"), shapes)


def validate(
    path: str | Path = "exports/graph.ttl", shapes: str | Path | None = None, inference: str = "none"
) -> ValidationReport:
    """Validate the Turtle file at ``path``.

    A missing file, a folder, a binary or non-UTF-8 file, text that is not
    Turtle and a file with no triples are each a one-line ``UserError``.
    """
    from kg.query import parse_turtle_file

    shapes_path = Path(shapes) if shapes is not None else SHAPES
    if not shapes_path.is_file():
        raise UserError(f"no shapes file at {shapes_path} (set KG_ONTOLOGY_DIR to the project's ontology/ folder)")
    data = parse_turtle_file(path, missing_hint="run `kg build` first, or give the path of a graph.ttl")
    if len(data) == 0:
        raise UserError(f"{path} holds no triples: nothing to validate (is it the graph.ttl of a `kg build`?)")
    return validate_graph(data, shapes, source=str(path), inference=inference)
