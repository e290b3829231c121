"""Oracle tests: in the linear limit the objective J has a known minimizer.

With ``hidden_layer_sizes=()`` the network is a generalized linear model, and
SPEC section 1 maps J onto scikit-learn's linear estimators:

- squared error: ``Ridge(alpha=S * n_outputs * alpha)``;
- log loss (binary or multinomial): ``LogisticRegression(C=1 / (2 * S * alpha))``;
- Poisson: ``PoissonRegressor(alpha=alpha)``;

with ``S`` the sum of the sample weights (``n_samples`` without weights).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    PoissonRegressor,
    Ridge,
)
from sklearn.metrics import log_loss, mean_poisson_deviance, mean_squared_error

from skreg import L2MLPClassifier, L2MLPRegressor

# lbfgs run to (near) machine precision so that the oracle comparison is meaningful
TIGHT = {"solver": "lbfgs", "tol": 1e-10, "max_iter": 5000}
RTOL = 1e-4


def assert_rel_close(actual, desired, rtol=RTOL):
    """Norm-wise relative error of ``actual`` w.r.t. ``desired`` is below ``rtol``."""
    actual = np.asarray(actual, dtype=np.float64)
    desired = np.asarray(desired, dtype=np.float64)
    assert actual.shape == desired.shape, (actual.shape, desired.shape)
    err = np.linalg.norm(actual - desired) / np.linalg.norm(desired)
    assert err <= rtol, f"relative error {err:.3e} > {rtol:.0e}"


def make_linear(rng, n_samples=120, n_features=4, n_outputs=1, noise=0.5):
    """Gaussian features, a linear target with an offset, and noise."""
    X = rng.standard_normal((n_samples, n_features))
    W = rng.standard_normal((n_features, n_outputs))
    y = X @ W + 0.7 + noise * rng.standard_normal((n_samples, n_outputs))
    return X, (y.ravel() if n_outputs == 1 else y)


def make_weights(rng, n_samples, weighted):
    """Positive, uneven sample weights (or None) and their sum S."""
    if not weighted:
        return None, float(n_samples)
    sw = rng.uniform(0.2, 3.0, size=n_samples)
    return sw, float(sw.sum())


def ridge_objective(X, y, sw, alpha, model):
    """J by hand at a linear model's solution: weighted MSE + alpha * ||coef||^2."""
    mse = mean_squared_error(y, model.predict(X), sample_weight=sw)
    return mse + alpha * np.sum(model.coef_**2)


# --------------------------------------------------------------------------- Ridge


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_outputs", [1, 2])
def test_squared_error_linear_limit_matches_ridge(rng, seed, n_outputs, weighted):
    X, y = make_linear(rng, n_outputs=n_outputs)
    sw, S = make_weights(rng, X.shape[0], weighted)
    alpha = 0.05

    est = L2MLPRegressor(hidden_layer_sizes=(), alpha=alpha, random_state=seed, **TIGHT)
    est.fit(X, y, sample_weight=sw)
    ridge = Ridge(alpha=S * n_outputs * alpha).fit(X, y, sample_weight=sw)

    assert len(est.coefs_) == 1
    assert est.coefs_[0].shape == (X.shape[1], n_outputs)
    assert_rel_close(est.coefs_[0], ridge.coef_.reshape(n_outputs, -1).T)
    assert_rel_close(est.intercepts_[0], np.atleast_1d(ridge.intercept_))
    assert_rel_close(est.predict(X), ridge.predict(X))
    # J is flat at the optimum, so the objectives agree to second order.
    j_ridge = ridge_objective(X, y, sw, alpha, ridge)
    assert_allclose(est.objective(X, y, sample_weight=sw), j_ridge, rtol=1e-7)


def test_ridge_wrong_alpha_mapping_does_not_match(rng, seed):
    """Negative control: the oracle comparison can tell a wrong penalty apart."""
    X, y = make_linear(rng)
    alpha = 0.05
    est = L2MLPRegressor(hidden_layer_sizes=(), alpha=alpha, random_state=seed, **TIGHT)
    est.fit(X, y)
    coef = est.coefs_[0].ravel()
    right = Ridge(alpha=X.shape[0] * alpha).fit(X, y)
    assert_rel_close(coef, right.coef_)
    for wrong_alpha in (alpha, 2 * X.shape[0] * alpha, X.shape[0] * alpha / 2):
        wrong = Ridge(alpha=wrong_alpha).fit(X, y)
        err = np.linalg.norm(coef - wrong.coef_) / np.linalg.norm(wrong.coef_)
        assert err > 100 * RTOL, wrong_alpha


# ------------------------------------------------------------- LogisticRegression


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_log_loss_linear_limit_matches_logistic_regression(
    rng, seed, n_classes, weighted
):
    X, y = make_classification(
        n_samples=150,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=n_classes,
        n_clusters_per_class=1,
        flip_y=0.1,
        random_state=seed,
    )
    sw, S = make_weights(rng, X.shape[0], weighted)
    alpha = 0.01

    clf = L2MLPClassifier(
        hidden_layer_sizes=(), alpha=alpha, random_state=seed, **TIGHT
    ).fit(X, y, sample_weight=sw)
    lr = LogisticRegression(C=1 / (2 * S * alpha), tol=1e-12, max_iter=10000)
    lr.fit(X, y, sample_weight=sw)

    assert len(clf.coefs_) == 1
    if n_classes == 2:
        # one logistic output unit
        assert clf.out_activation_ == "logistic"
        assert clf.coefs_[0].shape == (X.shape[1], 1)
        assert_rel_close(clf.coefs_[0].ravel(), lr.coef_.ravel())
        assert_rel_close(clf.intercepts_[0], lr.intercept_)
    else:
        # softmax: the penalty pins W (its columns sum to zero at the optimum);
        # the unpenalized intercepts are only defined up to a common shift.
        assert clf.out_activation_ == "softmax"
        assert clf.coefs_[0].shape == (X.shape[1], n_classes)
        assert_rel_close(clf.coefs_[0], lr.coef_.T)
        b = clf.intercepts_[0]
        assert_rel_close(b - b.mean(), lr.intercept_ - lr.intercept_.mean())
    # probabilities live in [0, 1]: compare them on that absolute scale
    assert_allclose(clf.predict_proba(X), lr.predict_proba(X), rtol=RTOL, atol=RTOL)
    assert np.array_equal(clf.predict(X), lr.predict(X))

    j_lr = log_loss(y, lr.predict_proba(X), sample_weight=sw) + alpha * np.sum(
        lr.coef_**2
    )
    assert_allclose(clf.objective(X, y, sample_weight=sw), j_lr, rtol=1e-7)


# --------------------------------------------------------------- PoissonRegressor


@pytest.mark.parametrize("weighted", [False, True])
def test_poisson_linear_limit_matches_poisson_regressor(rng, seed, weighted):
    n_samples, n_features = 150, 4
    X = rng.standard_normal((n_samples, n_features))
    w = rng.uniform(-0.5, 0.5, size=n_features)
    y = rng.poisson(np.exp(X @ w + 0.3)).astype(np.float64)
    sw, _ = make_weights(rng, n_samples, weighted)
    alpha = 0.02

    est = L2MLPRegressor(
        hidden_layer_sizes=(), loss="poisson", alpha=alpha, random_state=seed, **TIGHT
    )
    est.fit(X, y, sample_weight=sw)
    glm = PoissonRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12)
    glm.fit(X, y, sample_weight=sw)

    assert est.out_activation_ == "exp"
    assert_rel_close(est.coefs_[0].ravel(), glm.coef_)
    assert_rel_close(est.intercepts_[0], [glm.intercept_])
    assert_allclose(est.predict(X), glm.predict(X), rtol=RTOL)

    j_glm = mean_poisson_deviance(y, glm.predict(X), sample_weight=sw) + alpha * np.sum(
        glm.coef_**2
    )
    assert_allclose(est.objective(X, y, sample_weight=sw), j_glm, rtol=1e-7)


# ------------------------------------------- stochastic solvers reach the optimum


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_minibatch_sgd_ends_near_optimal_objective(rng, seed):
    X, y = make_linear(rng, n_samples=200)
    alpha = 0.05
    ridge = Ridge(alpha=X.shape[0] * alpha).fit(X, y)
    j_opt = ridge_objective(X, y, None, alpha, ridge)

    est = L2MLPRegressor(
        hidden_layer_sizes=(),
        alpha=alpha,
        solver="sgd",
        batch_size=20,
        learning_rate="constant",
        learning_rate_init=0.005,
        max_iter=300,
        tol=0.0,
        n_iter_no_change=300,
        random_state=seed,
    ).fit(X, y)

    j = est.objective(X, y)
    # nothing can beat the optimum; SGD ends within 1% of it
    assert j >= j_opt * (1 - 1e-9)
    assert j <= 1.01 * j_opt, (j, j_opt)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "solver, params",
    [
        # Nesterov momentum 0.9: a decoupled decay would shrink ~10x less
        ("sgd", {"momentum": 0.9, "learning_rate_init": 0.05}),
        ("adam", {"learning_rate_init": 1e-2}),
    ],
)
def test_full_batch_stochastic_fixed_point_is_ridge(rng, seed, solver, params):
    """SPEC: the penalty gradient goes through momentum/Adam, so the fixed point
    is the minimizer of J (a decoupled weight decay would land elsewhere)."""
    X, y = make_linear(rng, n_samples=100)
    y = y / y.std()  # unit scale, so the hand-set step is well inside stability
    alpha = 0.5  # strong shrinkage so a wrongly scaled decay is visible
    ridge = Ridge(alpha=X.shape[0] * alpha).fit(X, y)
    ols = LinearRegression().fit(X, y)
    # the penalty matters: the ridge and OLS solutions differ a lot
    assert np.linalg.norm(ridge.coef_ - ols.coef_) > 0.2 * np.linalg.norm(ols.coef_)

    est = L2MLPRegressor(
        hidden_layer_sizes=(),
        alpha=alpha,
        solver=solver,
        batch_size=X.shape[0],
        shuffle=False,
        learning_rate="constant",
        max_iter=1000,
        tol=0.0,
        n_iter_no_change=1000,
        random_state=seed,
        **params,
    ).fit(X, y)
    # a deterministic full-batch iteration settles on its fixed point exactly
    assert_rel_close(est.coefs_[0].ravel(), ridge.coef_, rtol=1e-6)
    assert_allclose(est.intercepts_[0], [ridge.intercept_], rtol=1e-6, atol=1e-9)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("alpha", [0.0, 1.0, 1e3])
def test_default_stochastic_solvers_are_stable_for_any_alpha(rng, seed, solver, alpha):
    """SPEC: the defaults stay stable for any alpha in [0, 1e3]: no divergence,
    and J goes down rather than up."""
    X, y = make_linear(rng, n_samples=400)
    y = (y - y.mean()) / y.std()
    params = {"solver": solver, "alpha": alpha, "random_state": seed}
    first = L2MLPRegressor(max_iter=1, **params).fit(X, y)
    est = L2MLPRegressor(max_iter=100, **params).fit(X, y)
    assert all(np.all(np.isfinite(W)) for W in est.coefs_)
    assert all(np.all(np.isfinite(b)) for b in est.intercepts_)
    curve = np.asarray(est.loss_curve_)
    assert np.all(np.isfinite(curve))
    # never above the first epoch's estimate: no blow-up along the way
    assert curve.max() <= curve[0] * (1 + 1e-9)
    j = est.objective(X, y)
    assert j < first.objective(X, y)
    if solver == "sgd":
        # the default sgd step reaches the optimum's neighbourhood here; J at
        # zero weights (the optimum for large alpha) is 1 for standardized y
        assert j < 1.01


# ------------------------------------------------------ hidden identity layer(s)


def test_identity_hidden_layer_reaches_linear_regression_mse(rng, seed):
    X, y = make_linear(rng)
    ols = LinearRegression().fit(X, y)
    mse_ols = mean_squared_error(y, ols.predict(X))

    est = L2MLPRegressor(
        hidden_layer_sizes=(3,), activation="identity", alpha=0.0, random_state=seed,
        **TIGHT,
    ).fit(X, y)
    mse = mean_squared_error(y, est.predict(X))
    # a linear map cannot beat OLS on its training data, and lbfgs reaches it
    assert mse >= mse_ols * (1 - 1e-9)
    assert mse <= mse_ols * (1 + 1e-5), (mse, mse_ols)
    assert_allclose(est.objective(X, y), mse, rtol=1e-12)


def test_one_identity_hidden_unit_reaches_poisson_glm_deviance(rng, seed):
    n_samples, n_features = 150, 4
    X = rng.standard_normal((n_samples, n_features))
    w = rng.uniform(-0.5, 0.5, size=n_features)
    y = rng.poisson(np.exp(X @ w + 0.3)).astype(np.float64)
    glm = PoissonRegressor(alpha=0.0, solver="newton-cholesky", tol=1e-12).fit(X, y)
    dev_glm = mean_poisson_deviance(y, glm.predict(X))

    est = L2MLPRegressor(
        hidden_layer_sizes=(1,), activation="identity", loss="poisson", alpha=0.0,
        random_state=seed, **TIGHT,
    ).fit(X, y)
    dev = mean_poisson_deviance(y, est.predict(X))
    assert dev >= dev_glm * (1 - 1e-9)
    assert dev <= dev_glm * (1 + 1e-5), (dev, dev_glm)


def test_one_identity_hidden_unit_reaches_logistic_regression_log_loss(seed):
    X, y = make_classification(
        n_samples=150, n_features=4, n_informative=3, n_redundant=0, flip_y=0.2,
        random_state=seed,
    )
    lr = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10000).fit(X, y)
    ll_lr = log_loss(y, lr.predict_proba(X))

    clf = L2MLPClassifier(
        hidden_layer_sizes=(1,), activation="identity", alpha=0.0, random_state=seed,
        **TIGHT,
    ).fit(X, y)
    ll = log_loss(y, clf.predict_proba(X))
    assert ll >= ll_lr * (1 - 1e-9)
    assert ll <= ll_lr * (1 + 1e-5), (ll, ll_lr)


def test_lbfgs_hits_max_iter_in_oracle_setting_warns(rng, seed):
    """Guard for the oracle tests: with few iterations lbfgs says it stopped early."""
    X, y = make_linear(rng)
    est = L2MLPRegressor(
        hidden_layer_sizes=(), alpha=0.05, solver="lbfgs", tol=1e-10, max_iter=2,
        random_state=seed,
    )
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
