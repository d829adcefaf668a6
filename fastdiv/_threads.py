"""Thread control for the OpenMP kernels.

The number of threads a call uses is resolved here once per call and passed
to the kernels (which never call ``omp_set_num_threads``):

* an explicit setting (``set_num_threads`` or the ``num_threads`` context
  manager, innermost first) wins over the default;
* the default is ``omp_get_max_threads()``: ``OMP_NUM_THREADS`` if set,
  else all cores;
* a limit set from outside after import (``threadpoolctl.threadpool_limits``
  or any ``omp_set_num_threads`` call) caps both.

Results never depend on the number of threads.
"""
import contextlib
import operator
import threading

from . import _divergence

__all__ = ["set_num_threads", "get_num_threads", "num_threads"]

_omp_max = _divergence.omp_max_threads
_OMP_AT_IMPORT = _omp_max()
_setting = None
_local = threading.local()


def _check(n):
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"'n' must be an integer; got {type(n).__name__}.") from None
    if n < 1:
        raise ValueError(f"'n' must be a positive integer; got {n}.")
    return n


def set_num_threads(n):
    """Set the number of threads fastdiv's kernels use.

    Parameters
    ----------
    n : int
        A positive number of threads.  It may exceed the number of cores.

    Raises
    ------
    TypeError
        If `n` is not an integer.
    ValueError
        If `n` < 1.

    See Also
    --------
    get_num_threads, num_threads

    Examples
    --------
    >>> import fastdiv
    >>> fastdiv.set_num_threads(1)
    >>> fastdiv.get_num_threads()
    1
    """
    global _setting
    _setting = _check(n)


def get_num_threads():
    """Number of threads the next fastdiv call will use.

    The innermost ``num_threads`` block, else the value given to
    ``set_num_threads``, else ``omp_get_max_threads()`` (``OMP_NUM_THREADS``
    or all cores).  A limit applied from outside after import (for example
    ``threadpoolctl.threadpool_limits``) caps the result.  In a build
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
        return omp
    if omp < _OMP_AT_IMPORT:
        return min(n, omp)
    return n


@contextlib.contextmanager
def num_threads(n):
    """Context manager: use `n` threads inside the ``with`` block.

    The setting is local to the calling Python thread and restored on exit,
    also when the block raises.

    Parameters
    ----------
    n : int
        A positive number of threads.

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
