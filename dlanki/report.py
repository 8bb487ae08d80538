"""Problems as text for people, JSON for tools, and GitHub Actions annotations for pull requests."""

from __future__ import annotations

import json

from dlanki.errors import Problem, printable

FORMATS = ("text", "json", "github")


def format_problems(problems: list[Problem], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([_as_dict(p) for p in problems], ensure_ascii=False, indent=1)
    if fmt == "github":
        return "\n".join(_as_annotation(p) for p in problems)
    return "\n".join(str(p) for p in problems)


def summary(problems: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    return f"{errors} error(s), {len(problems) - errors} warning(s)"


def _as_dict(problem: Problem) -> dict:
    return {
        "path": problem.loc.path,
        "line": problem.loc.line,
        "column": problem.loc.col,
        "card_id": problem.card_id,
        "level": problem.level,
        "message": problem.message,
        "hint": problem.hint,
    }


def _as_annotation(problem: Problem) -> str:
    # https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
    # Untrusted text is escaped as the runner's own toolkit does (escapeData / escapeProperty), so a
    # card id or message can never end the command and start another one ("\n::warning …").
    props = [f"file={_property(problem.loc.path)}"]
    if problem.loc.line:
        props.append(f"line={problem.loc.line}")
    if problem.loc.col:
        props.append(f"col={problem.loc.col}")
    if problem.card_id:
        props.append(f"title={_property(problem.card_id)}")
    text = problem.message + (f" — {problem.hint}" if problem.hint else "")
    return f"::{problem.level} {','.join(props)}::{_data(text)}"


def _data(text: str) -> str:
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
