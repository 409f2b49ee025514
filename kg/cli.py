"""The ``kg`` command. Thin: each subcommand parses arguments and calls one library function."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg import __version__


class UserError(Exception):
    """A problem the user can fix: printed as one line, exit status 2."""


def _cmd_build(args: argparse.Namespace) -> int:
    from kg.pipeline import build

    summary = build(args.paths, Path(args.out), formats=args.format)
    print(summary.render())
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from kg.evaluate import extract_jsonl

    extract_jsonl(args.file, sys.stdout)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from kg.evaluate import evaluate_file

    report = evaluate_file(args.gold, limit=args.limit)
    print(report.render())
    return 0


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
        description="Read articles (UTF-8 or GBK .txt), extract entities and relations, write every export.",
        epilog="example: kg build seeds/ --out exports/",
    )
    p.add_argument("paths", nargs="*", default=["seeds"], help="files or folders of .txt articles (default: seeds)")
    p.add_argument("--out", default="exports", help="output folder (default: exports)")
    p.add_argument("--format", default="all", help="comma-separated outputs, e.g. json,ttl,html (default: all)")
    p.set_defaults(func=_cmd_build)

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
        help="score extraction against a gold JSONL file",
        description="Span-exact precision, recall and F1 by type (Person→PER, Place→LOC, Agency/Organization→ORG).",
        epilog="example: kg eval ../shared/eval/peoples_daily_dev.jsonl",
    )
    p.add_argument("gold", help="gold JSONL with 'text' and 'entities' [{start, end, type}]")
    p.add_argument("--limit", type=int, default=0, help="score only the first N lines")
    p.set_defaults(func=_cmd_eval)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
