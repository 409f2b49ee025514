"""The baseline of the benchmark: a bare POS tagger over the same files ``kg build`` reads.

    python benchmarks/bare_tagging.py jieba CORPUS     # jieba.posseg.cut (what kg is measured against)
    python benchmarks/bare_tagging.py rjieba CORPUS    # rjieba.tag (Rust jieba: the ceiling; pip install rjieba)

Reads every ``*.txt`` under CORPUS (sorted, UTF-8, as the benchmark writes them) and
tags each file's text, consuming every (word, tag) pair. The whole process is timed by
``run.py``: start-up (importing the tagger, loading its dictionary) included, as it is
for ``kg build``. Prints the number of characters and of words.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    tagger, corpus = argv
    if tagger == "jieba":
        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)

        def tag(text: str) -> int:
            return sum(1 for _ in jieba.posseg.cut(text))

    elif tagger == "rjieba":
        import rjieba

        def tag(text: str) -> int:
            return len(rjieba.tag(text))

    else:
        raise SystemExit(f"unknown tagger {tagger!r}: jieba or rjieba")
    chars = words = 0
    for path in sorted(Path(corpus).rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        chars += len(text)
        words += tag(text)
    print(chars, words)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
