"""Reach the minimum of J, or say so: scale invariance, the stopping rule, lbfgs.

Oracles: Ridge and PoissonRegressor for the minimum of J in the linear limit
(SPEC section 1), float64 fits for float32 ones, the same fit on standardised
data for a fit on raw data.
"""

import copy
import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, PoissonRegressor, Ridge
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPClassifier, L2MLPRegressor
from skreg._lbfgs import _Evaluations


def _fit(est, X, y):
    """The fitted estimator and the ConvergenceWarnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        est.fit(X, y)
    return est, [w for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X, (y - y.mean()) / y.std()


@pytest.mark.parametrize("factor", [1e2, 1e4])
def test_feature_scale_does_not_change_the_path(diabetes, factor):
    # The first layer is preconditioned and initialised in standardised
    # coordinates: the fit on X * factor predicts as the fit on X. (The penalty
    # is what differs: on weights 1/factor as large, negligibly at a small
    # alpha for factor > 1; a factor < 1 strengthens it for real.)
    X, y = diabetes
    params = dict(hidden_layer_sizes=(20,), alpha=1e-6, max_iter=60, random_state=0)
    base, _ = _fit(L2MLPRegressor(**params), X, y)
    scaled, _ = _fit(L2MLPRegressor(**params), X * factor, y)
    assert scaled.score(X * factor, y) == pytest.approx(base.score(X, y), abs=0.01)


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
@pytest.mark.parametrize("spread", [77.0, 1e4])
def test_relu_networks_fit_raw_targets_as_standardised_ones(
    scaled_diabetes, solver, spread
):
    # With one hidden layer of relu units, J on targets of spread s at alpha
    # is s^2 times J on the standardised targets at alpha / s (scale the
    # hidden weights by sqrt(s)): the layers share the spread, and the fit
    # follows the standardised one. With the spread on the output layer alone
    # sgd stopped quietly 23-117% above the minimum of J on raw diabetes.
    X, y = scaled_diabetes
    params = dict(hidden_layer_sizes=(20,), solver=solver, random_state=0)
    base, base_warned = _fit(L2MLPRegressor(alpha=1e-2, **params), X, y)
    raw, warned = _fit(L2MLPRegressor(alpha=1e-2 * spread, **params), X, y * spread)
    assert len(warned) == len(base_warned)
    assert raw.n_iter_ == base.n_iter_
    assert raw.score(X, y * spread) == pytest.approx(base.score(X, y), abs=1e-3)
    J = raw.objective(X, y * spread) / spread**2
    assert J == pytest.approx(base.objective(X, y), rel=1e-3)


def test_raw_linear_fit_is_near_the_exact_optimum_or_warns():
    X, y = load_wine(return_X_y=True)
    X = X * 1000.0
    exact = L2MLPClassifier((), alpha=0.01, solver="lbfgs", tol=1e-10,
                            max_iter=5000, random_state=0).fit(X, y)
    fit, warned = _fit(L2MLPClassifier((), alpha=0.01, random_state=0), X, y)
    gap = fit.objective(X, y) / exact.objective(X, y) - 1
    assert gap >= -1e-9
    assert warned or gap < 0.02


@pytest.mark.parametrize(
    "loader, scaled, alpha",
    [
        (load_wine, True, 1e-4),
        (load_wine, True, 1e-2),
        (load_breast_cancer, False, 1e-2),
        (load_iris, False, 1e-4),
    ],
    ids=["wine-1e-4", "wine-1e-2", "breast_cancer-raw-1e-2", "iris-raw-1e-4"],
)
def test_a_default_linear_fit_is_at_logistic_regressions_minimum_or_warns(
    loader, scaled, alpha
):
    # Ill-conditioned J (a small alpha on nearly separable classes; raw,
    # correlated features): J falls steadily by a little less than tol per
    # epoch. Counted against the best epoch, every such epoch "did not
    # improve", and these fits stopped silently 7-28% above the minimum.
    X, y = loader(return_X_y=True)
    if scaled:
        X = StandardScaler().fit_transform(X)
    n = X.shape[0]
    exact = LogisticRegression(C=1 / (2 * n * alpha), tol=1e-12, max_iter=100000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        exact.fit(X, y)
    J_min = log_loss(y, exact.predict_proba(X)) + alpha * np.sum(exact.coef_**2)
    fit, warned = _fit(L2MLPClassifier((), alpha=alpha, random_state=0), X, y)
    gap = fit.objective(X, y) / J_min - 1
    assert gap > -1e-3
    assert warned or gap < 0.02, gap


def test_running_out_while_j_still_falls_says_so():
    # A small gradient does not mean a small gap where J is ill-conditioned:
    # the warning says J was still falling and names the remedies.
    X = StandardScaler().fit_transform(load_wine(return_X_y=True)[0])
    y = load_wine(return_X_y=True)[1]
    _, warned = _fit(L2MLPClassifier((), alpha=1e-4, random_state=0), X, y)
    assert len(warned) == 1
    message = str(warned[0].message)
    assert "maximum iterations (300) reached while J was still falling" in message
    assert re.search(r"by \d+\.\d+% over the last 10 epochs", message)
    assert "solver='lbfgs'" in message and "StandardScaler" in message


@pytest.mark.parametrize("learning_rate", ["constant", "adaptive"])
def test_tol_zero_runs_every_epoch(learning_rate):
    # J rises after epoch 20 here (momentum carries the weights of this
    # penalty-dominated J uphill): a plateau, which stopped the constant
    # schedule at epoch 32 although tol=0 asks for max_iter epochs.
    X = StandardScaler().fit_transform(load_wine(return_X_y=True)[0])
    y = load_wine(return_X_y=True)[1]
    est = L2MLPClassifier((20,), alpha=1e-4, learning_rate=learning_rate, tol=0,
                          max_iter=60, random_state=0)
    fit, warned = _fit(est, X, y)
    assert fit.n_iter_ == 60
    assert len(fit.loss_curve_) == 60
    assert warned and "maximum iterations (60)" in str(warned[-1].message)


def test_a_network_whose_j_rises_on_its_plateau_is_not_stationary():
    # Penalty-dominated J (alpha=1e-4, separable classes): momentum carried the
    # weights uphill while the gradient was 0.001 of its size at the start, and
    # the fit stopped quietly at 3 times the J that lbfgs reaches from there.
    X = StandardScaler().fit_transform(load_wine(return_X_y=True)[0])
    y = load_wine(return_X_y=True)[1]
    fit, warned = _fit(L2MLPClassifier((20,), alpha=1e-4, random_state=0), X, y)
    local = copy.deepcopy(fit).set_params(
        solver="lbfgs", tol=1e-10, max_iter=5000, warm_start=True
    )
    local, _ = _fit(local, X, y)
    gap = fit.objective(X, y) / local.objective(X, y) - 1
    assert warned or gap < 0.1, gap
    if warned:
        assert "while J was rising" in str(warned[-1].message)


def test_converged_fit_is_quiet_and_at_ridges_minimum(diabetes):
    X, y = diabetes
    X = StandardScaler().fit_transform(X)
    alpha = 1e-3
    ridge = Ridge(alpha=X.shape[0] * alpha).fit(X, y)
    exact = np.mean((ridge.predict(X) - y) ** 2) + alpha * np.sum(ridge.coef_**2)
    # The default tol: quiet, and within the 2% of the linear optimum.
    fit, warned = _fit(
        L2MLPRegressor((), alpha=alpha, max_iter=3000, random_state=0), X, y
    )
    assert not warned
    gap = fit.objective(X, y) / exact - 1
    assert -1e-9 < gap < 0.02
    # A tighter tol gets closer (minibatch noise may then stop the adaptive step
    # short of its stationarity test, which warns).
    tight, _ = _fit(
        L2MLPRegressor((), alpha=alpha, tol=1e-5, max_iter=3000, random_state=0),
        X, y,
    )
    tight_gap = tight.objective(X, y) / exact - 1
    assert -1e-9 < tight_gap < min(gap, 1e-3)


def test_warning_says_how_far_from_stationary_and_to_scale_y(diabetes):
    X, y = load_diabetes(return_X_y=True)  # raw y: its spread is about 77
    _, warned = _fit(L2MLPRegressor((10,), max_iter=3, random_state=0), X, y)
    message = str(warned[0].message)
    assert "times its size at the start" in message
    assert "max_iter" in message and "scale y" in message


def test_constant_step_on_a_plateau_warns_and_points_to_adaptive(diabetes):
    X, y = diabetes
    est = L2MLPRegressor((30,), learning_rate="constant", alpha=1e-5, tol=1e-6,
                         n_iter_no_change=2, max_iter=500, random_state=0)
    fit, warned = _fit(est, X, y)
    assert fit.n_iter_ < 500
    assert warned and "learning_rate='adaptive'" in str(warned[0].message)


@pytest.mark.parametrize("offset", [1e4, 1e6])
def test_float32_targets_far_from_zero_fit_as_float64(diabetes, offset):
    # Targets are centred in float64 before the cast to float32.
    X, y = diabetes
    params = dict(hidden_layer_sizes=(20,), alpha=1e-2, max_iter=100, random_state=0)
    scores = []
    for dtype in (np.float64, np.float32):
        est, _ = _fit(L2MLPRegressor(**params), X.astype(dtype), y + offset)
        scores.append(est.score(X.astype(dtype), y + offset))
    assert scores[1] == pytest.approx(scores[0], abs=0.01)


@pytest.mark.parametrize("spread", [1e10, 1e12])
def test_float32_targets_of_a_large_spread_fit_as_float64(diabetes, spread):
    # The automatic step's curvature grows with the targets' spread squared:
    # its power iteration's norms overflowed float32 ("Could not choose a step
    # size") from a spread of about 1e10, where J itself (~1e24) is finite.
    X, y = diabetes
    params = dict(hidden_layer_sizes=(20,), max_iter=100, random_state=0)
    scores = []
    for dtype in (np.float64, np.float32):
        est, _ = _fit(L2MLPRegressor(**params), X.astype(dtype), y * spread)
        scores.append(est.score(X.astype(dtype), y * spread))
    assert scores[1] == pytest.approx(scores[0], abs=0.01)


def test_lbfgs_reaches_poissons_minimum_on_features_far_from_zero(rng):
    X = 100 + rng.standard_normal((200, 3))
    y = rng.poisson(np.exp((X - 100) @ [0.3, -0.2, 0.1] + 1.0)).astype(float)
    exact = PoissonRegressor(alpha=1e-3, tol=1e-10, max_iter=1000).fit(X, y)
    fit, warned = _fit(
        L2MLPRegressor((), loss="poisson", solver="lbfgs", alpha=1e-3,
                       random_state=0), X, y
    )
    assert not warned
    np.testing.assert_allclose(fit.predict(X), exact.predict(X), rtol=1e-3)


def test_lbfgs_tol_is_the_relative_gradient_tolerance(diabetes):
    X, y = diabetes
    params = dict(solver="lbfgs", alpha=1e-4, random_state=0)
    loose, _ = _fit(L2MLPRegressor((), tol=1e-2, **params), X, y)
    tight, _ = _fit(L2MLPRegressor((), tol=1e-9, **params), X, y)
    ridge = Ridge(alpha=X.shape[0] * 1e-4).fit(X, y)
    assert np.max(np.abs(tight.predict(X) - ridge.predict(X))) < 1e-6
    assert loose.n_iter_ < tight.n_iter_


def test_lbfgs_warns_when_it_stops_short(diabetes):
    X, y = diabetes
    _, warned = _fit(L2MLPRegressor((20,), solver="lbfgs", max_iter=3,
                                    random_state=0), X, y)
    assert warned and "Increase max_iter" in str(warned[0].message)


def test_lbfgs_steps_back_from_a_non_finite_point():
    # A non-finite J in the line search is answered with a steep wall around
    # the last finite point, not inf (or a zero gradient, read as convergence).
    evaluations = _Evaluations.__new__(_Evaluations)
    evaluations.finite = (np.zeros(3), 2.0, np.ones(3))
    value, grad = evaluations._wall(np.array([0.5, 0.0, 0.0]))
    assert np.isfinite(value) and value > 1e5
    assert grad[0] > 0 and grad[1] == grad[2] == 0


def test_a_constant_feature_has_unit_spread_not_its_rounding():
    # A column that is constant in the training part (a pixel that is 0 in
    # every image of a CV fold, after StandardScaler) has a float64 variance of
    # order (n eps mean)^2, not 0. Taken as its spread, the starting weights of
    # that feature were ~1e15: load_digits' second fold ended at 5% accuracy
    # after a "converged" fit.
    from sklearn.datasets import make_classification

    from skreg._preconditioner import _raw_moments, feature_moments

    X, y = make_classification(
        n_samples=1437, n_features=8, n_informative=5, n_classes=3, random_state=0
    )
    X[:, 3] = 0.1
    ones = np.ones(len(X))
    assert _raw_moments(X, ones)[1][3] > 0  # the rounding this test is about
    mean, spread = feature_moments(X, ones)
    assert spread[3] == 1.0 and mean[3] == pytest.approx(0.1)
    assert np.all(spread[np.arange(8) != 3] != 1.0)

    model = L2MLPClassifier(random_state=0).fit(X, y)
    assert np.abs(model.coefs_[0][3]).max() < 1.0
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    reference = L2MLPClassifier(random_state=0).fit(np.delete(X, 3, axis=1), y)
    assert model.score(X, y) > reference.score(np.delete(X, 3, axis=1), y) - 0.02


@pytest.mark.parametrize("sparse", [False, True])
def test_feature_moments_are_the_weighted_mean_and_spread(rng, sparse):
    # Over several chunks of rows (no float64 copy of X), dense and sparse.
    import scipy.sparse as sp

    from skreg._preconditioner import feature_moments

    X = rng.standard_normal((9000, 4)).astype(np.float32) * [1, 10, 0, 1e3] + 5
    X[rng.random(X.shape) < 0.5] = 0
    w = rng.uniform(0.5, 2.0, 9000)
    mean, spread = feature_moments(sp.csr_matrix(X) if sparse else X, w)
    expected = np.average(X.astype(np.float64), axis=0, weights=w)
    variance = np.average((X - expected) ** 2, axis=0, weights=w)
    np.testing.assert_allclose(mean, expected, rtol=1e-6)
    np.testing.assert_allclose(spread, np.where(variance > 0, np.sqrt(variance), 1),
                               rtol=1e-5)


def test_a_warm_start_from_saturated_log_loss_takes_a_stable_step():
    # Outputs scaled 30x give p of 0 or 1 on every row, where log-loss has almost
    # no curvature: the automatic step built on that curvature alone was
    # thousands of times too large and J ended near 1e37.
    from sklearn.metrics import log_loss

    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)

    def objective(model):
        penalty = model.alpha * sum(float(np.sum(w * w)) for w in model.coefs_)
        return log_loss(y, model.predict_proba(X)) + penalty

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = L2MLPClassifier(random_state=0, warm_start=True).fit(X, y)
        model.coefs_[-1] *= 30
        model.intercepts_[-1] *= 30
        assert model.predict_proba(X).max(axis=1).min() > 0.99
        start = objective(model)
        model.fit(X, y)
    assert np.isfinite(objective(model)) and objective(model) < start
    assert model.score(X, y) > 0.95


# -- a fit that ends worse than the best constant prediction (issue 12) --------

WORSE = "worse than the best constant prediction"
ENDED = re.compile(r"ended at (J =|a data term .*? of) (\S+?)[ ,].*: J = (\S+)\)")


@pytest.fixture(scope="module")
def scaled_diabetes(diabetes):
    X, y = diabetes
    return StandardScaler().fit_transform(X), y


def _ended_and_constant(warning):
    """The two values of a worse-than-constant warning: the fit's, the constant's."""
    match = ENDED.search(str(warning.message))
    return float(match.group(2)), float(match.group(3))


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_a_stationary_fit_above_the_constant_model_warns(scaled_diabetes, solver):
    # A warm start from a dead but heavy network: every relu unit off (hidden
    # biases -1e3) under output weights of 1e3 that carry nothing. At alpha=1e-6
    # the penalty holds J at 1 + 20 (the constant model's J is 1 on scaled y),
    # while its gradient, 2e-3 per weight, is far below what the stopping rule
    # tolerates: the fit stops as stationary, 21 times above the constant
    # model, and used to say nothing. lbfgs also starts with its output bias
    # 100 off: its tol is relative to the gradient at the start, which the
    # bias then dominates.
    X, y = scaled_diabetes
    est = L2MLPRegressor((20,), alpha=1e-6, solver=solver, random_state=0)
    _fit(est, X, y)
    est.intercepts_[0][:] = -1e3
    est.coefs_[1][:] = 1e3
    if solver == "lbfgs":
        est.intercepts_[1] += 100
    est.set_params(warm_start=True)
    fit, warned = _fit(est, X, y)
    assert fit.n_iter_ < fit.max_iter  # it stopped by its rule, not by max_iter
    assert len(warned) == 1
    message = str(warned[0].message)
    assert message.startswith(f"{solver} ended at J = ") and WORSE in message
    ended, constant = _ended_and_constant(warned[0])
    assert ended == pytest.approx(fit.objective(X, y), rel=1e-3)
    assert ended == pytest.approx(21, rel=1e-2)
    assert constant == pytest.approx(1.0, rel=1e-3)
    assert "StandardScaler" in message and "random_state" in message
    assert "warm_start=False" in message
    assert ("learning_rate_init" in message) == (solver != "lbfgs")
    # The warning points at the user's line (skreg._warnings.warn).
    assert warned[0].filename == __file__


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_early_stopping_that_ends_above_the_constant_model_warns(solver):
    # Outputs flipped and scaled 30x predict the wrong class with confidence on
    # almost every row; a step of 1e-7 cannot move them, so the validation score
    # stays flat and early stopping ends as it should, n_iter_no_change epochs
    # later, at a data term far above the constant model's log(3).
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = L2MLPClassifier(solver=solver, early_stopping=True, random_state=0)
    _fit(est, X, y)
    est.coefs_[-1] *= -30
    est.set_params(warm_start=True, learning_rate_init=1e-7,
                   learning_rate="constant")
    fit, warned = _fit(est, X, y)
    assert fit.n_iter_ == fit.n_iter_no_change + 2
    assert len(warned) == 1
    message = str(warned[0].message)
    assert WORSE in message and "on the training part (early_stopping)" in message
    ended, constant = _ended_and_constant(warned[0])
    assert ended > 10
    # The constant model's J on the training part, stratified: about log(3).
    assert constant == pytest.approx(np.log(3), rel=1e-2)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_a_network_collapsed_by_a_large_alpha_does_not_warn(scaled_diabetes, solver):
    # At alpha=100 the penalty zeroes the network: J ends a hair above the
    # constant model's 1 (sgd 1e-5 above, adam 0.7%: its steps keep the weights
    # jittering around zero), and that is no failure.
    X, y = scaled_diabetes
    fit, warned = _fit(L2MLPRegressor(alpha=100, solver=solver, random_state=0), X, y)
    assert not warned
    assert 1.0 <= fit.objective(X, y) < 1.01
    assert max(np.abs(W).max() for W in fit.coefs_) < 0.1


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("data", ["iris", "diabetes"])
def test_default_fits_on_scaled_data_do_not_warn(scaled_diabetes, data,
                                                 early_stopping):
    # Early stopping's best epoch may keep much of the starting weights'
    # penalty (on diabetes J = 1.4 > 1 on the training part, R^2 0.5): it is
    # the data term that is checked there.
    if data == "iris":
        X, y = load_iris(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        est = L2MLPClassifier(random_state=0, early_stopping=early_stopping)
    else:
        X, y = scaled_diabetes
        est = L2MLPRegressor(random_state=0, early_stopping=early_stopping)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    assert [str(w.message) for w in caught] == []


def test_a_deliberately_loose_fit_above_the_constant_model_does_not_warn():
    # tol=0.5 asks for J to half its size: two or three epochs from the start,
    # still 18% above the constant model, within the precision asked for.
    X, y = make_regression(n_samples=60, n_features=4, noise=0.5, random_state=0)
    y = y / y.std()
    fit, warned = _fit(L2MLPRegressor((5, 4), tol=0.5, random_state=0), X, y)
    assert not warned
    constant = np.mean((y - y.mean()) ** 2)
    assert fit.objective(X, y) > 1.1 * constant


def test_a_warm_start_next_to_a_collapse_keeps_its_units():
    # alpha=1 leaves this network a hair from zero weights, where the curvature
    # is tiny: a step built on it alone was far too large once the units regrew
    # at alpha=0.1, and the blow-up killed every relu unit (R^2 ~0). The floor
    # is the curvature at the first fit's fresh weights.
    from sklearn.datasets import make_regression
    from sklearn.model_selection import KFold

    X, y = make_regression(n_samples=120, n_features=5, noise=10.0, random_state=0)
    X, y = StandardScaler().fit_transform(X), y / y.std()
    train, test = next(KFold(3, shuffle=True, random_state=0).split(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = L2MLPRegressor((10,), alpha=1.0, random_state=0, warm_start=True)
        model.fit(X[train], y[train])
        assert model.score(X[test], y[test]) < 0.05
        model.set_params(alpha=0.1).fit(X[train], y[train])
        fresh = L2MLPRegressor((10,), alpha=0.1, random_state=0)
        fresh.fit(X[train], y[train])
    warm = model.score(X[test], y[test])
    assert warm == pytest.approx(fresh.score(X[test], y[test]), abs=0.02)
    assert warm > 0.95


def _with_a_tiny_feature(X):
    """X and one more column: noise of spread 1e-3 (a nearly constant feature)."""
    return np.c_[X, np.random.RandomState(0).standard_normal(len(X)) * 1e-3]


def test_a_feature_of_tiny_spread_does_not_stall_the_linear_fit(diabetes):
    # Standardised, that feature's penalty curvature is 2 alpha / 1e-6: built on
    # it, the step crawled for every weight (300 epochs, J 0.90 against 0.49).
    X, y = diabetes
    X = _with_a_tiny_feature(StandardScaler().fit_transform(X))
    alpha = 3e-2
    ridge = Ridge(alpha=X.shape[0] * alpha).fit(X, y)
    exact = np.mean((ridge.predict(X) - y) ** 2) + alpha * np.sum(ridge.coef_**2)
    fit, warned = _fit(L2MLPRegressor((), alpha=alpha, random_state=0), X, y)
    assert not warned
    assert -1e-9 < fit.objective(X, y) / exact - 1 < 0.02


@pytest.mark.parametrize(
    "task, solver",
    [
        ("digits / 16", "sgd"),
        ("diabetes and a tiny feature", "sgd"),
        ("digits / 16", "lbfgs"),
    ],
)
def test_features_of_tiny_spread_do_not_stall_the_network(diabetes, task, solver):
    # Pixels that are almost always 0 (load_digits scaled by its range, as
    # tutorials do) or a column of noise at 1e-3. The sgd defaults ended 4 and
    # 3.7 times above the minimum of J; lbfgs, started from weights with a huge
    # penalty, 17 times above (and warned).
    if task == "digits / 16":
        X, y = load_digits(return_X_y=True)
        X, y, cls = X[:500] / 16, y[:500], L2MLPClassifier
    else:
        X, y = diabetes
        X, cls = _with_a_tiny_feature(StandardScaler().fit_transform(X)), L2MLPRegressor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # Within 2% of a 3000-iteration fit, in a third of its time.
        reference = cls((20,), solver="lbfgs", tol=1e-8, max_iter=1000,
                        random_state=0).fit(X, y)
    fit, warned = _fit(cls((20,), solver=solver, random_state=0), X, y)
    assert not warned
    assert fit.objective(X, y) / reference.objective(X, y) - 1 < 0.10


def test_a_fit_that_runs_out_above_the_constant_model_says_it_failed():
    # adam's fixed step on unscaled X climbs away from the constant model's J
    # (tanh units saturate; relu's start on the scale of X and fit this data);
    # running out of epochs, it used to advise only a larger tol or batch_size.
    rng = np.random.RandomState(0)
    Z = rng.standard_normal((30, 3))
    y = Z @ [1.0, -2.0, 0.5] + 0.1 * rng.standard_normal(30)
    adam = L2MLPRegressor((5,), solver="adam", activation="tanh", random_state=0)
    fit, warned = _fit(adam, Z * 1e6, y)
    assert fit.score(Z * 1e6, y) < 0
    messages = [str(w.message) for w in warned]
    assert any(
        "worse than the best constant" in m and "Scale the data" in m
        for m in messages
    ), messages
