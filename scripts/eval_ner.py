"""Measure the CRF NER tagger on a gold JSONL file: span-exact P/R/F1 for PER/LOC/ORG, and speed.

Gold lines are ``{"text", "entities": [{"start", "end", "type", "coarse"}]}``; the
``coarse`` type is used when present (CLUENER and Resume map their fine types onto
PER/LOC/ORG there), others are ignored.  A prediction counts only if start, end and type
all match.  The same texts are also run through bare ``jieba.posseg.cut`` (nr→PER,
ns→LOC, nt→ORG) so the table carries a baseline and a speed ratio from the same run.

Example::

    python scripts/eval_ner.py ../shared/eval/peoples_daily_dev.jsonl ../shared/eval/resume_dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kg.ner import DEFAULT_MODEL_PATH, ENTITY_TYPES, CrfTagger

Span = tuple[int, int, str]
_JIEBA_TYPES = {"nr": "PER", "ns": "LOC", "nt": "ORG"}


def read_gold(path: Path) -> list[tuple[str, set[Span]]]:
    """(text, gold spans restricted to PER/LOC/ORG) for each line of ``path``."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                doc = json.loads(line)
                spans = set()
                for e in doc.get("entities", []):
                    typ = e.get("coarse") or e["type"]
                    if typ in ENTITY_TYPES:
                        spans.add((int(e["start"]), int(e["end"]), typ))
                out.append((doc["text"], spans))
    return out


def score(gold: Iterable[set[Span]], pred: Iterable[set[Span]]) -> dict[str, tuple[float, float, float, int]]:
    """Per type and overall ('ALL', micro-averaged): (precision, recall, F1, gold count)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        for s in p & g:
            tp[s[2]] += 1
        for s in p - g:
            fp[s[2]] += 1
        for s in g - p:
            fn[s[2]] += 1
    table = {}
    for typ in (*ENTITY_TYPES, "ALL"):
        keys = ENTITY_TYPES if typ == "ALL" else (typ,)
        t, f_p, f_n = (sum(c[k] for k in keys) for c in (tp, fp, fn))
        prec = t / (t + f_p) if t + f_p else 0.0
        rec = t / (t + f_n) if t + f_n else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        table[typ] = (prec, rec, f1, t + f_n)
    return table


def jieba_spans(text: str, cut) -> set[Span]:
    """PER/LOC/ORG spans from jieba.posseg word tags, with character offsets."""
    spans, pos = set(), 0
    for pair in cut(text):
        word, flag = pair.word, pair.flag
        if flag in _JIEBA_TYPES:
            spans.add((pos, pos + len(word), _JIEBA_TYPES[flag]))
        pos += len(word)
    return spans


def format_table(name: str, table: dict[str, tuple[float, float, float, int]]) -> str:
    lines = [f"{name}", f"{'type':<5} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}"]
    for typ, (p, r, f, n) in table.items():
        lines.append(f"{typ:<5} {p:6.3f} {r:6.3f} {f:6.3f} {n:6d}")
    return "\n".join(lines)


def evaluate(path: Path, tagger: CrfTagger, with_jieba: bool = True) -> str:
    """The printed report for one gold file."""
    gold = read_gold(path)
    texts = [t for t, _ in gold]
    n_chars = sum(map(len, texts))
    tagger.tag("预热")  # load the model outside the timed loop
    t0 = time.perf_counter()
    crf_pred = [set(s) for s in tagger.tag_many(texts)]
    crf_s = time.perf_counter() - t0
    report = [f"== {path.name}: {len(texts)} texts, {n_chars} chars"]
    report.append(format_table("CRF (kg.ner)", score((g for _, g in gold), crf_pred)))
    crf_speed = n_chars / crf_s
    if with_jieba:
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        list(jieba.posseg.cut("预热"))
        t0 = time.perf_counter()
        jb_pred = [jieba_spans(t, jieba.posseg.cut) for t in texts]
        jb_s = time.perf_counter() - t0
        jb_speed = n_chars / jb_s
        report.append(format_table("jieba.posseg baseline", score((g for _, g in gold), jb_pred)))
        report.append(
            f"speed: CRF {crf_speed:,.0f} chars/s, jieba.posseg {jb_speed:,.0f} chars/s, ratio {crf_speed / jb_speed:.2f}x"
        )
    else:
        report.append(f"speed: CRF {crf_speed:,.0f} chars/s")
    return "\n".join(report)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold", type=Path, nargs="+", help="gold JSONL file(s)")
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL_PATH, help="model file (default: the packaged one)")
    ap.add_argument("--no-jieba", action="store_true", help="skip the jieba.posseg baseline and speed ratio")
    args = ap.parse_args(argv)
    tagger = CrfTagger(args.model)
    for path in args.gold:
        print(evaluate(path, tagger, with_jieba=not args.no_jieba))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
