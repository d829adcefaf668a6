"""Fuzzing the public API (issue 7): hypothesis cases, run in child processes,
checked against the 50-digit oracles of tests/fdtest/reference.py with its one
accuracy bound, or against the documented errors.

Profiles: ``pytest tests/fuzz`` runs the quick profile (CI);
``FASTDIV_FUZZ=long pytest tests/fuzz`` runs 25x the examples.
The harness, the registry of targets and the strategies are in fdtest/fuzz.py; the
counts are printed at the end of the session.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fdtest import fuzz as F

N_VALID = 30  # examples per target, quick profile
N_BAD = 40
N_THREADS = 40
N_MONOTONE = 12
N_SHIFT = 10
PER_EXAMPLE = 4  # cases per hypothesis example (hypothesis repeats itself; more per example
# gives more distinct cases for the same time)

ORACLE_TARGETS = [t for t in F.REGISTRY if t.oracle is not None]
LOGIT_TARGETS = [t for t in F.REGISTRY if t.family == "rows" and "logits" in t.keywords]
RENYI_TARGETS = [t for t in F.REGISTRY if "alpha" in t.args]


@pytest.fixture(scope="session", autouse=True)
def _fuzz_report(request):
    """Print the counts at the end of the session (also when tests fail)."""
    yield
    F.shutdown()
    pm = request.config.pluginmanager
    tr, cm = pm.get_plugin("terminalreporter"), pm.get_plugin("capturemanager")
    line = f"fastdiv fuzz, {F.PROFILE} profile: {F.counts_line()}"
    if tr is None or cm is None:  # pragma: no cover
        print(line)
        return
    with cm.global_and_fixture_disabled():
        tr.write_line("")
        tr.write_line(line)
        tr.write_line("largest error / bound per measure and dtype:")
        for w in F.worst_lines():
            tr.write_line(w[:220])


def delta(before):
    return {k: F.COUNTS[k] - before[k] for k in F.COUNT_KEYS}


@pytest.mark.parametrize("target", ORACLE_TARGETS, ids=str)
def test_valid_inputs_match_the_oracle(target):
    before = F.COUNTS.copy()

    @F.fuzz_settings(N_VALID)
    @given(cases=st.lists(F.valid_cases(target), min_size=1, max_size=PER_EXAMPLE))
    def run(cases):
        for case in cases:
            F.evaluate(target, case)

    run()
    d = delta(before)
    assert d["cases"] >= F.examples(N_VALID), d
    assert d["oracle"] > 0, d  # the oracle was consulted
    assert d["threads"] > 0, d  # some cases were re-run with 1 and 2 threads


@pytest.mark.parametrize("target", F.REGISTRY, ids=str)
def test_bad_inputs_raise_documented_errors(target):
    before = F.COUNTS.copy()

    @F.fuzz_settings(N_BAD)
    @given(cases=st.lists(F.bad_cases(target), min_size=1, max_size=PER_EXAMPLE))
    def run(cases):
        for case in cases:
            F.evaluate(target, case)

    run()
    d = delta(before)
    assert d["cases"] >= F.examples(N_BAD), d
    assert d["errors"] > 0, d


def test_thread_counts():
    """1 <= n <= 4 x cores works and gives the 1-thread bits; anything else
    raises (ValueError naming 'n' for integers, TypeError for other types),
    and the next call still works."""
    before = F.COUNTS.copy()

    @F.fuzz_settings(N_THREADS)
    @given(case=F.thread_cases())
    def run(case):
        F.evaluate_threads(case)

    run()
    d = delta(before)
    assert d["cases"] >= F.examples(N_THREADS) and d["errors"] > 0 and d["threads"] > 0, d


@pytest.mark.parametrize("target", RENYI_TARGETS, ids=str)
def test_renyi_monotone_in_alpha(target):
    before = F.COUNTS.copy()

    @F.fuzz_settings(N_MONOTONE)
    @given(case=F.monotone_cases(target))
    def run(case):
        F.check_monotone(target, case)

    run()
    assert delta(before)["invariants"] > 0


@pytest.mark.parametrize("target", LOGIT_TARGETS, ids=str)
def test_exact_logit_shifts_meet_the_bound(target):
    before = F.COUNTS.copy()

    @F.fuzz_settings(N_SHIFT)
    @given(case=F.shift_cases(target))
    def run(case):
        F.evaluate(target, case)

    run()
    assert delta(before)["oracle"] > 0


# --------------------------------------------------------------------------
# the harness itself
# --------------------------------------------------------------------------


def _ok_spec(i):
    return {"fn": "entropy", "args": [F.arr(np.array([0.5, 0.25, 0.25 + i]))], "kwargs": {}}


@pytest.mark.parametrize("fn,how", [("!segv", "SIGSEGV"), ("!abort", "SIGABRT"), ("!hang", "hung")])
def test_harness_finds_the_crashing_case(fn, how):
    failures = F.COUNTS["failures"]
    w = F.Worker(timeout=1.5 if fn == "!hang" else 60.0)
    try:
        for i in range(3):
            out = F.run_spec(_ok_spec(i), worker=w)
            assert out["result"][0] == "ok" and math.isfinite(out["result"][1])
        with pytest.raises(F.CrashFailure) as ei:
            F.run_spec({"fn": fn, "args": [F.val(None)], "kwargs": {}}, worker=w)
    finally:
        w.close()
        F.COUNTS["failures"] = failures
    msg = str(ei.value)
    assert how in msg and "the case in flight" in msg and f"fastdiv.{fn}(None)" in msg, msg
    # a fresh worker after the crash still works
    w = F.Worker()
    try:
        assert F.run_spec(_ok_spec(0), worker=w)["result"][0] == "ok"
    finally:
        w.close()


def test_harness_reports_bad_inputs_it_is_given():
    """The error check fails on a wrong type and on a message without the name."""
    failures = F.COUNTS["failures"]
    target = F.BY_NAME["entropy"]
    case = F.Case(
        "entropy",
        {"fn": "entropy", "args": [F.arr(np.array([0.5, -0.5]))], "kwargs": {}},
        F.Expect("error", ("TypeError",), ("p",)),
    )
    try:
        with pytest.raises(F.ErrorFailure, match="expected TypeError"):
            F.evaluate(target, case)
        case.expect = F.Expect("error", ("ValueError",), ("q",))
        with pytest.raises(F.ErrorFailure, match="does not name q"):
            F.evaluate(target, case)
    finally:
        F.COUNTS["failures"] = failures
