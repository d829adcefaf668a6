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


_ABSENT = object()


def call(name, p, q=None, **kw):
    """Call measure ``name`` uniformly: Renyi functions get ``alpha`` from
    ``kw`` (2.0 when absent; passed on as given otherwise, None included);
    the other measures ignore it; one-input measures ignore ``q``."""
    import fastdiv

    alpha = kw.pop("alpha", _ABSENT)
    alpha = 2.0 if alpha is _ABSENT else alpha
    f = getattr(fastdiv, name)
    if name == "renyi_entropy":
        return f(p, alpha, **kw)
    if name == "renyi_divergence":
        return f(p, q, alpha, **kw)
    if name in ONE_ARG or name == "self_information":
        return f(p, **kw)
    return f(p, q, **kw)
