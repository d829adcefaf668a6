"""fastdiv: fast, exact, deterministic information measures on distributions.

Exact measures on (batches of) distributions, all following NumPy/SciPy
conventions (``axis``, ``keepdims``, broadcasting, ``base``):

    entropy, cross_entropy, kl_divergence, js_divergence, js_distance,
    total_variation, hellinger, renyi_entropy, renyi_divergence,
    self_information

Measures on joint tables ``pxy[..., i, j]`` (leading axes batch):

    joint_entropy, conditional_entropy, mutual_information

Threads: ``set_num_threads``, ``get_num_threads``, ``num_threads``,
``thread_limit``.
Estimators from discrete samples (labels): ``fastdiv.discrete``.
Estimators from continuous samples by nearest neighbours: ``fastdiv.knn``.
Histograms of continuous samples and estimates from them: ``fastdiv.hist``.

Build and machine report: ``show_config``.
"""

from ._version import __version__


def _kernels_missing(exc: ImportError) -> ImportError:
    """The ImportError to raise when the compiled kernels cannot be loaded:
    what happened and what to do (as NumPy and SciPy do)."""
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    if os.path.exists(os.path.join(root, "setup.py")) and os.path.isdir(os.path.join(root, "src")):
        return ImportError(
            f"fastdiv is being imported from its source tree ({here}), which holds no "
            f"compiled kernels: Python looks in the current directory first (as with "
            f"'python -m' or 'python -c' at the repository root). Run from another "
            f"directory to use the installed fastdiv (the 'fastdiv' command works "
            f"anywhere), or build the kernels in place with "
            f"'pip install -e . --no-build-isolation'. (Original error: {exc})"
        )
    return ImportError(
        f"fastdiv's compiled kernels could not be loaded ({exc}). The installation "
        f"is broken or was built for another Python or platform: reinstall fastdiv "
        f"(pip install --force-reinstall fastdiv)."
    )


try:
    from . import _divergence  # noqa: F401  (the compiled kernels)
except ImportError as _exc:
    raise _kernels_missing(_exc) from _exc

from . import discrete as discrete  # the estimators from labels: fastdiv.discrete
from . import hist as hist  # histograms and the estimates from them: fastdiv.hist
from . import knn as knn  # estimators by nearest neighbours: fastdiv.knn
from ._config import show_config
from ._exact import (
    cross_entropy,
    entropy,
    hellinger,
    js_distance,
    js_divergence,
    kl_divergence,
    renyi_divergence,
    renyi_entropy,
    self_information,
    total_variation,
)
from ._pairwise import nearest, pairwise
from ._tables import conditional_entropy, joint_entropy, mutual_information
from ._threads import get_num_threads, num_threads, set_num_threads, thread_limit

__all__ = [
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "js_distance",
    "total_variation",
    "hellinger",
    "renyi_entropy",
    "renyi_divergence",
    "self_information",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "pairwise",
    "nearest",
    "set_num_threads",
    "get_num_threads",
    "num_threads",
    "thread_limit",
    "show_config",
    "__version__",
]
