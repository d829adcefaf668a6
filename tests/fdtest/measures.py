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


# --------------------------------------------------------------------------
# fastdiv.pairwise / fastdiv.nearest
# --------------------------------------------------------------------------

#: the metrics of pairwise and nearest: every two-argument measure
METRICS = list(TWO_ARG)
#: symmetric metrics: with Q=None one triangle is computed and mirrored exactly
SYMMETRIC = ["js_divergence", "js_distance", "total_variation", "hellinger"]
#: metrics that may take the algebraic shortcut (fdtest.tolerance.shortcut_bound);
#: with logits=True they too are bit-identical to the one-pair call
SHORTCUT = ["kl_divergence", "cross_entropy", "hellinger"]


def pairwise_keywords(name):
    """The measure keywords ``pairwise(..., metric=name, **kw)`` takes."""
    kws = ["normalize"]
    if name not in NO_BASE:
        kws.insert(0, "base")
    if name in WITH_LOGITS:
        kws.append("logits")
    if name in RENYI:
        kws.append("alpha")
    return tuple(kws)


def loop(metric, P, Q=None, **kw):
    """The reference matrix of one-pair calls: ``[i, j] = metric(P[i], Q[j], **kw)``
    (``Q=None``: ``Q = P``), one public call per pair, float64 (m, n).  ``kw``
    are pairwise's keywords (``alpha`` included); ``n_threads`` is not passed."""
    import numpy as np

    Q = P if Q is None else Q
    out = np.empty((len(P), len(Q)))
    for i in range(len(P)):
        for j in range(len(Q)):
            out[i, j] = call(metric, P[i], Q[j], **dict(kw))
    return out
