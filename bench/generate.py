"""Command line for :mod:`bench.corpus`: write a synthetic news corpus into a folder.

Why: benchmarks need 50,000 or 200,000 item folders made on demand (they are too big to
commit), and a person needs a quick way to make one to try the loader or the API on.

    python -m bench.generate 50000 /tmp/gen50k [--seed N] [--no-taxonomy] [--start ISO]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

from bench.corpus import generate
from bench.world import DEFAULT_START


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate",
        description="Write a deterministic synthetic news corpus (Markdown + YAML front matter).",
    )
    parser.add_argument("count", type=int, help="number of news items to write")
    parser.add_argument("dest", type=Path, help="folder to create; must be empty or absent")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--no-taxonomy",
        dest="taxonomy",
        action="store_false",
        help="do not write _data/topics and _data/organizations",
    )
    parser.add_argument(
        "--start",
        type=datetime.fromisoformat,
        default=DEFAULT_START,
        help=f"date of the newest item, ISO 8601, UTC if naive (default {DEFAULT_START:%Y-%m-%d})",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Generate the corpus the arguments describe; print one summary line."""
    args = _parser().parse_args(argv)
    if args.count < 0:
        print("error: COUNT must be 0 or more", file=sys.stderr)
        return 2
    began = time.perf_counter()
    try:
        stats = generate(
            args.dest, args.count, seed=args.seed, taxonomy=args.taxonomy, start=args.start
        )
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    took = time.perf_counter() - began
    print(
        f"generated {stats.items} items ({stats.providers} providers, {stats.topics} topics, "
        f"{stats.related} related, {stats.images} images, {stats.bytes / 1e6:.1f} MB) "
        f"in {took:.1f} s into {args.dest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
