"""Shared fixtures for the fastdiv test suite.

The suite runs against the *installed* package (``import fastdiv``).  Every test
runs inside ``_fastdiv_state``, which restores the thread count and the SIMD
instruction set selected in ``fastdiv._divergence`` so that no test can leak
global state into another.  (The public API cannot return to "no explicit
setting", so a changed count is restored with ``set_num_threads``; the
effective count is what matters to the kernels.)
"""

import contextlib
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# Deterministic hypothesis runs: fixed derandomized seed, no example database
# (nothing written into the repository), no per-example deadline (the first
# call of a compiled kernel may be slow on a loaded machine).
settings.register_profile(
    "fastdiv",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("fastdiv")


def pytest_report_header(config):
    try:
        import fastdiv
    except Exception as exc:  # noqa: BLE001  # pragma: no cover - reported, not tested
        return [f"fastdiv: NOT IMPORTABLE ({exc!r})"]
    lines = [f"fastdiv: {fastdiv.__file__} (version {getattr(fastdiv, '__version__', '?')})"]
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            fastdiv.show_config()
    except Exception as exc:  # noqa: BLE001  # pragma: no cover - reported in the header
        lines.append(f"fastdiv.show_config() failed: {exc!r}")
    lines += ["  " + line for line in buf.getvalue().splitlines()]
    return lines


@pytest.fixture
def rng():
    """A fresh, fixed-seed generator for every test."""
    return np.random.default_rng(20240611)


def _restore_threads(prev):
    import fastdiv

    if fastdiv.get_num_threads() != prev:
        fastdiv.set_num_threads(prev)


@pytest.fixture(autouse=True)
def _fastdiv_state():
    """Save and restore the thread count and the selected ISA around every test."""
    import fastdiv
    from fastdiv import _divergence

    isa = _divergence.get_isa()
    threads = fastdiv.get_num_threads()
    try:
        yield
    finally:
        _divergence.set_isa(isa)
        _restore_threads(threads)


@pytest.fixture
def isa_state():
    """Explicit handle for tests that switch ISA: yields the ISA active at start."""
    from fastdiv import _divergence

    prev = _divergence.get_isa()
    try:
        yield prev
    finally:
        _divergence.set_isa(prev)


@pytest.fixture
def thread_state():
    """Explicit handle for tests that change the thread count: yields the count at start."""
    import fastdiv

    prev = fastdiv.get_num_threads()
    try:
        yield prev
    finally:
        _restore_threads(prev)
