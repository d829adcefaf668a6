"""Thread control for the OpenMP kernels.

The number of threads a call uses is resolved here once per call, by
``resolve_threads(n_threads)``, and passed to the kernels (which never call
``omp_set_num_threads``).  In order:

* ``n_threads`` given to the call (every public function that computes takes
  it, keyword-only): a positive integer is used as given, ``-1`` means all
  the cores this process may run on; it overrides everything below, as
  scikit-learn's ``n_threads`` does;
* else an explicit setting (``set_num_threads`` or the ``num_threads`` context
  manager, innermost first) wins over the default;
* the default is ``omp_get_max_threads()``: ``OMP_NUM_THREADS`` if set,
  else all cores;
* a limit set from outside after import (``threadpoolctl.threadpool_limits``
  or any ``omp_set_num_threads`` call) caps both;
* no call starts more than ``thread_limit()`` threads, 4 x the cores this
  process may run on: more cannot run faster, and thousands of threads
  exhaust memory or the OpenMP runtime.  An explicit setting above it is
  rejected; a larger ``OMP_NUM_THREADS`` is capped.

Results never depend on the number of threads.
"""

from __future__ import annotations

import contextlib
import operator
import os
import threading
from collections.abc import Iterator
from typing import SupportsIndex

from . import _divergence
from ._validation import shown

__all__ = ["set_num_threads", "get_num_threads", "num_threads", "thread_limit", "resolve_threads"]

# How many threads one call may start per core this process may run on.
THREADS_PER_CORE = 4

_omp_max = _divergence.omp_max_threads
_OMP_AT_IMPORT = _omp_max()
_setting: int | None = None
_local = threading.local()


def _cores() -> int:
    """Cores this process may run on (its affinity mask where the OS has one)."""
    counter = getattr(os, "process_cpu_count", None)  # Python >= 3.13
    if counter is not None:
        n = counter()
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:
        n = os.cpu_count()
    return max(1, n or 1)


_CORES = _cores()  # read once, as OpenMP reads its default
_LIMIT = THREADS_PER_CORE * _CORES


def thread_limit() -> int:
    """The most threads one fastdiv call starts: 4 x the cores available.

    Returns
    -------
    int

    Examples
    --------
    >>> import fastdiv
    >>> fastdiv.thread_limit() >= 4
    True
    """
    return _LIMIT


def _check(n: SupportsIndex) -> int:
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"'n' must be an integer; got {type(n).__name__}.") from None
    if n < 1:
        raise ValueError(f"'n' must be a positive integer; got {n}.")
    limit = thread_limit()
    if n > limit:
        raise ValueError(
            f"'n' must be at most {limit} ({THREADS_PER_CORE} x the {_CORES} "
            f"cores available; see thread_limit); got {n}."
        )
    return n


def set_num_threads(n: int) -> None:
    """Set the number of threads fastdiv's kernels use.

    Parameters
    ----------
    n : int
        A number of threads from 1 to `thread_limit` (4 x the cores this
        process may run on): it may exceed the number of cores, but not by
        more, since no call could run faster and thousands of threads
        would exhaust memory.

    Raises
    ------
    TypeError
        If `n` is not an integer.
    ValueError
        If `n` < 1 or `n` > ``thread_limit()``.

    See Also
    --------
    get_num_threads, num_threads, thread_limit

    Examples
    --------
    >>> import fastdiv
    >>> fastdiv.set_num_threads(1)
    >>> fastdiv.get_num_threads()
    1
    """
    global _setting
    _setting = _check(n)


def get_num_threads() -> int:
    """Number of threads the next fastdiv call will use.

    The innermost ``num_threads`` block, else the value given to
    ``set_num_threads``, else ``omp_get_max_threads()`` (``OMP_NUM_THREADS``
    or all cores).  A limit applied from outside after import (for example
    ``threadpoolctl.threadpool_limits``) caps the result, and so does
    `thread_limit` (a larger ``OMP_NUM_THREADS`` is not honoured).  In a build
    without OpenMP (see `show_config`) the kernels always run on one thread;
    the default is then 1 and an explicit setting is kept but has no effect.

    Returns
    -------
    int

    Examples
    --------
    >>> import fastdiv
    >>> with fastdiv.num_threads(3):
    ...     fastdiv.get_num_threads() <= 3
    True
    """
    stack = getattr(_local, "stack", None)
    n = stack[-1] if stack else _setting
    omp = _omp_max()
    if n is None:
        n = omp
    elif omp < _OMP_AT_IMPORT:
        n = min(n, omp)
    return n if n <= _LIMIT else _LIMIT


@contextlib.contextmanager
def num_threads(n: int) -> Iterator[int]:
    """Context manager: use `n` threads inside the ``with`` block.

    The setting is local to the calling Python thread and restored on exit,
    also when the block raises.

    Parameters
    ----------
    n : int
        A number of threads from 1 to `thread_limit`.

    Raises
    ------
    TypeError, ValueError
        As `set_num_threads`.

    Examples
    --------
    >>> import fastdiv
    >>> with fastdiv.num_threads(1):
    ...     fastdiv.get_num_threads()
    1
    """
    n = _check(n)
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    stack.append(n)
    try:
        yield n
    finally:
        stack.pop()


def resolve_threads(n_threads: int | None) -> int:
    """The number of threads one call uses, from its ``n_threads`` argument.

    None: `get_num_threads` (the ``num_threads`` block, ``set_num_threads``,
    ``OMP_NUM_THREADS`` or all cores, capped by threadpoolctl); -1: all the
    cores this process may run on; a positive integer up to `thread_limit`:
    that many.  Anything else raises a ValueError naming ``n_threads``.
    """
    if n_threads is None:
        return get_num_threads()
    if type(n_threads) is not bool:
        try:
            n = operator.index(n_threads)
        except TypeError:
            n = None
        if n == -1:
            return _CORES
        if n is not None and 1 <= n <= _LIMIT:
            return n
    raise ValueError(
        f"'n_threads' must be None, -1 (all cores) or an integer from 1 to {_LIMIT} "
        f"(thread_limit()); got {shown(n_threads)}."
    )
