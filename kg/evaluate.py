"""``kg extract`` and ``kg eval``: the entity stage on any gold set.

Extraction runs the same entity and resolution stages as ``kg build``, on
each line's text as given (not normalised, so offsets are into that text).
Scores are span-exact: a predicted entity counts only if its start, end and
coarse type all equal a gold entity's. Person→PER, Place→LOC,
Agency/Organization→ORG; Initiative has no counterpart in the gold sets.
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

from kg.errors import UserError
from kg.extract import find_entities
from kg.graph_eval import GraphScores
from kg.model import Document
from kg.resolve import resolve_document
from kg.textio import sniff_binary, split_sentences

COARSE = {"Person": "PER", "Place": "LOC", "Agency": "ORG", "Organization": "ORG"}
SCORED = ("PER", "LOC", "ORG")


def extract_text(text: str, doc_id: str = "") -> list[dict]:
    """Entities of one text: ``[{start, end, type, text}]`` with schema types."""
    doc = Document(id=doc_id, text=text, sentences=split_sentences(text))
    doc = resolve_document(find_entities(doc))
    return [{"start": m.start, "end": m.end, "type": m.type, "text": m.text} for m in doc.mentions]


def _open(path: str) -> BinaryIO:
    """A JSONL file (``-``: standard input) to read as bytes, or a one-line ``UserError`` that says why not."""
    if path == "-":
        return sys.stdin.buffer
    if Path(path).is_dir():
        raise UserError(f"{path} is a folder: give a JSONL file (one JSON object per line)")
    try:
        return open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc


def _records(path: str) -> Iterator[tuple[int, dict, str | None]]:
    """``(line number, object, None)`` per non-blank line, ``(line number, {}, what is wrong)`` for a bad one.

    Lines are read one at a time. A binary file (its first bytes) or a file
    without a line raises ``UserError``.
    """
    with _open(path) as fh:
        head = fh.peek(8192) if isinstance(fh, io.BufferedReader) else b""
        what = sniff_binary(head.removeprefix(b"\xef\xbb\xbf"))
        if what is not None:
            raise UserError(f"{path} is not JSONL: binary file ({what})")
        seen = False
        for n, line in enumerate(fh, 1):
            if n == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if not line.strip():
                continue
            seen = True
            try:
                record = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as exc:
                yield n, {}, f"not UTF-8 (undecodable byte at column {exc.start + 1})"
                continue
            except json.JSONDecodeError as exc:
                yield n, {}, f"not JSON ({exc.msg} at column {exc.colno})"
                continue
            except RecursionError:
                yield n, {}, "not JSON kg can read (nested too deeply)"
                continue
            if not isinstance(record, dict):
                yield n, {}, f"a JSON {_kind(record)}, not an object"
                continue
            yield n, record, None
    if not seen:
        raise UserError(f"{path} is empty: want JSONL, one JSON object per line")


def _kind(value: object) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "null")


def _text_problem(record: dict) -> str | None:
    """What is wrong with a record's ``text``, if anything."""
    if "text" not in record:
        return "no 'text' field"
    if not isinstance(record["text"], str):
        return f"'text' is a {_kind(record['text'])}, not a string"
    return None


def _gold_problem(record: dict) -> str | None:
    """What is wrong with a gold record (``text`` and ``entities`` [{start, end, type, coarse?}]), if anything."""
    problem = _text_problem(record)
    if problem:
        return problem
    entities = record.get("entities")
    if not isinstance(entities, list):
        return "no 'entities' list" if entities is None else f"'entities' is a {_kind(entities)}, not a list"
    size = len(record["text"])
    for i, e in enumerate(entities):
        if not isinstance(e, dict):
            return f"entity {i} is a {_kind(e)}, not an object"
        start, end = e.get("start"), e.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            return f"entity {i} needs integer 'start' and 'end'"
        if not 0 <= start < end <= size:
            return f"entity {i} spans {start}..{end}, outside the text's {size} characters"
        if not isinstance(e.get("type"), str) or not isinstance(e.get("coarse", ""), (str, type(None))):
            return f"entity {i} needs a 'type' string"
    return None


def extract_jsonl(path: str, out: TextIO, on_error: Callable[[str], None] | None = None) -> int:
    """``kg extract``: copy each ``{"id", "text"}`` line, adding ``entities``; the number of bad lines.

    A bad line (not JSON, not an object, no string ``text``) is passed to
    ``on_error`` as one line and skipped, so the other lines are still
    extracted; without ``on_error`` it raises ``UserError``. An unreadable,
    binary or empty file raises ``UserError``.
    """
    bad = 0
    for n, record, problem in _records(path):
        problem = problem or _text_problem(record)
        if problem is not None:
            message = f"{path}:{n}: {problem}"
            if on_error is None:
                raise UserError(message)
            on_error(message)
            bad += 1
            continue
        record["entities"] = extract_text(record["text"], str(record.get("id", n)))
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return bad


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    lines: int = 0
    name: str = ""

    def prf(self, label: str | None = None) -> tuple[float, float, float]:
        keys = [label] if label else list(SCORED)
        tp = sum(self.tp[k] for k in keys)
        fp = sum(self.fp[k] for k in keys)
        fn = sum(self.fn[k] for k in keys)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def render(self) -> str:
        rows = [
            f"{self.name}: {self.lines} lines, span-exact",
            f"{'type':<8}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}{'pred':>7}",
        ]
        for label in (*SCORED, None):
            p, r, f = self.prf(label)
            keys = [label] if label else list(SCORED)
            gold = sum(self.tp[k] + self.fn[k] for k in keys)
            pred = sum(self.tp[k] + self.fp[k] for k in keys)
            rows.append(f"{label or 'overall':<8}{p:>7.3f}{r:>7.3f}{f:>7.3f}{gold:>7}{pred:>7}")
        return "\n".join(rows)


def score(gold_records, predict=extract_text, name: str = "") -> Scores:
    """Span-exact scores of ``predict`` against gold records."""
    s = Scores(name=name)
    for record in gold_records:
        s.lines += 1
        gold = {
            (e["start"], e["end"], e.get("coarse") or e["type"])
            for e in record.get("entities", [])
            if (e.get("coarse") or e["type"]) in SCORED
        }
        pred = {(e["start"], e["end"], COARSE[e["type"]]) for e in predict(record["text"]) if e["type"] in COARSE}
        for _, _, label in gold & pred:
            s.tp[label] += 1
        for _, _, label in pred - gold:
            s.fp[label] += 1
        for _, _, label in gold - pred:
            s.fn[label] += 1
    return s


def evaluate_file(path: str, limit: int = 0) -> Scores:
    """``kg eval GOLD.jsonl``: scores by type for one gold file.

    Every line is checked before scoring (a score of half a file would look
    like a real one): the first bad line is a one-line ``UserError``.
    """
    if limit < 0:
        raise UserError(f"--limit wants a number of lines (0: all), got {limit}")
    records = []
    for n, record, problem in _records(path):
        problem = problem or _gold_problem(record)
        if problem is not None:
            raise UserError(f'{path}:{n}: {problem}: want {{"text", "entities": [{{"start", "end", "type"}}]}}')
        records.append(record)
        if limit and len(records) >= limit:
            break
    return score(records, name=Path(path).name)


def evaluate_graph_files(gold: str, graph: str, jobs: int = 1) -> GraphScores:
    """``kg eval GOLD --graph GRAPH``: :func:`kg.graph_eval.evaluate_graph`, after checks of the paths.

    A device or FIFO given as either file would hang or fill memory (``/dev/zero``);
    JSON nested thousands deep would overflow the parser: each is one ``UserError``.
    """
    from kg.graph_eval import evaluate_graph

    for path, what in ((gold, "a graph gold (JSON)"), (graph, "a graph.json or a folder of articles")):
        where = Path(path)
        if where.exists() and not where.is_file() and not (path == graph and where.is_dir()):
            raise UserError(f"{path} is not a regular file: give {what}")
    try:
        return evaluate_graph(gold, graph, jobs=jobs)
    except RecursionError as exc:
        raise UserError(f"{gold} or {graph} is nested too deeply to read") from exc
