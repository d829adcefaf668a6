"""``python -m fastdiv``: every measure on built-in example data.

The example is the main job fastdiv exists for: a generative model's
predicted class distribution against the distribution observed in data,
for one pair and then for a batch of 100,000 softmax outputs.
"""
import sys
import time

import numpy as np

import fastdiv

# Next-token distribution over a 10-word vocabulary: what a language model
# predicts (model) and what the corpus shows (data).
MODEL = np.array([0.30, 0.20, 0.15, 0.10, 0.08, 0.06, 0.05, 0.03, 0.02, 0.01])
DATA = np.array([0.25, 0.25, 0.10, 0.10, 0.10, 0.05, 0.05, 0.05, 0.03, 0.02])


def main(argv=None):
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
        ("renyi_divergence(data || model, alpha=0.5) [bits]",
         fastdiv.renyi_divergence(DATA, MODEL, 0.5, base=2)),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:.6f}")
    print(f"{'self_information(model) [bits]':<{width}}  "
          + np.array2string(fastdiv.self_information(MODEL, base=2), precision=3))

    rng = np.random.default_rng(0)
    model = rng.dirichlet(np.ones(1_000), size=100_000).astype(np.float32)
    target = rng.dirichlet(np.ones(1_000), size=100_000).astype(np.float32)
    t = time.perf_counter()
    kl = fastdiv.kl_divergence(target, model)
    dt = time.perf_counter() - t
    print()
    print(f"batch: KL of 100,000 pairs of 1,000-class float32 distributions in {dt * 1e3:.1f} ms "
          f"({model.size / dt / 1e9:.2f} Gelem/s), mean {kl.mean():.4f} nats")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
