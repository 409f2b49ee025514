"""Peak memory of reading one very large article (issue 6): python scripts/measure_big_file.py [MB]

Writes a file of MB megabytes (default 100) of UTF-8 Chinese with no line break
and no sentence end (commas only), reads it with ``kg.textio.read_document``
(decode, normalise, split into sentences of at most MAX_SENTENCE characters) and
prints the time, the number of sentences and the peak RSS of the process.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    mb = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    unit = "河北省科学技术厅在唐山市推行科技特派员制度，".encode()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.txt"
        with path.open("wb") as fh:
            block = unit * (1024 * 1024 // len(unit))
            for _ in range(mb):
                fh.write(block)
        size = path.stat().st_size
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        from kg.textio import read_document

        start = time.perf_counter()
        doc = read_document(path)
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        longest = max(s.end - s.start for s in doc.sentences)
        print(
            f"file {size / 1e6:.0f} MB, {len(doc.text):,} characters, {len(doc.sentences):,} sentences "
            f"(longest {longest}), read in {elapsed:.1f} s; peak RSS {peak / 1024:.0f} MB "
            f"(before reading {base / 1024:.0f} MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
