"""``kg extract`` and ``kg eval``: the entity stage on any gold set.

Extraction runs the same entity and resolution stages as ``kg build``, on
each line's text as given (not normalised, so offsets are into that text).
Scores are span-exact: a predicted entity counts only if its start, end and
coarse type all equal a gold entity's. Person→PER, Place→LOC,
Agency/Organization→ORG; Initiative has no counterpart in the gold sets.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kg.errors import UserError
from kg.extract import find_entities
from kg.model import Document
from kg.resolve import resolve_document
from kg.textio import split_sentences

COARSE = {"Person": "PER", "Place": "LOC", "Agency": "ORG", "Organization": "ORG"}
SCORED = ("PER", "LOC", "ORG")


def extract_text(text: str, doc_id: str = "") -> list[dict]:
    """Entities of one text: ``[{start, end, type, text}]`` with schema types."""
    doc = Document(id=doc_id, text=text, sentences=split_sentences(text))
    doc = resolve_document(find_entities(doc))
    return [{"start": m.start, "end": m.end, "type": m.type, "text": m.text} for m in doc.mentions]


def _lines(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc


def extract_jsonl(path: str, out: TextIO) -> None:
    """``kg extract``: copy each ``{"id", "text"}`` line, adding ``entities``."""
    with _lines(path) as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise UserError(f"{path}:{n}: not a JSON object with a 'text' field ({exc})") from exc
            record["entities"] = extract_text(text, str(record.get("id", n)))
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


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
    """``kg eval GOLD.jsonl``: scores by type for one gold file."""
    records = []
    with _lines(path) as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
                if limit and len(records) >= limit:
                    break
    return score(records, name=Path(path).name)
