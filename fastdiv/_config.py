"""``fastdiv.show_config``: what was built and what this machine runs."""

from __future__ import annotations

import platform
from typing import Any, Literal, overload

from . import _divergence

__all__ = ["show_config"]


@overload
def show_config(mode: Literal["stdout"] = ...) -> None: ...
@overload
def show_config(mode: Literal["dicts"]) -> dict[str, Any]: ...
@overload
def show_config(mode: str) -> dict[str, Any] | None: ...


def show_config(mode: str = "stdout") -> dict[str, Any] | None:
    """Report fastdiv's build and run-time configuration.

    Parameters
    ----------
    mode : {"stdout", "dicts"}, optional
        Print a report (default) or return it as a dict.

    Returns
    -------
    None or dict
        With ``mode="dicts"``: ``version``, ``openmp`` (bool: built with
        OpenMP), ``openmp_version`` (the ``_OPENMP`` date, 0 if none),
        ``num_threads`` (what the next call uses), ``isa`` (the instruction
        set the kernels run with on this CPU), ``isa_available``,
        ``machine``, ``python`` and ``debug`` (bool: a ``FASTDIV_DEBUG=1``
        build, with Cython's bounds checks on).

    Raises
    ------
    ValueError
        For an unknown `mode`.

    Examples
    --------
    >>> import fastdiv
    >>> cfg = fastdiv.show_config(mode="dicts")
    >>> sorted(cfg)[:4]
    ['debug', 'isa', 'isa_available', 'machine']
    """
    from . import __version__
    from ._threads import get_num_threads

    have, ver, _ = _divergence.openmp_info()
    info: dict[str, Any] = {
        "version": __version__,
        "openmp": have,
        "openmp_version": ver,
        "num_threads": get_num_threads(),
        "isa": _divergence.get_isa(),
        "isa_available": _divergence.isa_available(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "debug": _divergence.debug_build(),
    }
    if mode == "dicts":
        return info
    if mode != "stdout":
        raise ValueError(f"'mode' must be 'stdout' or 'dicts'; got {mode!r}.")
    print(f"fastdiv {info['version']} (Python {info['python']}, {info['machine']})")
    print(f"  OpenMP:       {'yes (' + str(ver) + ')' if have else 'no (serial build)'}")
    print(f"  threads:      {info['num_threads']}")
    print(f"  kernels ISA:  {info['isa']} (available: {', '.join(info['isa_available'])})")
    if info["debug"]:
        print("  debug build:  yes (FASTDIV_DEBUG=1: bounds checks on, C at -O1)")
    return None
