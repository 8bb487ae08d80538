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
    listed = dict(re.findall(r"^\| `es5/(\S+)` \| [\d,]+ \| `([0-9a-f]{64})` \|$", (mathjax.BUNDLED / "README.md").read_text(), re.MULTILINE))
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


# Formulas made to be wide, or to lay out wider than their parts: scripts and limits, stacked and
# stretched operators, matrices and alignments, big operators in display, text in CJK and in other
# scripts, accents, boxes, long arrows, primes and explicit spaces.
WIDE_MAKERS = [
    r"\sum_{i=1}^{n} \prod_{j=1}^{m} \bigoplus_{k} \bigotimes_{l} \coprod_{p} x_{ijklp}",
    r"\int_0^1 \iint_D \iiint_V \oint_C f \, dx \, dy \, dz",
    r"A \Longleftrightarrow B \Longrightarrow C \longmapsto D \longleftarrow E \hookrightarrow F",
    r"\overbrace{a + b + c + d}^{\text{四个数}} \underbrace{x_1 + x_2 + x_3}_{\text{三项之和}}",
    r"\widehat{ABCDEF} + \widetilde{xyzxyz} + \overrightarrow{PQRS} + \overline{uvw}",
    r"\begin{pmatrix} a_{11} & a_{12} & a_{13} & a_{14} \\ a_{21} & a_{22} & a_{23} & a_{24} \end{pmatrix}",
    r"\begin{aligned} f(x) &= \frac{1}{1 + e^{-x}} & g(x) &= \tanh x \\ h(x) &= \max(0, x) & k(x) &= x \end{aligned}",
    r"\begin{cases} 1 & \text{如果 } x > 0 \\ 0 & \text{否则} \end{cases}",
    r"\begin{array}{|c|c|c|} \hline W & M & \Omega \\ \hline \end{array}",
    r"\text{注意力机制的复杂度是序列长度的平方} \times n",
    r"\text{ÆØÅ ÇĞİŞ Ωμέγα Привет} + x",
    r"\sqrt[3]{\frac{a^2 + b^2}{c^2 + d^2}} \cdot \boxed{E = mc^2} \cdot \cancel{xyz}",
    r"\left( \frac{\partial L}{\partial w} \right)^{\!\top} \left[ \begin{matrix} 1 \\ 2 \\ 3 \end{matrix} \right]",
    r"f'''(x) + g''''(y) = \mathbb{WMW} + \mathcal{WMW} + \mathfrak{WMW} + \boldsymbol{WMW}",
    r"a = b = c \le d \ge e \approx f \equiv g \propto h \sim i \simeq j \neq k",
    r"\operatorname{softmax}(QK^\top / \sqrt{d_k}) V \quad \text{and} \quad \operatorname*{arg\,max}_\theta p",
    r"\frac{\frac{\frac{1}{2}}{\frac{3}{4}}}{\frac{\frac{5}{6}}{\frac{7}{8}}} \div \tfrac{1}{2} \over 3",
    r"x_{a_{b_{c_{d}}}}^{e^{f^{g^{h}}}} + {}_{p}^{q}X_{r}^{s}",
    r"\xrightarrow[\text{under}]{\text{over the arrow}} \xleftarrow{abc}",
    r"\mathrm{WWWWWWWWWWWWWWWW}",
]


def test_the_width_bound_is_never_below_the_measured_width():
    """A formula whose bound fits the phone is not measured, so a bound below the real width would hide a
    too-wide warning: prove it above MathJax's own measurement, for every formula side in the deck and for
    formulas made to be wide, inline and displayed."""
    import json
    import subprocess
    from importlib import resources

    from conftest import REPO

    from dlanki.build import check
    from dlanki.mathspans import cloze_variants

    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    # Every side MathJax receives: each formula's answer side and each cloze question side.
    deck = {(tex, f.display) for item in check(REPO).rendered for f in item.formulas for tex in cloze_variants(f.anki_tex)}
    sides = sorted(deck) + [(tex, display) for tex in WIDE_MAKERS for display in (False, True)]
    script = resources.files("dlanki").joinpath("mathjax_check.js")
    lines = "".join(json.dumps({"tex": tex, "display": display, "fits": 14.4, "both": True}) + "\n" for tex, display in sides)
    done = subprocess.run(["node", str(script), str(mathjax.BUNDLED)], input=lines, capture_output=True, text=True, check=True)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == len(sides)
    bounded = 0
    for (tex, display), answer in zip(sides, answers):
        assert answer["error"] is None, tex
        if answer["bound"] is not None:  # None: Infinity, so always measured
            bounded += 1
            assert answer["bound"] >= answer["width"], (tex, display, answer)
    assert bounded > 0.9 * len(sides)  # the bound decides, not the fallback
    assert any(answer["width"] > 14.4 for answer in answers)  # some of them are wide
