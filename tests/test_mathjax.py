"""The MathJax dlanki bundles: complete, unmodified, used without npm, and replaceable by $DLANKI_MATHJAX."""

from __future__ import annotations

import hashlib
import os
import re
import shutil

import pytest

from dlanki import mathjax
from dlanki.cli import cli


def test_the_bundled_files_are_mathjax_unmodified():
    """dlanki/mathjax/README.md, written by tools/vendor_mathjax.py, lists each file's SHA-256 as npm ships it."""
    listed = dict(re.findall(r"^\| `es5/(\S+)` \| [\d,]+ \| `([0-9a-f]{64})` \|$", (mathjax.BUNDLED / "README.md").read_text(), re.M))
    present = {p.relative_to(mathjax.BUNDLED / "es5").as_posix() for p in (mathjax.BUNDLED / "es5").rglob("*") if p.is_file()}
    assert present == set(listed)
    assert set(mathjax.FILES) <= present and any(name.startswith(mathjax.FONTS + "/") for name in present)
    for name, digest in listed.items():
        assert hashlib.sha256((mathjax.BUNDLED / "es5" / name).read_bytes()).hexdigest() == digest, name
    assert "Apache License" in (mathjax.BUNDLED / "LICENSE").read_text()
    assert f'VERSION="{mathjax.VERSION}"' in (mathjax.BUNDLED / "es5" / "core.js").read_text()


def test_node_is_there_in_ci():
    """Formulas must be proven in CI, so CI must have what runs MathJax."""
    if os.environ.get("CI"):
        assert shutil.which("node"), "CI must install Node.js (apt-get install nodejs)"
    assert mathjax.find_mathjax() == mathjax.BUNDLED.resolve()


def _broken_formula(make_project):
    return make_project(
        {"cards/09.yaml": "deck: Mini::Bad\ncards:\n  - id: bad-one\n    type: basic\n    source: added\n    front: Q\n    back: $\\fracc{1}{2}$\n"}
    )


def test_without_node_the_warning_says_what_to_install(make_project, runner, monkeypatch, tmp_path):
    root = _broken_formula(make_project)
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no node on it
    done = runner.invoke(cli, ["check", "-p", str(root)])
    assert done.exit_code == 0, done.output  # the broken formula cannot be seen, only reported unverified
    # 5 distinct formulas as written: with nothing to check them, their cloze sides are not worked out.
    assert "warning: 5 formula(s) not verified: Node.js was not found" in done.stderr
    assert "apt-get install nodejs" in done.stderr and "brew install node" in done.stderr
    assert "npm" not in done.stderr


def test_dlanki_mathjax_overrides_the_bundled_copy(make_project, runner, monkeypatch, tmp_path):
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    root = _broken_formula(make_project)
    monkeypatch.setenv(mathjax.ENV_OVERRIDE, str(tmp_path / "nowhere"))
    done = runner.invoke(cli, ["check", "-p", str(root)])
    assert "not verified: $DLANKI_MATHJAX" in done.stderr and "has no MathJax es5/ components" in done.stderr

    copy = tmp_path / "mathjax-copy"
    shutil.copytree(mathjax.BUNDLED, copy)
    monkeypatch.setenv(mathjax.ENV_OVERRIDE, str(copy))
    done = runner.invoke(cli, ["check", "-v", "-p", str(root)])
    assert done.exit_code == 1
    assert "MathJax cannot render $\\fracc{1}{2}$: Undefined control sequence \\fracc" in done.stderr
    assert f"MathJax from $DLANKI_MATHJAX ({copy.resolve()})" in done.stderr
