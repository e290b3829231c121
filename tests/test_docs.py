"""The documentation's tables agree with the code, and its Python snippets run.

The build itself (Sphinx, warnings as errors, every example run by the gallery)
is a step of .ci/run: python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import re
import textwrap
from pathlib import Path

import pytest

from skreg._activations import ACTIVATIONS
from skreg._losses import REGRESSION_LOSSES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text()
README_BLOCKS = {
    block.strip() for block in re.findall(r"^```python\n(.*?)^```", README, re.S | re.M)
}


def _first_column(page):
    """The first cell of each row of the page's list-table, header row excluded."""
    return re.findall(r"^   \* - ``(\w+)``", (DOCS / page).read_text(), re.M)[1:]


def _code_blocks():
    """Every ``.. code-block:: python`` of the docs, dedented: (page, code)."""
    blocks = []
    for page in sorted(DOCS.rglob("*.rst")):
        text = page.read_text()
        pattern = r"^\.\. code-block:: python\n\n((?:(?:   .*)?\n)+)"
        for body in re.findall(pattern, text, re.M):
            blocks.append((page.relative_to(DOCS).as_posix(), textwrap.dedent(body)))
    return blocks


CODE_BLOCKS = _code_blocks()


def test_activation_table_lists_the_activation_table():
    canonical = [name for name, record in ACTIVATIONS.items() if record.name == name]
    assert _first_column("user_guide/activations.rst") == canonical


def test_loss_table_lists_the_losses():
    names = _first_column("user_guide/losses.rst")
    assert names == [*REGRESSION_LOSSES, "log_loss"]


def test_docs_have_python_snippets():
    pages = {page for page, _ in CODE_BLOCKS}
    assert {"index.rst", "user_guide/objective.rst", "user_guide/cv.rst"} <= pages


@pytest.mark.parametrize(
    "page, code", CODE_BLOCKS, ids=[f"{p}-{i}" for i, (p, _) in enumerate(CODE_BLOCKS)]
)
def test_docs_python_snippet_runs_as_written(page, code, tmp_path, monkeypatch):
    if code.strip() in README_BLOCKS:
        return  # word for word a README snippet, which tests/test_readme.py runs
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "docs_snippet"}
    exec(compile(code, f"<docs/{page} code block>", "exec"), namespace)
    if page == "user_guide/objective.rst":
        # What the comment says: for lbfgs, loss_ is J at the final weights.
        model, X, y = namespace["model"], namespace["X"], namespace["y"]
        assert model.objective(X, y) == pytest.approx(model.loss_, rel=1e-12)
