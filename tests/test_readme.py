"""The README's commands and tables agree with the code and with .ci/run."""

import re
from pathlib import Path

import pytest

from skreg import L2MLPClassifier, L2MLPRegressor
from skreg._activations import ACTIVATIONS
from skreg._losses import REGRESSION_LOSSES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _table_first_column(heading):
    section = README.split(heading, 1)[1]
    rows = re.findall(r"^\| `([^`]+)`", section.split("\n## ", 1)[0], re.M)
    return rows


def test_readme_test_command_is_what_ci_runs():
    ci_last = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    first_lines = README.split("```", 2)[1]
    assert ci_last in first_lines


def test_parameter_table_lists_every_parameter():
    names = set(_table_first_column("## Parameters"))
    params = set(L2MLPRegressor().get_params()) | set(L2MLPClassifier().get_params())
    assert names == params


def test_activation_table_lists_the_activation_table():
    names = set(_table_first_column("## Activations"))
    canonical = {name for name, record in ACTIVATIONS.items() if record.name == name}
    assert names == canonical


def test_loss_table_lists_the_regression_losses():
    names = set(_table_first_column("## Losses"))
    assert names == set(REGRESSION_LOSSES) | {"log_loss"}


def test_cv_table_lists_the_cv_parameters():
    from skreg import L2MLPClassifierCV, L2MLPRegressorCV

    names = set(_table_first_column("## Tuning alpha"))
    for cv_class, base in [
        (L2MLPRegressorCV, L2MLPRegressor),
        (L2MLPClassifierCV, L2MLPClassifier),
    ]:
        own = set(cv_class().get_params()) - set(base().get_params())
        assert names == own
        # Every other parameter is the network's, except alpha and warm_start
        # (the path warm-starts its own networks).
        assert set(cv_class().get_params()) - own == set(base().get_params()) - {
            "alpha",
            "warm_start",
        }


# Every ```python block of the README, in order: each runs on its own, as a reader
# would paste it (it defines its own X, y and X_new).
PYTHON_BLOCKS = re.findall(r"^```python\n(.*?)^```", README, re.S | re.M)


def _check_cv_results(namespace, tmp_path):
    assert (tmp_path / "cv_results.png").stat().st_size > 0
    results = namespace["results"]
    assert len(results) == 6
    assert results["rank_test_score"].min() == 1


def _check_cv_predict(namespace, tmp_path):
    model = namespace["model"]
    assert model.alpha_ in model.alphas_
    assert model.predict(namespace["X_new"]).shape == (5,)


# What some snippets must have produced, beyond running without an error.
EXPECTED = {"cv_results_": _check_cv_results, "X_new": _check_cv_predict}


def test_readme_has_the_python_snippets():
    # Quick start (2), the CV estimator, cv_results_, the Dask grid search, skops
    # and ONNX (whose own checks are in test_persistence.py and test_onnx.py).
    assert len(PYTHON_BLOCKS) == 7
    for marker in EXPECTED:
        assert sum(marker in block for block in PYTHON_BLOCKS) == 1


@pytest.mark.parametrize(
    "snippet", PYTHON_BLOCKS, ids=[f"block{i + 1}" for i in range(len(PYTHON_BLOCKS))]
)
def test_readme_python_snippet_runs_as_written(snippet, tmp_path, monkeypatch):
    # In a fresh namespace and an empty folder (a snippet may save a picture). Its
    # warnings are not silenced: pytest reports them.
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "readme_snippet"}
    # A name that is not a file: warnings point at the snippet, not at README.md's
    # lines (the snippet's line numbers start at its block).
    exec(compile(snippet, "<README.md python block>", "exec"), namespace)
    if "plt" in namespace:
        namespace["plt"].close("all")
    for marker, check in EXPECTED.items():
        if marker in snippet:
            check(namespace, tmp_path)


def test_readme_lists_every_example():
    listed = set(re.findall(r"^\| `examples/([a-z_]+\.py)`", README, re.M))
    on_disk = {path.name for path in (ROOT / "examples").glob("*.py")}
    assert listed == on_disk
