"""Sphinx configuration of skreg's documentation.

Build offline, warnings as errors (as CI does):

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import sys
from pathlib import Path

import skreg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # gallery_hooks, named by string below

project = "skreg"
author = "the skreg developers"
copyright = "the skreg developers"  # noqa: A001 (Sphinx's name)
release = skreg.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "gallery_hooks.py"]
templates_path = []

# Nothing is fetched, at build or reading time: no intersphinx, no MathJax (the
# formulas are plain text, as in the docstrings), no execution-times pages (they
# load DataTables from a CDN).
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# numpydoc checks every documented docstring (a failed check is a build warning,
# so an error under -W), except: no extended summary, See Also or Examples
# required on each method, and "name : type" lines allowed in Returns.
numpydoc_validation_checks = {"all", "ES01", "SA01", "EX01", "RT02"}

html_theme = "pydata_sphinx_theme"
html_title = f"skreg {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
}
html_static_path = []

sphinx_gallery_conf = {
    "examples_dirs": str(HERE.parent / "examples"),
    "gallery_dirs": "auto_examples",
    # Every example runs (not only plot_*.py): each one saves its picture.
    "filename_pattern": r"\.py$",
    # The examples draw on matplotlib Figures and save PNG files (no pyplot):
    # this scraper puts the files an example saved into the gallery.
    "image_scrapers": ("gallery_hooks.saved_png_scraper",),
    "reset_modules": ("matplotlib", "gallery_hooks.note_start"),
    "download_all_examples": False,
    "write_computation_times": False,
    "remove_config_comments": True,
}
