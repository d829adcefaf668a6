"""show_config, __version__ and ``python -m fastdiv``."""

import os
import re
import subprocess
import sys

import pytest

import fastdiv as fd
from fastdiv import _divergence as _dv
from fdtest.measures import ALL

MEASURE_NAMES = ALL + ["self_information"]


def test_version_is_a_version_string():
    assert isinstance(fd.__version__, str)
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?([.+-]?\w+)*", fd.__version__)


def test_public_names_exist():
    for name in MEASURE_NAMES + [
        "set_num_threads",
        "get_num_threads",
        "num_threads",
        "show_config",
    ]:
        assert callable(getattr(fd, name)), name


def test_show_config_prints_version_openmp_threads_isa(capsys, thread_state):
    fd.set_num_threads(3)
    assert fd.show_config() is None
    out = capsys.readouterr().out
    assert fd.__version__ in out
    assert re.search(r"openmp", out, re.IGNORECASE)
    assert re.search(r"thread", out, re.IGNORECASE)
    assert re.search(r"\b3\b", out)  # the current thread count
    assert _dv.get_isa() in out
    for isa in _dv.isa_available():
        assert isa in out


def test_show_config_dicts(capsys, thread_state, isa_state):
    fd.set_num_threads(2)
    cfg = fd.show_config(mode="dicts")
    assert capsys.readouterr().out == ""  # returns, does not print
    assert isinstance(cfg, dict)
    assert {"version", "openmp", "num_threads", "isa", "isa_available"} <= set(cfg)
    assert cfg["version"] == fd.__version__
    assert isinstance(cfg["openmp"], bool)
    assert cfg["num_threads"] == fd.get_num_threads() == 2
    assert cfg["isa"] == _dv.get_isa()
    assert list(cfg["isa_available"]) == list(_dv.isa_available())
    assert cfg["isa"] in cfg["isa_available"]
    # it reflects changes
    first = _dv.isa_available()[0]
    _dv.set_isa(first)
    with fd.num_threads(1):
        cfg = fd.show_config(mode="dicts")
    assert cfg["isa"] == first and cfg["num_threads"] == 1


def test_isa_hooks():
    avail = _dv.isa_available()
    assert isinstance(avail, list) and avail and all(isinstance(a, str) for a in avail)
    assert _dv.get_isa() in avail
    with pytest.raises(ValueError):
        _dv.set_isa("no-such-isa")
    assert _dv.get_isa() in avail


def test_python_m_fastdiv_runs():
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "2")
    out = subprocess.run(
        [sys.executable, "-m", "fastdiv"],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=os.path.dirname(os.path.abspath(__file__)),
    )
    assert out.returncode == 0, out.stderr[-2000:]
    for name in MEASURE_NAMES:
        assert name in out.stdout, name
    assert fd.__version__ in out.stdout


def test_show_config_reports_debug_build(capsys):
    """``debug`` says whether this is a FASTDIV_DEBUG=1 build (CI's debug leg
    checks that it is True there); the report prints a line only then."""
    cfg = fd.show_config(mode="dicts")
    assert cfg["debug"] is _dv.debug_build()
    assert isinstance(cfg["debug"], bool)
    fd.show_config()
    assert ("debug build" in capsys.readouterr().out) == cfg["debug"]
