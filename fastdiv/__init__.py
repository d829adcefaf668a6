"""fastdiv: fast, exact, deterministic information measures on distributions.

Exact measures on (batches of) distributions, all following NumPy/SciPy
conventions (``axis``, ``keepdims``, broadcasting, ``base``):

    entropy, cross_entropy, kl_divergence, js_divergence, js_distance,
    total_variation, hellinger, renyi_entropy, renyi_divergence,
    self_information

Threads: ``set_num_threads``, ``get_num_threads``, ``num_threads``,
``thread_limit``.
Build and machine report: ``show_config``.
"""
from ._config import show_config
from ._exact import (
    cross_entropy, entropy, hellinger, js_distance, js_divergence, kl_divergence,
    renyi_divergence, renyi_entropy, self_information, total_variation,
)
from ._threads import get_num_threads, num_threads, set_num_threads, thread_limit

__version__ = "0.1.0"

__all__ = [
    "entropy", "cross_entropy", "kl_divergence", "js_divergence", "js_distance",
    "total_variation", "hellinger", "renyi_entropy", "renyi_divergence",
    "self_information", "set_num_threads", "get_num_threads", "num_threads",
    "thread_limit", "show_config", "__version__",
]
