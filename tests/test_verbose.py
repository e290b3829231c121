"""Progress output: nothing at verbose=0, one line per epoch at verbose=1."""

import io
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skreg import L2MLPClassifier, L2MLPRegressor
from skreg._progress import Progress

NUMBER = r"[-+0-9.e]+|nan|inf"
LINE = re.compile(
    rf"^(epoch|iteration) (\d+): J = ({NUMBER}) \(data ({NUMBER}) \+ penalty "
    rf"({NUMBER})\)(, validation score = ({NUMBER}))?(, learning rate = ({NUMBER}))?"
    rf", ({NUMBER}) s$"
)


@pytest.fixture
def data(rng):
    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=60)
    return X, y


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_verbose_0_prints_nothing(capsys, data, seed, solver):
    _fit(L2MLPRegressor((5,), solver=solver, max_iter=5, random_state=seed), *data)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_verbose_1_prints_one_line_per_epoch_with_J_and_its_parts(
    capsys, data, seed, solver
):
    alpha = 0.01
    model = _fit(
        L2MLPRegressor(
            (5,), solver=solver, alpha=alpha, max_iter=7, verbose=1,
            random_state=seed,
        ),
        *data,
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_
    unit = "iteration" if solver == "lbfgs" else "epoch"
    for number, line in enumerate(lines, start=1):
        match = LINE.match(line)
        assert match, line
        assert match[1] == unit and int(match[2]) == number
        J, data_part, penalty_part = map(float, match.group(3, 4, 5))
        assert J == pytest.approx(data_part + penalty_part, rel=1e-4, abs=1e-9)
        assert penalty_part > 0
        assert (match[9] is None) == (solver == "lbfgs")
    # The printed J is the loss curve, rounded to 6 significant digits.
    printed = [float(LINE.match(line)[3]) for line in lines]
    np.testing.assert_allclose(printed, model.loss_curve_[-len(lines):], rtol=1e-5)


def test_verbose_1_penalty_part_is_alpha_times_squared_weights(capsys, data, seed):
    model = _fit(
        L2MLPRegressor((4,), solver="lbfgs", alpha=0.1, max_iter=5, verbose=1,
                       random_state=seed),
        *data,
    )
    last = LINE.match(capsys.readouterr().out.splitlines()[-1])
    weights = sum(float(np.sum(W**2)) for W in model.coefs_)
    assert float(last[5]) == pytest.approx(0.1 * weights, rel=1e-5)


def test_verbose_1_shows_the_validation_score_with_early_stopping(capsys, rng, seed):
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] > 0).astype(int)
    model = _fit(
        L2MLPClassifier((4,), early_stopping=True, max_iter=6, verbose=1,
                        random_state=seed),
        X, y,
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_
    scores = [float(LINE.match(line)[7]) for line in lines]
    np.testing.assert_allclose(scores, model.validation_scores_, rtol=1e-5)


def test_verbose_2_falls_back_to_lines_when_not_a_terminal(capsys, data, seed):
    model = _fit(L2MLPRegressor((5,), max_iter=4, verbose=2, random_state=seed), *data)
    out = capsys.readouterr().out
    assert "\r" not in out
    assert len(out.splitlines()) == model.n_iter_


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_2_draws_one_bar_line_in_a_terminal():
    stream = _Terminal()
    with Progress(2, 4, stream=stream) as progress:
        for epoch in range(1, 4):
            progress.report(epoch, 1.5, 1.0, 0.5, 0.01, learning_rate=0.1)
    out = stream.getvalue()
    assert out.count("\r") == 3 and out.endswith("\n") and out.count("\n") == 1
    assert "3/4" in out and "[###############.....]" in out
