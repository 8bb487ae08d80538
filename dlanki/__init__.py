"""dlanki: keep an Anki deck as source code."""

__version__ = "0.1.0"
"""The one place the version is written: pyproject.toml reads it from here."""

REPOSITORY = "https://github.com/dlanki/dlanki"
"""Where dlanki lives: issues, pre-commit hooks and releases (pyproject.toml's project URLs say the same)."""
