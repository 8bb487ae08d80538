"""Random YAML and Markdown: the only outcomes are a build or located errors, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import MINIMAL, past, write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlanki.build import build, check
from dlanki.errors import BuildFailed

MARKDOWN_ALPHABET = st.sampled_from(list("ab 梯度$$\\{}[]()<>*_`#|!:-=^/&\"'\n\t") + ["{{c1::", "}}", "$$", "\\(", "\\)", "::"])
markdown_text = st.lists(MARKDOWN_ALPHABET, max_size=40).map("".join)
yaml_text = st.lists(
    st.sampled_from(list("ab:- \n\t[]{},'\"#&*!|>%@`") + ["id: ", "cards:", "deck: ", "  - ", "!!python/object ", "\xff"]),
    max_size=60,
).map("".join)

SETTINGS = settings(max_examples=int(__import__("os").environ.get("DLANKI_FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_located(problems) -> None:
    assert problems
    for problem in problems:
        assert problem.loc.path and problem.message


@SETTINGS
@given(yaml_text)
def test_random_yaml_never_crashes(text: str):
    with tempfile.TemporaryDirectory() as folder:
        root = write_project(Path(folder), {**MINIMAL, "cards/09-random.yaml": text.encode("utf-8", "surrogatepass")})
        result = check(root)
        if result.errors:
            assert_located(result.errors)


@SETTINGS
@given(markdown_text, markdown_text, st.booleans())
def test_random_markdown_builds_or_reports(first: str, second: str, cloze: bool):
    body = {"type": "cloze", "text": first, "extra": second} if cloze else {"type": "basic", "front": first, "back": second}
    lines = ["deck: Mini::Fuzz", "cards:", "  - id: fuzz", "    source: added"]
    for key, value in body.items():
        lines.append(f"    {key}: {_quote(value)}")
    with tempfile.TemporaryDirectory() as folder:
        root = write_project(Path(folder), {**MINIMAL, "cards/09-fuzz.yaml": "\n".join(lines) + "\n"})
        try:
            result = build(root, now=past(100))
        except BuildFailed as failed:
            assert_located([p for p in failed.problems if p.is_error])
        else:
            assert result.output.exists() and result.notes == 5


def _quote(value: str) -> str:
    """A YAML double-quoted string holding exactly `value`."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'
