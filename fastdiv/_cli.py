"""The ``fastdiv`` command (also ``python -m fastdiv``).

Subcommands (``demo`` when none is given):

``demo``
    The main job fastdiv exists for, on built-in example data: a generative
    model's predicted class distribution against the distribution observed
    in data, every measure for one pair, then the KL divergence of a batch
    of 100,000 softmax outputs, timed.
"""

import argparse
import time

import numpy as np

import fastdiv
from fastdiv._threads import resolve_threads

# Next-token distribution over a 10-word vocabulary: what a language model
# predicts (model) and what the corpus shows (data).
MODEL = np.array([0.30, 0.20, 0.15, 0.10, 0.08, 0.06, 0.05, 0.03, 0.02, 0.01])
DATA = np.array([0.25, 0.25, 0.10, 0.10, 0.10, 0.05, 0.05, 0.05, 0.03, 0.02])


def demo(args: argparse.Namespace) -> int:
    """``fastdiv demo``: every measure on the built-in example."""
    fastdiv.show_config()
    print()
    print("model:", MODEL)
    print("data: ", DATA)
    print()
    rows = [
        ("entropy(model) [bits]", fastdiv.entropy(MODEL, base=2)),
        ("entropy(data) [bits]", fastdiv.entropy(DATA, base=2)),
        ("cross_entropy(data, model) [bits]", fastdiv.cross_entropy(DATA, MODEL, base=2)),
        ("kl_divergence(data || model) [bits]", fastdiv.kl_divergence(DATA, MODEL, base=2)),
        ("kl_divergence(model || data) [bits]", fastdiv.kl_divergence(MODEL, DATA, base=2)),
        ("js_divergence [bits]", fastdiv.js_divergence(MODEL, DATA, base=2)),
        ("js_distance [bits]", fastdiv.js_distance(MODEL, DATA, base=2)),
        ("total_variation", fastdiv.total_variation(MODEL, DATA)),
        ("hellinger", fastdiv.hellinger(MODEL, DATA)),
        ("renyi_entropy(model, alpha=2) [bits]", fastdiv.renyi_entropy(MODEL, 2, base=2)),
        (
            "renyi_divergence(data || model, alpha=0.5) [bits]",
            fastdiv.renyi_divergence(DATA, MODEL, 0.5, base=2),
        ),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:.6f}")
    # MODEL is 1-D, so self_information gives an array, never a scalar
    print(
        f"{'self_information(model) [bits]':<{width}}  "
        + np.array2string(fastdiv.self_information(MODEL, base=2), precision=3)  # type: ignore[arg-type]
    )

    rng = np.random.default_rng(0)
    n_pairs, k = args.rows, 1_000
    model = rng.dirichlet(np.ones(k), size=n_pairs).astype(np.float32)
    target = rng.dirichlet(np.ones(k), size=n_pairs).astype(np.float32)
    t = time.perf_counter()
    kl = fastdiv.kl_divergence(target, model, n_threads=args.threads)
    dt = time.perf_counter() - t
    print()
    print(
        f"batch: KL of {n_pairs:,} pairs of {k:,}-class float32 distributions in "
        f"{dt * 1e3:.1f} ms ({model.size / dt / 1e9:.2f} Gelem/s), "
        f"mean {kl.mean():.4f} nats"
    )
    return 0


def _positive_int(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer; got {text}")
    return n


def _threads(text: str) -> int:
    """--threads: what every function's n_threads takes (checked by its resolver)."""
    try:
        n = int(text)
        resolve_threads(n)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return n


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fastdiv",
        description="Fast, exact, deterministic information measures on distributions.",
    )
    p.add_argument("--version", action="version", version=f"fastdiv {fastdiv.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    d = sub.add_parser(
        "demo",
        help="every measure on built-in example data, and a timed batch",
        description=__doc__.split("``demo``", 1)[1].strip(),
    )
    d.add_argument(
        "--rows",
        type=_positive_int,
        default=100_000,
        help="pairs in the timed batch (default 100000)",
    )
    d.add_argument(
        "--threads",
        type=_threads,
        default=None,
        help="threads for the batch (default: fastdiv's setting; -1: all cores)",
    )
    d.set_defaults(run=demo)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the ``fastdiv`` command with arguments `argv` (default: sys.argv)."""
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:  # the main job is the default command
        args = p.parse_args(["demo"])
    return int(args.run(args))
