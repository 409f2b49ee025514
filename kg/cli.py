"""The ``kg`` command. Thin: each subcommand parses arguments and calls one library function."""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import sys
import threading
from pathlib import Path

from kg import __version__
from kg.errors import UserError
from kg.watch import DEFAULT_INTERVAL

#: seconds a ``kg query`` may run (officials_by_agency took 0.4 s on a 50 MB graph, README "Big corpora")
DEFAULT_QUERY_TIMEOUT = 60.0


def _seconds(text: str) -> float:
    """A ``--timeout``: a number of seconds, 0 for no limit."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"want a number of seconds (0: no limit), got {text!r}")
    return value


#: Set by ``run``: this process ends when the command returns (``os._exit``).
_ENDS_PROCESS = False


def _globs(args: argparse.Namespace) -> list[str] | tuple[str, ...]:
    """``--glob`` as a list of patterns (repeated or comma-separated), else the default ones."""
    from kg.inputs import DEFAULT_GLOBS

    return [g.strip() for g in ",".join(args.glob).split(",") if g.strip()] if args.glob else DEFAULT_GLOBS


def _cmd_build(args: argparse.Namespace) -> int:
    from kg.pipeline import build

    if _ENDS_PROCESS:
        # The build keeps the cyclic collector off and sweeps young objects itself (kg.memory);
        # turned back on at its end, the collector's first pass would walk every object the
        # build made (0.02-0.04 s) just before the process ends anyway.
        gc.disable()

    summary = build(
        args.paths,
        Path(args.out),
        formats=args.format,
        jobs=args.jobs,
        engine=args.engine,
        scheduler=args.scheduler,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
        progress=args.progress,
        globs=_globs(args),
    )
    print(summary.render())
    return 1 if args.strict and summary.report.failed else 0


def _cmd_watch(args: argparse.Namespace) -> int:
    from kg.watch import watch

    print(f"kg: watching {', '.join(args.paths)} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        watch(
            args.paths,
            Path(args.out),
            formats=args.format,
            interval=args.interval,
            jobs=args.jobs,
            cache_dir=args.cache_dir,
            use_cache=not args.no_cache,
            globs=_globs(args),
            say=lambda text: print(text, flush=True),
        )
    except KeyboardInterrupt:
        print("kg: stopped watching", file=sys.stderr)
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from kg.evaluate import extract_jsonl

    bad = extract_jsonl(args.file, sys.stdout, on_error=lambda message: print(f"kg: error: {message}", file=sys.stderr))
    return 2 if bad else 0


def _cmd_eval(args: argparse.Namespace) -> int:
    if args.graph:
        from kg.evaluate import evaluate_graph_files

        scores = evaluate_graph_files(args.gold, args.graph, jobs=args.jobs)
        print(json.dumps(scores.summary(), ensure_ascii=False) if args.json else scores.render(misses=args.misses))
        return 0
    from kg.evaluate import evaluate_file

    report = evaluate_file(args.gold, limit=args.limit)
    print(report.render())
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    import shutil

    from kg.query import catalog, parse_params, stream_query, write_result

    if args.list:
        sys.stdout.write(catalog())
        return 0
    if args.query is None:
        raise UserError("kg query needs a query name or SPARQL text (kg query --list shows the named queries)")
    result = stream_query(args.query, args.graph, parse_params(args.param), timeout=args.timeout)
    width = shutil.get_terminal_size((0, 0)).columns  # 0 (no cut) when the output is not a terminal
    write_result(result, args.format, sys.stdout, width=width, terminal=sys.stdout.isatty())
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from kg.validate import validate

    report = validate(args.graph, shapes=args.shapes, inference=args.inference)
    print(report.render())
    return 0 if report.conforms else 1


def _build_options(p: argparse.ArgumentParser) -> None:
    """The options ``kg build`` and ``kg watch`` share: what to read, where to write, the cache."""
    p.add_argument("paths", nargs="*", default=["seeds"], help="files or folders of articles (default: seeds)")
    p.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help="which files of a folder to read, e.g. '*.txt' (repeat or comma-separate; "
        "default: *.txt, *.md, *.markdown, *.html, *.htm, *.jsonl)",
    )
    p.add_argument("--out", default="exports", help="output folder (default: exports)")
    p.add_argument("--format", default="all", help="comma-separated outputs, e.g. json,ttl,html (default: all)")
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=1,
        help="processes that extract and write the exports (default: 1; same output)",
    )
    p.add_argument("--cache-dir", default=None, help="extraction cache (default: .kg-cache beside --out)")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="extract every document again; read and store no extraction cache "
        "(jieba's tables are still kept in ~/.cache/kg: set KG_NO_RESOURCE_CACHE=1 to build them too)",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Build a knowledge graph of people, agencies, organizations, places and initiatives from Chinese articles.",
    )
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "build",
        help="build the graph from files and folders of articles",
        description="Read articles (.txt in UTF-8 or GBK, .md, .html pages, .jsonl lines of {id, text}), "
        "extract entities and relations, write every export.",
        epilog="examples: kg build seeds/ --out exports/\n          kg build archive/ --out exports/ -j 4\n"
        "          kg build dump/ --glob '*.jsonl' --out exports/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _build_options(p)
    p.add_argument(
        "--engine", choices=("local", "dask"), default="local", help="where extraction runs (default: local)"
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="dask scheduler, e.g. tcp://host:8786 (--engine dask; default: a local cluster of --jobs workers)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress on stderr (default: a bar on a terminal, a line per 1000 documents otherwise)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 if any document failed (see OUT/report.json)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "watch",
        help="build, then build again whenever an article is added, changed or removed",
        description="kg build, then the same build again after every change to the articles, until Ctrl-C. "
        "What a rebuild needs stays in memory: one changed article costs a fraction of a second.",
        epilog="example: kg watch archive/ --out exports/ --format json,ttl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _build_options(p)
    p.add_argument(
        "--interval",
        type=_seconds,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help=f"how often to look for changes (default: {DEFAULT_INTERVAL:g})",
    )
    p.set_defaults(func=_cmd_watch)

    p = sub.add_parser(
        "extract",
        help="tag entities in JSONL lines of {id, text}",
        description="Read JSONL lines with 'id' and 'text'; print them with 'entities' [{start, end, type, text}] added.",
        epilog="example: kg extract gold.jsonl > predicted.jsonl",
    )
    p.add_argument("file", help="JSONL file, or - for standard input")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser(
        "eval",
        help="score extraction against gold: NER lines (JSONL) or a graph gold (--graph)",
        description=(
            "NER gold (JSONL lines of text and entities): span-exact precision, recall and F1 by type "
            "(Person→PER, Place→LOC, Agency/Organization→ORG). Graph gold (--graph, see the README's "
            "'Measuring a graph'): entity P/R/F1 by type, duplicates, core relation recall by kind, link precision."
        ),
        epilog=(
            "examples: kg eval ../shared/eval/peoples_daily_dev.jsonl\n"
            "          kg eval gold.json --graph exports/graph.json\n"
            "          kg eval gold.json --graph my_articles/ --misses"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("gold", help="gold JSONL with 'text' and 'entities' [{start, end, type}], or a graph gold JSON")
    p.add_argument("--limit", type=int, default=0, help="score only the first N lines")
    p.add_argument(
        "--graph", metavar="GRAPH", default=None, help="a graph.json, or a folder of articles to build, to score"
    )
    p.add_argument("--misses", action="store_true", help="with --graph: list false positives and misses")
    p.add_argument("--json", action="store_true", help="with --graph: print the figures as one JSON object")
    p.add_argument("-j", "--jobs", type=int, default=1, help="with --graph FOLDER: worker processes for the build")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser(
        "query",
        help="run SPARQL, or a named query from ontology/queries/, on graph.ttl",
        description=(
            "Run a SPARQL query (text) or a named query (ontology/queries/NAME.rq: "
            "evidence, initiatives, mentions, officials_by_agency, within_place) against graph.ttl. "
            "Prefixes kg:, kgr:, skos:, prov:, rdf:, rdfs:, org:, schema:, xsd: are predeclared."
        ),
        epilog=(
            "examples: kg query --list\n"
            "          kg query officials_by_agency --param agency=省科技厅\n"
            '          kg query "SELECT ?name WHERE { ?p a kg:Person ; skos:prefLabel ?name }" --format csv'
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("query", nargs="?", help="a query name, or the text of a SPARQL query")
    p.add_argument("--list", action="store_true", help="list the named queries: what each answers, its parameters")
    p.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help='bind ?NAME to VALUE (a plain string; "…"@zh for a tagged literal; <…> for an IRI); repeatable',
    )
    p.add_argument("--graph", default="exports/graph.ttl", help="the Turtle graph (default: exports/graph.ttl)")
    p.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: table, its cells cut to the terminal's width; csv and json never cut)",
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_QUERY_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a query that runs longer (default: {DEFAULT_QUERY_TIMEOUT:g}; 0: no limit)",
    )
    p.set_defaults(func=_cmd_query)

    p = sub.add_parser(
        "validate",
        help="check graph.ttl against the SHACL shapes in ontology/shapes.ttl",
        description="Validate a Turtle graph with SHACL; print each problem with its node, label, path and message. Exit 1 if it does not conform.",
        epilog="example: kg validate exports/graph.ttl; kg validate -i rdfs exports/graph.ttl",
    )
    p.add_argument(
        "graph", nargs="?", default="exports/graph.ttl", help="the Turtle graph (default: exports/graph.ttl)"
    )
    p.add_argument("--shapes", default=None, help="a SHACL shapes file (default: ontology/shapes.ttl)")
    p.add_argument(
        "-i",
        "--inference",
        choices=("none", "rdfs"),
        default="none",
        help="rdfs: validate what an RDFS reasoner sees, the graph plus ontology/kg.ttl's entailments (default: none)",
    )
    p.set_defaults(func=_cmd_validate)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):  # a file name that is not UTF-8 must not crash a print
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        return args.func(args)
    except UserError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130
    except (FileExistsError, NotADirectoryError) as exc:  # e.g. --out names a file
        print(f"kg: error: not a folder: {exc.filename}", file=sys.stderr)
        return 2
    except OSError as exc:  # a missing path, an unreadable file, an unwritable folder
        where = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"kg: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


def run() -> None:
    """The ``kg`` command: ``main``, then the process ends without freeing its objects one by one.

    A build holds the whole graph, its evidence and jieba's tables (millions of
    objects) to the end; tearing them down at exit took 0.15 s, a tenth of a
    rebuild after one changed article. The output is flushed and the ``atexit``
    handlers run as at any exit; only when another thread still runs does it end
    the ordinary way (which waits for the thread).
    """
    global _ENDS_PROCESS
    _ENDS_PROCESS = True
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away: as main does, not an error
        pass
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    run()
