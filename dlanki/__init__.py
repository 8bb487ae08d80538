"""dlanki: keep an Anki deck as source code."""

__version__ = "0.1.0"
