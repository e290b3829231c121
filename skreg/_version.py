"""The version of skreg, in one place (read by pyproject.toml and pickles)."""

__version__ = "0.1.0"
