"""kg build on real news that does not repeat: speed against bare taggers, -j 2, the cache, memory, RDF.

    python benchmarks/run.py                       # 1 and 5 MB, 3 paired rounds after a warm-up
    python benchmarks/run.py --sizes 1,5,10 --runs 5

Corpora are made at run time in ``benchmarks/_work/`` (ignored by git; never commit
them) from the MSRA NER training text (``../shared/train/msra_train.jsonl``: consecutive
People's Daily sentences, grouped into articles of about 1,500 characters), the texts of
``../shared/eval/*.jsonl`` grouped likewise, the graph dev texts and the seeds (whole
articles). Together they are about 2 M characters (6 MB of UTF-8): a corpus up to that
size holds each article once; a bigger one repeats them (reshuffled) and is labelled so.

Every ratio is paired: the commands of a row run in turn, A B A B …, each a fresh
process, after one warm-up round; the ratio is taken within each round and the row
gives the median of the rounds' ratios with their spread (min–max), so a machine whose
speed drifts between rounds still gives a fair ratio. Benchmarks are not tests: nothing
here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
SHARED = ROOT.parent / "shared"
TRAIN = SHARED / "train" / "msra_train.jsonl"
EVAL = SHARED / "eval"
GRAPH_DEV = EVAL / "graph_dev" / "texts"
SEEDS = ROOT / "seeds"
#: about the length of a news article; the MSRA sentences (at most 100 characters) are grouped into this
ARTICLE_CHARS = 1500
PARAGRAPH_CHARS = 300
PY = sys.executable


# ------------------------------------------------------------------------------------ corpora


def _grouped(sentences: list[str]) -> list[str]:
    """Consecutive sentences as articles of about ARTICLE_CHARS, in paragraphs of about PARAGRAPH_CHARS."""
    articles, paragraphs, para, size, psize = [], [], [], 0, 0
    for s in sentences:
        para.append(s)
        size += len(s)
        psize += len(s)
        if psize >= PARAGRAPH_CHARS:
            paragraphs.append("".join(para))
            para, psize = [], 0
        if size >= ARTICLE_CHARS:
            articles.append("\n".join(paragraphs + ["".join(para)] if para else paragraphs) + "\n")
            paragraphs, para, size, psize = [], [], 0, 0
    if para or paragraphs:
        articles.append("\n".join(paragraphs + ["".join(para)] if para else paragraphs) + "\n")
    return articles


def _jsonl_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh if line.strip()]


def source_articles() -> list[str]:
    """Every article the sources give, each once, in a fixed shuffled order (so every size is a mix)."""
    if not TRAIN.is_file():
        raise SystemExit(f"{TRAIN} is missing: the benchmark's corpora are made from it (see its README)")
    articles = _grouped(_jsonl_texts(TRAIN))
    for path in sorted(EVAL.glob("*.jsonl")):
        articles += _grouped(_jsonl_texts(path))
    for folder in (GRAPH_DEV, SEEDS):
        articles += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    random.Random(0).shuffle(articles)
    return articles


def make_corpus(folder: Path, size_mb: float, articles: list[str]) -> dict:
    """Articles into ``folder`` until ``size_mb`` MB of UTF-8; what it holds and whether text repeats."""
    if folder.exists():
        shutil.rmtree(folder)
    target = int(size_mb * 1_000_000)
    written = chars = files = 0
    rounds = 0
    rng = random.Random(1)
    while written < target:
        order = articles if rounds == 0 else rng.sample(articles, len(articles))
        for text in order:
            data = text.encode("utf-8")
            sub = folder / f"{files // 1000:03d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"a{files:06d}.txt").write_bytes(data)
            written, chars, files = written + len(data), chars + len(text), files + 1
            if written >= target:
                break
        rounds += 1
    return {"files": files, "chars": chars, "bytes": written, "repeats": rounds > 1}


# ------------------------------------------------------------------------------------ timing


def run(cmd: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in bytes of the process and the children it waited for) of one command."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return seconds, usage.ru_maxrss * 1024


Step = tuple[str, list[str], Callable[[], None] | None]


def rounds(steps: list[Step], runs: int, warmup: int) -> dict[str, list[tuple[float, int]]]:
    """Each step's command in turn (its set-up first, untimed), ``warmup`` rounds uncounted, then ``runs``."""
    times: dict[str, list[tuple[float, int]]] = {name: [] for name, _, _ in steps}
    for r in range(warmup + runs):
        for name, cmd, setup in steps:
            if setup:
                setup()
            result = run(cmd)
            if r >= warmup:
                times[name].append(result)
        print(f"  round {r + 1}/{warmup + runs}" + (" (warm-up)" if r < warmup else ""), file=sys.stderr, flush=True)
    return times


def ratio(times: dict, slow: str, fast: str) -> str:
    """Median (min–max) over the rounds of time[slow] / time[fast]."""
    pairs = [a[0] / b[0] for a, b in zip(times[slow], times[fast])]
    return f"{statistics.median(pairs):.2f}× ({min(pairs):.2f}–{max(pairs):.2f})"


def median_s(times: dict, name: str) -> float:
    return statistics.median(t for t, _ in times[name])


# ------------------------------------------------------------------------------------ rows


def kg_build(corpus: Path, out: Path, *args: str) -> list[str]:
    return [PY, "-m", "kg", "build", str(corpus), "--out", str(out), "--no-progress", *args]


def have_rjieba() -> bool:
    return subprocess.run([PY, "-c", "import rjieba"], capture_output=True).returncode == 0


def against_taggers(work: Path, size: float, info: dict, args, row) -> Path:
    corpus, out_all, out_jt = work / f"corpus_{size:g}MB", work / f"out_{size:g}MB", work / f"out_{size:g}MB_jt"
    steps: list[Step] = [
        ("kg", kg_build(corpus, out_all, "--no-cache"), None),
        ("kg json,ttl", kg_build(corpus, out_jt, "--no-cache", "--format", "json,ttl"), None),
        ("jieba", [PY, str(BENCH / "bare_tagging.py"), "jieba", str(corpus)], None),
    ]
    if have_rjieba():
        steps.append(("rjieba", [PY, str(BENCH / "bare_tagging.py"), "rjieba", str(corpus)], None))
    t = rounds(steps, args.runs, args.warmup)
    label = f"{size:g} MB ({info['files']:,} articles, {info['chars']:,} chars{', text repeats' if info['repeats'] else ''})"
    kg_s, jt_s, jieba_s = median_s(t, "kg"), median_s(t, "kg json,ttl"), median_s(t, "jieba")
    row(
        f"full build -j 1 --no-cache, all formats, vs bare `jieba.posseg.cut`, {label}",
        f"{ratio(t, 'jieba', 'kg')} (kg {kg_s:.1f} s, {info['chars'] / kg_s:,.0f} chars/s; jieba {jieba_s:.1f} s)",
    )
    row(
        f"full build -j 1 --no-cache, `--format json,ttl`, vs bare `jieba.posseg.cut`, {size:g} MB",
        f"{ratio(t, 'jieba', 'kg json,ttl')} (kg {jt_s:.1f} s)",
    )
    if "rjieba" in t:
        row(
            f"`rjieba.tag` (the ceiling) vs full build, all formats: kg's time / rjieba's, {size:g} MB",
            f"{ratio(t, 'kg', 'rjieba')} (rjieba {median_s(t, 'rjieba'):.1f} s)",
        )
    rss = max(r for _, r in t["kg"])
    row(f"peak memory, full build -j 1, {size:g} MB", f"{rss / 2**20:,.0f} MiB")
    return out_all


def parallel(work: Path, size: float, args, row) -> None:
    corpus = work / f"corpus_{size:g}MB"
    one, two = work / "out_j1", work / "out_j2"
    fmt = ("--no-cache", "--format", "json,ttl")
    t = rounds(
        [("j1", kg_build(corpus, one, *fmt), None), ("j2", kg_build(corpus, two, *fmt, "-j", "2"), None)],
        args.runs,
        args.warmup,
    )
    same = all((one / f).read_bytes() == (two / f).read_bytes() for f in ("graph.json", "graph.ttl"))
    row(
        f"`-j 2` vs `-j 1`, --no-cache, json,ttl, {size:g} MB ({os.cpu_count()} cores)",
        f"{ratio(t, 'j1', 'j2')} ({median_s(t, 'j2'):.1f} s vs {median_s(t, 'j1'):.1f} s; same bytes: {same})",
    )
    # all formats, as `kg build` writes by default: with -j 2 two processes write them
    t = rounds(
        [
            ("j1", kg_build(corpus, one, "--no-cache"), None),
            ("j2", kg_build(corpus, two, "--no-cache", "-j", "2"), None),
        ],
        args.runs,
        args.warmup,
    )
    same = all(
        (one / f).read_bytes() == (two / f).read_bytes()
        for f in ("graph.json", "graph.ttl", "graph.html", "graph.gexf", "graph.graphml")
    )
    row(
        f"`-j 2` vs `-j 1`, --no-cache, all formats, {size:g} MB",
        f"{ratio(t, 'j1', 'j2')} ({median_s(t, 'j2'):.1f} s vs {median_s(t, 'j1'):.1f} s; same bytes: {same})",
    )


def rebuild(work: Path, size: float, args, row) -> None:
    corpus, out, cache = work / f"corpus_{size:g}MB", work / "out_cache", work / "cache"
    first = sorted(corpus.rglob("*.txt"))[0]
    original = first.read_bytes()
    edits = iter(range(1_000_000))

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def change() -> None:
        first.write_bytes(original + f"\n省科技厅厅长在唐山市调研科技特派员制度（第{next(edits)}次）。\n".encode())

    cmd = kg_build(corpus, out, "--format", "json,ttl", "--cache-dir", str(cache))
    try:
        t = rounds([("cold", cmd, cold), ("rebuild", cmd, change)], args.runs, args.warmup)
    finally:
        first.write_bytes(original)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    row(
        f"rebuild after one article changed vs cold build filling the cache, -j 1, json,ttl, {size:g} MB",
        f"{ratio(t, 'cold', 'rebuild')} ({median_s(t, 'rebuild'):.1f} s vs {median_s(t, 'cold'):.1f} s;"
        f" extracted {report.get('extracted')}, from the cache {report.get('cached')})",
    )


def watched(work: Path, size: float, args, row) -> None:
    """`kg watch`: from writing one article to the watcher's report of its rebuild, paired with a cold build."""
    corpus, cache = work / f"corpus_{size:g}MB", work / "cache"
    first = sorted(corpus.rglob("*.txt"))[0]
    original = first.read_bytes()
    cold = kg_build(corpus, work / "out_cache", "--format", "json,ttl", "--cache-dir", str(cache))
    cmd = [PY, "-m", "kg", "watch", str(corpus), "--out", str(work / "out_watch"), "--format", "json,ttl"]
    cmd += ["--cache-dir", str(work / "cache_watch")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    built: queue.Queue[tuple[float, float]] = queue.Queue()  # (when the report came, the seconds it gives)

    def read() -> None:
        for line in proc.stdout or ():
            if m := re.match(r"\d\d:\d\d:\d\d built in ([0-9.]+) s", line):
                built.put((time.perf_counter(), float(m.group(1))))

    threading.Thread(target=read, daemon=True).start()
    times: dict[str, list[tuple[float, int]]] = {"cold": [], "watch": [], "inside": []}
    extra = 0
    try:
        built.get(timeout=600)  # the first build
        for r in range(args.warmup + args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            cold_s = run(cold)
            time.sleep(1.0)  # the change lands anywhere in the watcher's polling interval
            while not built.empty():  # a change built twice (read half written) is counted, not timed
                built.get_nowait()
                extra += 1
            first.write_bytes(original + f"\n省科技厅厅长在唐山市调研科技特派员制度（第{r}次）。\n".encode())
            start = time.perf_counter()
            end, inside = built.get(timeout=600)
            if r >= args.warmup:
                times["cold"].append(cold_s)
                times["watch"].append((end - start, 0))
                times["inside"].append((inside, 0))
            print(
                f"  round {r + 1}/{args.warmup + args.runs}: cold {cold_s[0]:.2f} s, watch {end - start:.2f} s"
                f" (build {inside:.2f} s)",
                file=sys.stderr,
                flush=True,
            )
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        first.write_bytes(original)
    row(
        f"`kg watch`: one article changed, from the write to the rebuild's report, vs cold build, json,ttl, {size:g} MB",
        f"{ratio(times, 'cold', 'watch')} ({median_s(times, 'watch'):.2f} s, of which the build"
        f" {median_s(times, 'inside'):.2f} s and the rest waiting for the next look, vs {median_s(times, 'cold'):.1f} s;"
        f" changes built twice: {extra})",
    )


def rdf(out: Path, size: float, args, row) -> None:
    steps = BENCH / "rdf_steps.py"
    triples = subprocess.run(
        [PY, "-c", "import sys; from kg.export.json import read_json; from kg.export.rdf import rdf_graph;"
         " print(len(rdf_graph(read_json(sys.argv[1] + '/graph.json'))))", str(out)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout.strip()  # fmt: skip
    t = rounds(
        [
            ("kg", [PY, str(steps), "kg-turtle", str(out)], None),
            ("rdflib", [PY, str(steps), "rdflib-turtle", str(out)], None),
        ],
        args.runs,
        args.warmup,
    )
    row(
        f"Turtle from graph.json: kg's writer vs rdflib (graph + serialiser), {size:g} MB graph ({int(triples):,} triples)",
        f"{ratio(t, 'rdflib', 'kg')} ({median_s(t, 'kg'):.1f} s vs {median_s(t, 'rdflib'):.1f} s, start-up included)",
    )
    kg_cmd = [PY, "-m", "kg", "query", "officials_by_agency", "--graph", str(out / "graph.ttl"), "--format", "csv"]
    rows_kg = len(subprocess.run(kg_cmd, capture_output=True, text=True, cwd=ROOT).stdout.splitlines()) - 1
    rows_rdflib = subprocess.run(
        [PY, str(steps), "rdflib-query", str(out)], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    t = rounds([("kg", kg_cmd, None), ("rdflib", [PY, str(steps), "rdflib-query", str(out)], None)], args.runs, 0)
    row(
        f"`kg query officials_by_agency` vs rdflib parse + query, {size:g} MB graph",
        f"{ratio(t, 'rdflib', 'kg')} ({median_s(t, 'kg'):.1f} s vs {median_s(t, 'rdflib'):.1f} s;"
        f" rows {rows_kg} and {rows_rdflib})",
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,5", help="corpus sizes in MB for the rows against the taggers (default: 1,5)")
    ap.add_argument("--size", type=float, default=None, help="size for -j 2, rebuild and RDF rows (default: largest)")
    ap.add_argument("--runs", type=int, default=3, help="counted rounds per row (default: 3)")
    ap.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default: 1)")
    ap.add_argument("--work", default=str(BENCH / "_work"), help="scratch folder (default: benchmarks/_work)")
    ap.add_argument("--skip", default="", help="rows to leave out, comma-separated: taggers,parallel,rebuild,watch,rdf")
    args = ap.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",")]
    size = args.size or max(sizes)
    skip = set(filter(None, args.skip.split(",")))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    articles = source_articles()
    unique = sum(len(a.encode("utf-8")) for a in articles)
    print(f"sources: {len(articles):,} articles, {unique / 1e6:.1f} MB without repetition", file=sys.stderr)
    rows: list[tuple[str, str]] = []

    def row(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"{name}: {value}", flush=True)

    infos = {s: make_corpus(work / f"corpus_{s:g}MB", s, articles) for s in sorted(set(sizes) | {size})}
    # kg's modules byte-compiled, as an install leaves them (and jieba's are in site-packages): with
    # PYTHONDONTWRITEBYTECODE set and an editable install, every kg process would compile them again.
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "kg")], check=True, capture_output=True)
    out = work / f"out_{size:g}MB"
    if "taggers" not in skip:
        for s in sizes:
            out = against_taggers(work, s, infos[s], args, row)
    if "parallel" not in skip:
        parallel(work, size, args, row)
    if "rebuild" not in skip:
        rebuild(work, size, args, row)
    if "watch" not in skip:
        watched(work, size, args, row)
    if "rdf" not in skip:
        if not (out / "graph.json").is_file():
            subprocess.run(kg_build(work / f"corpus_{size:g}MB", out, "--no-cache"), check=True, cwd=ROOT)
        rdf(out, size, args, row)
    print(f"\n{args.runs} rounds after {args.warmup} warm-up; ratio: median (min–max) of the rounds' ratios")
    print("\n| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
