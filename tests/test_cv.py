"""The cross-validated lambda path estimators."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skreg import L2MLPClassifier, L2MLPClassifierCV, L2MLPRegressor, L2MLPRegressorCV

_SMALL = {"hidden_layer_sizes": (8,), "alphas": 3, "cv": 3, "random_state": 0}


@parametrize_with_checks(
    [
        L2MLPRegressorCV(**_SMALL, max_iter=50),
        L2MLPClassifierCV(**_SMALL, max_iter=50),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture
def regression():
    X, y = make_regression(n_samples=120, n_features=5, noise=10.0, random_state=0)
    return StandardScaler().fit_transform(X), y / y.std()


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn()


def test_path_attributes(regression):
    X, y = regression
    model = _quiet(
        lambda: L2MLPRegressorCV((10,), alphas=5, cv=4, random_state=0).fit(X, y)
    )
    assert model.alphas_.shape == (5,)
    assert np.all(np.diff(model.alphas_) < 0)  # largest first
    assert model.scores_.shape == (4, 5)
    assert model.n_iter_path_.shape == (4, 5)
    assert model.alpha_ in model.alphas_
    best = int(np.argmax(model.scores_.mean(axis=0)))
    assert model.alpha_ == model.alphas_[best]
    assert model.best_score_ == pytest.approx(model.scores_.mean(axis=0)[best])
    # The refitted network is the base estimator at alpha_, on all data.
    reference = _quiet(
        lambda: L2MLPRegressor((10,), alpha=model.alpha_, random_state=0).fit(X, y)
    )
    np.testing.assert_allclose(model.predict(X), reference.predict(X))
    for name in ("coefs_", "intercepts_", "n_iter_", "loss_curve_", "n_features_in_"):
        assert hasattr(model, name)


def test_explicit_grid_and_scores_match_a_fold_by_hand(regression):
    X, y = regression
    alphas = [1e-3, 1.0, 1e-1]
    cv = KFold(3, shuffle=True, random_state=0)
    model = _quiet(
        lambda: L2MLPRegressorCV((6,), alphas=alphas, cv=cv, random_state=0).fit(X, y)
    )
    np.testing.assert_array_equal(model.alphas_, [1.0, 1e-1, 1e-3])
    train, test = next(cv.split(X))
    path = L2MLPRegressor((6,), warm_start=True, random_state=0)
    for j, alpha in enumerate(model.alphas_):
        _quiet(lambda a=alpha: path.set_params(alpha=a).fit(X[train], y[train]))
        assert model.scores_[0, j] == pytest.approx(path.score(X[test], y[test]))


def test_weights_shrink_along_the_path(regression):
    X, y = regression
    norms = []
    path = L2MLPRegressor((10,), warm_start=True, solver="lbfgs", random_state=0)
    for alpha in [1.0, 0.1, 0.01, 0.001]:
        _quiet(lambda a=alpha: path.set_params(alpha=a).fit(X, y))
        norms.append(sum(float(np.sum(w**2)) for w in path.coefs_))
    assert np.all(np.diff(norms) > 0)


def test_path_restarts_after_the_weights_collapse(regression):
    X, y = regression
    cv = KFold(3, shuffle=True, random_state=0)
    # alpha=100 drives every weight to zero, a stationary point for all alphas;
    # the path must start afresh after it instead of staying there.
    from_collapse = _quiet(
        lambda: L2MLPRegressorCV(
            (10,), alphas=[100.0, 0.01], cv=cv, random_state=0
        ).fit(X, y)
    )
    direct = _quiet(
        lambda: L2MLPRegressorCV((10,), alphas=[0.01], cv=cv, random_state=0).fit(X, y)
    )
    assert from_collapse.scores_[:, 0].mean() < 0.05
    np.testing.assert_allclose(from_collapse.scores_[:, 1], direct.scores_[:, 0])


def test_warm_path_close_to_cold_fits(regression):
    X, y = regression
    cv = KFold(3, shuffle=True, random_state=0)
    alphas = [1.0, 0.1, 0.01]
    model = _quiet(
        lambda: L2MLPRegressorCV((10,), alphas=alphas, cv=cv, random_state=0).fit(X, y)
    )
    for j, alpha in enumerate(model.alphas_):
        cold = cross_val_score(
            L2MLPRegressor((10,), alpha=alpha, random_state=0), X, y, cv=cv
        )
        assert model.scores_[:, j].mean() == pytest.approx(cold.mean(), abs=0.05)


def test_classifier_in_pipeline_and_cross_val_score():
    X, y = load_iris(return_X_y=True)
    model = make_pipeline(
        StandardScaler(), L2MLPClassifierCV((8,), alphas=3, cv=3, random_state=0)
    )
    scores = _quiet(lambda: cross_val_score(model, X, y, cv=3))
    assert scores.mean() > 0.85
    fitted = _quiet(lambda: model.fit(X, y))
    proba = fitted.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert isinstance(fitted[-1].estimator_, L2MLPClassifier)


def test_parallel_folds_equal_serial(regression):
    X, y = regression
    serial = _quiet(
        lambda: L2MLPRegressorCV((6,), alphas=3, cv=3, random_state=0).fit(X, y)
    )
    parallel = _quiet(
        lambda: L2MLPRegressorCV((6,), alphas=3, cv=3, n_jobs=2, random_state=0).fit(
            X, y
        )
    )
    np.testing.assert_allclose(parallel.scores_, serial.scores_, rtol=1e-10)
    assert parallel.alpha_ == serial.alpha_


def _squared_weights(model):
    return sum(float(np.sum(w**2)) for w in model.coefs_)


def _grid_top(cv_estimator, X, y):
    fitted = _quiet(lambda: clone(cv_estimator).set_params(max_iter=1).fit(X, y))
    return fitted.alphas_[0]


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_grid_top_is_where_a_linear_network_collapses(regression, loss):
    # With the identity activation, min over factorisations of J is the convex
    # L(B) + 2 alpha ||B||_*: zero is optimal exactly from the top of the grid on.
    X, y = regression
    if loss == "poisson":
        y = np.exp(y / 2)
    top = _grid_top(L2MLPRegressorCV((4,), activation="identity", loss=loss), X, y)
    net = L2MLPRegressor(
        (4,), activation="identity", loss=loss, solver="lbfgs", tol=1e-10,
        max_iter=5000, random_state=0,
    )
    above = _quiet(lambda: clone(net).set_params(alpha=1.05 * top).fit(X, y))
    below = _quiet(lambda: clone(net).set_params(alpha=0.9 * top).fit(X, y))
    assert _squared_weights(above) < 1e-6
    assert _squared_weights(below) > 1e-3


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
def test_grid_top_is_where_a_hidden_layer_collapses(activation):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    top = _grid_top(L2MLPClassifierCV((16,), activation=activation), X, y)
    net = L2MLPClassifier(
        (16,), activation=activation, solver="lbfgs", tol=1e-10, max_iter=5000,
        random_state=0,
    )
    # Just above the top the network has nothing left; just below it learns.
    above = _quiet(lambda: clone(net).set_params(alpha=1.05 * top).fit(X, y))
    below = _quiet(lambda: clone(net).set_params(alpha=0.8 * top).fit(X, y))
    assert _squared_weights(above) < 1e-6
    assert _squared_weights(below) > 0.1
    assert below.score(X, y) > 0.6
