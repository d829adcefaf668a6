"""The Examples sections of the public docstrings run and print what they show."""

import doctest

import pytest

import fastdiv
from fastdiv import _config, _exact, _pairwise, _tables, _threads, discrete, hist, knn


@pytest.mark.parametrize(
    "module",
    [_exact, _pairwise, _tables, _threads, _config, discrete, hist, knn],
    ids=lambda m: m.__name__,
)
def test_docstring_examples(module):
    before = fastdiv.get_num_threads()
    try:
        res = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, report=True)
    finally:
        fastdiv.set_num_threads(before)
    assert res.attempted > 0
    assert res.failed == 0


def test_every_public_function_is_documented():
    for name in fastdiv.__all__:
        if name.startswith("__"):
            continue
        doc = getattr(fastdiv, name).__doc__ or ""
        assert "Examples" in doc and ">>>" in doc, name
        assert "Parameters" in doc or name in ("get_num_threads", "thread_limit"), name
