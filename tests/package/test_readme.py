"""The README's usage example runs as written."""

import pathlib
import re

import pytest

# tests/package/test_readme.py -> the repository root
README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.skipif(not README.exists(), reason="README.md not beside the tests")
def test_readme_python_blocks_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no Python example"
    for code in blocks:
        namespace = {}
        exec(compile(code, str(README), "exec"), namespace)
        assert "fastdiv" in namespace
    assert "fastdiv" in capsys.readouterr().out  # show_config() printed
