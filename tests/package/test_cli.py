"""The ``fastdiv`` command, the single version, and the message a user gets
when importing fastdiv from a source tree without compiled kernels."""

import importlib.metadata
import os
import shutil
import subprocess
import sys

import pytest

import fastdiv as fd

SCRIPT = shutil.which("fastdiv", path=os.path.dirname(sys.executable))
needs_script = pytest.mark.skipif(
    SCRIPT is None, reason="the fastdiv console script is not installed"
)


def run(args, cwd, **kw):
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "2")
    return subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=cwd, env=env, **kw)


def test_version_is_the_distribution_version():
    assert fd.__version__ == importlib.metadata.version("fastdiv")


@needs_script
def test_fastdiv_demo(tmp_path):
    out = run([SCRIPT, "demo", "--rows", "2000", "--threads", "1"], cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "kl_divergence(data || model) [bits]" in out.stdout
    assert "batch: KL of 2,000 pairs" in out.stdout


@needs_script
def test_fastdiv_version_and_help(tmp_path):
    out = run([SCRIPT, "--version"], cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == f"fastdiv {fd.__version__}"
    out = run([SCRIPT, "--help"], cwd=tmp_path)
    assert out.returncode == 0 and "demo" in out.stdout


@needs_script
@pytest.mark.parametrize(
    "args,word",
    [
        (["demo", "--rows", "0"], "--rows"),
        (["demo", "--threads", "0"], "--threads"),
        (["nosuch"], "invalid choice"),
    ],
)
def test_fastdiv_bad_arguments(tmp_path, args, word):
    out = run([SCRIPT, *args], cwd=tmp_path)
    assert out.returncode == 2 and word in out.stderr


# An editable install's import finder would supply the compiled module from
# the developer's tree: the child drops it, as a plain install has none.
IMPORT = (
    "import sys; sys.meta_path[:] = [f for f in sys.meta_path "
    "if 'Editable' not in getattr(f, '__name__', type(f).__name__)]; import fastdiv"
)


def test_import_from_source_tree_explains(tmp_path):
    """A source tree (setup.py, src/ and fastdiv/ without the compiled module)
    first on sys.path, as with 'python -m' at a fresh clone's root."""
    pkg = os.path.dirname(fd.__file__)
    shutil.copytree(
        pkg, tmp_path / "fastdiv", ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__")
    )
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "src").mkdir()
    out = run([sys.executable, "-c", IMPORT], cwd=tmp_path)
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: fastdiv is being imported from its source tree"), last
    assert "pip install -e . --no-build-isolation" in last
    assert "circular import" not in last.split("(Original error")[0]


def test_import_without_kernels_elsewhere_explains(tmp_path):
    pkg = os.path.dirname(fd.__file__)
    shutil.copytree(
        pkg,
        tmp_path / "lib" / "fastdiv",
        ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__"),
    )
    out = run([sys.executable, "-c", IMPORT], cwd=tmp_path / "lib")
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: fastdiv's compiled kernels could not be loaded"), last
