"""loss="quantile": the pinball loss against scikit-learn's metric and its
linear quantile regression, and the coverage of the fitted quantiles."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import QuantileRegressor
from sklearn.metrics import mean_pinball_loss

from skreg import L2MLPRegressor, L2MLPRegressorCV


def _heteroscedastic(rng, n=400):
    """y = x0 + noise whose spread grows with x1: quantiles differ in slope."""
    X = rng.uniform(-1, 1, size=(n, 3))
    y = X[:, 0] + (0.3 + 0.5 * (X[:, 1] + 1)) * rng.standard_normal(n)
    return X, y


def _fit(X, y, **params):
    est = L2MLPRegressor(loss="quantile", random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("quantile", [0.1, 0.5, 0.9])
def test_objective_is_mean_pinball_loss_plus_penalty(quantile, rng):
    X, y = _heteroscedastic(rng, 120)
    sw = rng.uniform(0.5, 2.0, len(y))
    est = _fit(X, y, quantile=quantile, hidden_layer_sizes=(5,), alpha=0.01,
               max_iter=5)
    penalty = sum(float(np.sum(w**2)) for w in est.coefs_)
    expected = mean_pinball_loss(
        y, est.predict(X), alpha=quantile, sample_weight=sw
    ) + 0.01 * penalty
    assert est.objective(X, y, sample_weight=sw) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("quantile", [0.2, 0.8])
def test_linear_limit_reaches_quantile_regression(quantile, rng):
    # Without hidden layers and with a negligible penalty, the minimiser is
    # linear quantile regression; scikit-learn solves it exactly (linear program).
    X, y = _heteroscedastic(rng)
    exact = QuantileRegressor(quantile=quantile, alpha=0.0).fit(X, y)
    best = mean_pinball_loss(y, exact.predict(X), alpha=quantile)
    est = _fit(X, y, quantile=quantile, hidden_layer_sizes=(), alpha=1e-8,
               solver="adam", learning_rate_init=0.01, max_iter=400,
               n_iter_no_change=400)
    ours = mean_pinball_loss(y, est.predict(X), alpha=quantile)
    assert best <= ours <= best * 1.01
    np.testing.assert_allclose(est.coefs_[0].ravel(), exact.coef_, atol=0.06)


def test_fitted_quantiles_cover_their_share(rng):
    X, y = _heteroscedastic(rng, 2000)
    shares = []
    for quantile in (0.1, 0.5, 0.9):
        est = _fit(X, y, quantile=quantile, hidden_layer_sizes=(16,), alpha=1e-4,
                   max_iter=100)
        shares.append(float(np.mean(y <= est.predict(X))))
    np.testing.assert_allclose(shares, [0.1, 0.5, 0.9], atol=0.04)


def test_starting_bias_is_the_weighted_quantile(rng):
    # One epoch of a zero step moves nothing: the output bias is where
    # training starts, the best constant for the pinball loss.
    X, y = _heteroscedastic(rng, 300)
    est = _fit(X, y, quantile=0.9, hidden_layer_sizes=(4,),
               learning_rate_init=1e-300, max_iter=1)
    assert est.intercepts_[-1][0] == pytest.approx(np.quantile(y, 0.9), abs=0.02)


def test_quantile_parameter_is_validated_and_ignored_by_other_losses(rng):
    X, y = _heteroscedastic(rng, 50)
    with pytest.raises(ValueError, match="quantile"):
        L2MLPRegressor(loss="quantile", quantile=1.0).fit(X, y)
    a = _fit(X, y, hidden_layer_sizes=(3,), max_iter=3).set_params(
        loss="squared_error"
    )
    b = L2MLPRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0,
                       quantile=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a.fit(X, y)
        b.fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_cv_estimator_takes_the_quantile(rng):
    X, y = _heteroscedastic(rng, 120)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cv = L2MLPRegressorCV(hidden_layer_sizes=(4,), loss="quantile",
                              quantile=0.9, alphas=3, cv=3, max_iter=20,
                              random_state=0).fit(X, y)
    assert cv.estimator_.quantile == 0.9
    assert cv.estimator_.loss == "quantile"
