"""Names of the exact measures, grouped by signature, shared by the tests."""
ONE_ARG = ["entropy", "renyi_entropy"]
TWO_ARG = [
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "js_distance",
    "total_variation",
    "hellinger",
    "renyi_divergence",
]
ALL = ONE_ARG + TWO_ARG
NO_BASE = ("total_variation", "hellinger")
WITH_BASE = [m for m in ALL if m not in NO_BASE]
WITH_LOGITS = [m for m in ALL if not m.startswith("renyi")]
RENYI = ["renyi_entropy", "renyi_divergence"]
