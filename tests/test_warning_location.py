"""Warnings point at the user's line (here: this file), not at skreg's internals.

A warning's filename and line are what Python prints and what
``warnings.filterwarnings(module=...)`` matches; scikit-learn's user reads them
to find the call that warned.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skreg import L2MLPClassifier, L2MLPClassifierCV, L2MLPRegressor, L2MLPRegressorCV


def _data(n=40, d=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    return X, np.tanh(X @ np.arange(1.0, d + 1))


X, Y = _data()
LABELS = (Y > 0).astype(int)


def _here(record, category):
    """The warnings of ``category`` in ``record``: at least one, each from here."""
    mine = [w for w in record if issubclass(w.category, category)]
    assert mine, f"no {category.__name__} was raised"
    return [(w.filename, str(w.message)[:60]) for w in mine if w.filename != __file__]


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("Estimator", [L2MLPRegressor, L2MLPClassifier])
def test_convergence_warning_of_fit_points_here(Estimator, solver, seed):
    y = Y if Estimator is L2MLPRegressor else LABELS
    est = Estimator((3,), solver=solver, max_iter=1, random_state=seed)
    with pytest.warns(ConvergenceWarning) as record:
        est.fit(X, y)
    assert _here(record, ConvergenceWarning) == []


def test_warnings_of_partial_fit_point_here(seed):
    # A batch larger than the data is clipped with a warning.
    est = L2MLPRegressor((3,), batch_size=1000, random_state=seed)
    with pytest.warns(UserWarning, match="batch_size") as record:
        est.partial_fit(X, Y)
    assert _here(record, UserWarning) == []
    with pytest.warns(UserWarning, match="batch_size") as record:
        est.partial_fit(X, Y)  # a second call, which continues the fit
    assert _here(record, UserWarning) == []


def test_warning_of_a_non_smooth_loss_under_lbfgs_points_here(seed):
    est = L2MLPRegressor((3,), loss="absolute_error", solver="lbfgs", max_iter=5,
                         random_state=seed)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(X, Y)
    assert _here(record, UserWarning) == []


@pytest.mark.parametrize("Estimator", [L2MLPRegressorCV, L2MLPClassifierCV])
def test_warnings_of_the_cv_estimators_point_here(Estimator, seed):
    # The folds' and the refit's fits run out of epochs.
    y = Y if Estimator is L2MLPRegressorCV else LABELS
    est = Estimator((3,), alphas=2, cv=2, max_iter=1, random_state=seed)
    with pytest.warns(ConvergenceWarning) as record:
        est.fit(X, y)
    assert _here(record, ConvergenceWarning) == []


def test_scorer_warning_of_the_cv_estimator_points_here(seed):
    # A scorer that takes no sample_weight, with weighted fits: a warning.
    def score(est, X, y):
        return est.score(X, y)

    est = L2MLPRegressorCV((3,), alphas=2, cv=2, scoring=score, max_iter=2,
                           tol=0.5, random_state=seed)
    with pytest.warns(UserWarning, match="does not accept sample_weight") as record:
        est.fit(X, Y, sample_weight=np.ones(len(X)))
    assert _here(record, UserWarning) == []
