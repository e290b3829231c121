"""``objective`` is J exactly (SPEC section 1) and ``loss_`` reports it.

J = (sample-weighted mean of the per-sample loss) + alpha * sum_l ||W_l||_F^2,
where the data term equals the scikit-learn metric of the same name.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.metrics import (
    log_loss,
    mean_absolute_error,
    mean_poisson_deviance,
    mean_squared_error,
)

from skreg import L2MLPClassifier, L2MLPRegressor
from skreg._base import fresh_objective

# a few cheap iterations: the weights only need to be non-trivial
QUICK = {"hidden_layer_sizes": (6, 4), "solver": "adam", "max_iter": 15}
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)
EXACT = 1e-10  # objective() is exact: only round-off may differ


def penalty(est):
    return sum(np.sum(W.astype(np.float64) ** 2) for W in est.coefs_)


def huber(y, f, delta):
    """Per-sample huber loss, mean over outputs (torch ``HuberLoss`` semantics)."""
    r = np.abs(np.asarray(y, dtype=np.float64) - f)
    h = np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))
    return h.reshape(len(r), -1).mean(axis=1)


def poisson_deviance(y, mu, sample_weight):
    """mean_poisson_deviance, averaged over outputs for 2-D targets."""
    y = np.asarray(y).reshape(len(y), -1)
    mu = np.asarray(mu).reshape(len(y), -1)
    return np.mean(
        [
            mean_poisson_deviance(y[:, j], mu[:, j], sample_weight=sample_weight)
            for j in range(y.shape[1])
        ]
    )


def regression_data(rng, loss, n_outputs, n_samples=60, n_features=5):
    X = rng.standard_normal((n_samples, n_features))
    W = rng.standard_normal((n_features, n_outputs)) / np.sqrt(n_features)
    raw = X @ W
    if loss == "poisson":
        y = rng.poisson(np.exp(raw + 0.2)).astype(np.float64)
    else:
        y = 2.0 * raw + rng.standard_normal(raw.shape)
    return X, (y.ravel() if n_outputs == 1 else y)


def data_term(loss, y, pred, sw, delta=1.0):
    if loss == "squared_error":
        return mean_squared_error(y, pred, sample_weight=sw)
    if loss == "absolute_error":
        return mean_absolute_error(y, pred, sample_weight=sw)
    if loss == "poisson":
        return poisson_deviance(y, pred, sw)
    if loss == "huber":
        return np.average(huber(y, pred, delta), weights=sw)
    raise AssertionError(loss)


# ----------------------------------------------------------------- regression


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_outputs", [1, 2])
@pytest.mark.parametrize(
    "loss", ["squared_error", "absolute_error", "huber", "poisson"]
)
def test_regressor_objective_is_metric_plus_penalty(
    rng, seed, loss, n_outputs, weighted
):
    X, y = regression_data(rng, loss, n_outputs)
    sw = rng.uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    alpha = 0.03
    delta = 0.7
    est = L2MLPRegressor(
        loss=loss, huber_delta=delta, alpha=alpha, random_state=seed, **QUICK
    ).fit(X, y, sample_weight=sw)
    pred = est.predict(X)
    assert pred.shape == y.shape

    expected = data_term(loss, y, pred, sw, delta) + alpha * penalty(est)
    assert penalty(est) > 0
    assert_allclose(est.objective(X, y, sample_weight=sw), expected, rtol=EXACT)
    if loss == "huber":
        # the data cover both branches of the huber loss
        r = np.abs(y - pred)
        assert np.any(r <= delta) and np.any(r > delta)


@pytest.mark.parametrize("alpha", [0.0, 0.5])
def test_objective_penalty_excludes_biases(rng, seed, alpha):
    """Shifting the output bias moves only the data term, not the penalty."""
    X, y = regression_data(rng, "squared_error", 1)
    est = L2MLPRegressor(alpha=alpha, random_state=seed, **QUICK).fit(X, y)
    j = est.objective(X, y)
    data = mean_squared_error(y, est.predict(X))
    assert_allclose(j - data, alpha * penalty(est), rtol=EXACT, atol=1e-12)
    est.intercepts_[-1] = est.intercepts_[-1] + 1.0
    data_shifted = mean_squared_error(y, est.predict(X))
    expected = data_shifted + alpha * penalty(est)
    assert_allclose(est.objective(X, y), expected, rtol=EXACT)


@pytest.mark.parametrize("kind", ["squared_error", "poisson", "classifier"])
def test_constant_value_is_j_of_the_zero_network(rng, seed, kind):
    """``Objective.constant_value`` is J with every weight zero and the output
    bias at the best constant; ``data_term`` and ``data_term_and_gradient_size``,
    summed over chunks of rows, give the data term of the fitted weights."""
    X, y = regression_data(rng, "poisson" if kind == "poisson" else "squared_error", 1)
    sw = rng.uniform(0.1, 3.0, size=X.shape[0])
    if kind == "classifier":
        y = np.digitize(y, [-1.0, 1.0])  # three classes
        est = L2MLPClassifier(alpha=0.03, random_state=seed, **QUICK)
    else:
        est = L2MLPRegressor(loss=kind, alpha=0.03, random_state=seed, **QUICK)
    est.fit(X, y, sample_weight=sw)
    objective = fresh_objective(est, X, y, sw)
    theta = est._packed_weights(objective)
    j = est.objective(X, y, sample_weight=sw)
    penalty = objective.penalty(theta)
    assert_allclose(objective.data_term(theta, chunk_rows=7) + penalty, j, rtol=EXACT)
    data_term, _ = objective.data_term_and_gradient_size(
        theta, objective.preconditioner(), chunk_rows=7
    )
    assert_allclose(data_term + penalty, j, rtol=EXACT)
    constant = objective.best_constant()
    if objective.target_offset is not None:
        constant = constant + objective.target_offset
    est.coefs_ = [np.zeros_like(W) for W in est.coefs_]
    est.intercepts_[-1] = np.asarray(constant, dtype=np.float64)
    assert_allclose(
        est.objective(X, y, sample_weight=sw), objective.constant_value(), rtol=EXACT
    )


def test_huber_delta_changes_objective(rng, seed):
    X, y = regression_data(rng, "huber", 1)
    est = L2MLPRegressor(loss="huber", huber_delta=1.0, random_state=seed, **QUICK)
    est.fit(X, y)
    j1 = est.objective(X, y)
    est.set_params(huber_delta=0.1)
    pred = est.predict(X)
    expected = np.mean(huber(y, pred, 0.1)) + est.alpha * penalty(est)
    assert_allclose(est.objective(X, y), expected, rtol=EXACT)
    assert not np.isclose(est.objective(X, y), j1)


# ------------------------------------------------------------- classification


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("labels", ["int", "str"])
def test_classifier_objective_is_log_loss_plus_penalty(
    rng, seed, n_classes, weighted, labels
):
    X, y = make_classification(
        n_samples=80, n_features=5, n_informative=3, n_redundant=0,
        n_classes=n_classes, n_clusters_per_class=1, random_state=seed,
    )
    if labels == "str":
        y = np.array(["ant", "bee", "cow"])[y]
    sw = rng.uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    alpha = 0.02
    clf = L2MLPClassifier(alpha=alpha, random_state=seed, **QUICK)
    clf.fit(X, y, sample_weight=sw)
    proba = clf.predict_proba(X)
    expected = log_loss(y, proba, labels=clf.classes_, sample_weight=sw)
    expected += alpha * penalty(clf)
    assert_allclose(clf.objective(X, y, sample_weight=sw), expected, rtol=EXACT)


@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_objective_sums_binary_log_losses(rng, seed, weighted):
    X, Y = make_multilabel_classification(
        n_samples=80, n_features=5, n_classes=3, random_state=seed
    )
    sw = rng.uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    alpha = 0.02
    clf = L2MLPClassifier(alpha=alpha, random_state=seed, **QUICK).fit(
        X, Y, sample_weight=sw
    )
    P = clf.predict_proba(X)
    assert P.shape == Y.shape
    per_sample = -np.sum(Y * np.log(P) + (1 - Y) * np.log1p(-P), axis=1)
    expected = np.average(per_sample, weights=sw) + alpha * penalty(clf)
    assert_allclose(clf.objective(X, Y, sample_weight=sw), expected, rtol=1e-8)


def test_objective_on_other_data_than_training(rng, seed):
    X, y = regression_data(rng, "squared_error", 1, n_samples=80)
    est = L2MLPRegressor(alpha=0.1, random_state=seed, **QUICK).fit(X[:40], y[:40])
    expected = mean_squared_error(y[40:], est.predict(X[40:])) + 0.1 * penalty(est)
    assert_allclose(est.objective(X[40:], y[40:]), expected, rtol=EXACT)


# ------------------------------------------------------------ sample weights


@pytest.mark.parametrize("scale", [1e-3, 7.0, 1e4])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_objective_invariant_to_weight_scale(rng, seed, kind, scale):
    X, y = regression_data(rng, "squared_error", 1)
    if kind == "classifier":
        y = (y > np.median(y)).astype(int)
        est = L2MLPClassifier(alpha=0.05, random_state=seed, **QUICK)
    else:
        est = L2MLPRegressor(alpha=0.05, random_state=seed, **QUICK)
    est.fit(X, y)
    sw = rng.uniform(0.1, 3.0, size=X.shape[0])
    j = est.objective(X, y, sample_weight=sw)
    assert_allclose(est.objective(X, y, sample_weight=scale * sw), j, rtol=1e-12)
    # and unit weights are no weights, while uneven weights do matter
    assert_allclose(
        est.objective(X, y, sample_weight=np.ones(len(y))), est.objective(X, y),
        rtol=1e-12,
    )
    assert not np.isclose(j, est.objective(X, y), rtol=1e-6)


def repeat_rows(X, y, counts):
    return np.repeat(X, counts, axis=0), np.repeat(y, counts, axis=0)


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_objective_integer_weights_equal_repeated_rows(rng, seed, kind):
    X, y = regression_data(rng, "squared_error", 1)
    if kind == "classifier":
        y = (y > np.median(y)).astype(int)
        est = L2MLPClassifier(alpha=0.05, random_state=seed, **QUICK)
    else:
        est = L2MLPRegressor(alpha=0.05, random_state=seed, **QUICK)
    est.fit(X, y)
    counts = rng.integers(0, 4, size=X.shape[0])
    counts[0] = 2
    Xr, yr = repeat_rows(X, y, counts)
    assert_allclose(
        est.objective(X, y, sample_weight=counts.astype(float)),
        est.objective(Xr, yr),
        rtol=1e-12,
    )


FULL_BATCH = {
    # lbfgs is full batch; sgd with batch_size "auto" = min(200, n) is one
    # minibatch for these small data sets
    # lbfgs runs a fixed number of iterations: with identical objectives and
    # gradients the two fits follow the same path (a converged comparison of a
    # non-convex fit would depend on where round-off lets each run stop)
    "lbfgs": {"solver": "lbfgs", "max_iter": 30, "tol": 1e-12},
    "sgd": {
        "solver": "sgd", "shuffle": False, "max_iter": 100, "learning_rate_init": 0.01,
    },
}


def _full_batch_estimator(kind, hidden, config, seed):
    cls = L2MLPClassifier if kind == "classifier" else L2MLPRegressor
    return cls(
        hidden_layer_sizes=hidden, activation="tanh", alpha=0.01, random_state=seed,
        **FULL_BATCH[config],
    )


def _outputs(est, X):
    if isinstance(est, L2MLPClassifier):
        return est.predict_proba(X)
    return est.predict(X)


@pytest.mark.parametrize("config", ["lbfgs", "sgd"])
@pytest.mark.parametrize("hidden", [(), (5,)])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_fit_integer_weights_equal_repeated_rows(rng, seed, kind, hidden, config):
    X, y = regression_data(rng, "squared_error", 1, n_samples=50)
    if kind == "classifier":
        y = (y > np.median(y)).astype(int)
    counts = rng.integers(0, 4, size=X.shape[0])
    counts[:2] = [1, 3]
    Xr, yr = repeat_rows(X, y, counts)
    assert Xr.shape[0] <= 200  # one minibatch for sgd

    weighted = _full_batch_estimator(kind, hidden, config, seed)
    weighted.fit(X, y, sample_weight=counts.astype(float))
    repeated = _full_batch_estimator(kind, hidden, config, seed).fit(Xr, yr)
    assert_allclose(_outputs(weighted, X), _outputs(repeated, X), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("config", ["lbfgs", "sgd"])
@pytest.mark.parametrize("hidden", [(), (5,)])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_fit_zero_weights_equal_removed_rows(rng, seed, kind, hidden, config):
    X, y = regression_data(rng, "squared_error", 1, n_samples=60)
    if kind == "classifier":
        y = (y > np.median(y)).astype(int)
    sw = rng.uniform(0.5, 2.0, size=X.shape[0])
    sw[::3] = 0.0
    keep = sw > 0
    # the zero-weight rows carry wild targets: they would matter if not ignored
    y_bad = y.copy()
    if kind == "regressor":
        y_bad[~keep] = 100.0
    else:
        y_bad[~keep] = 1 - y_bad[~keep]

    weighted = _full_batch_estimator(kind, hidden, config, seed)
    weighted.fit(X, y_bad, sample_weight=sw)
    removed = _full_batch_estimator(kind, hidden, config, seed)
    removed.fit(X[keep], y[keep], sample_weight=sw[keep])
    assert_allclose(_outputs(weighted, X), _outputs(removed, X), rtol=1e-6, atol=1e-8)
    assert_allclose(
        weighted.objective(X, y_bad, sample_weight=sw),
        removed.objective(X[keep], y[keep], sample_weight=sw[keep]),
        rtol=1e-10,
    )


# ------------------------------------------------------------------- loss_


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["regressor", "binary", "multiclass"])
def test_lbfgs_loss_is_final_objective(rng, seed, kind, weighted):
    X, y = regression_data(rng, "squared_error", 1, n_samples=80)
    if kind == "regressor":
        est = L2MLPRegressor(hidden_layer_sizes=(5,), alpha=0.05, solver="lbfgs",
                             max_iter=50, random_state=seed)
    else:
        n_bins = 2 if kind == "binary" else 3
        y = np.digitize(y, np.quantile(y, np.linspace(0, 1, n_bins + 1)[1:-1]))
        est = L2MLPClassifier(hidden_layer_sizes=(5,), alpha=0.05, solver="lbfgs",
                              max_iter=50, random_state=seed)
    sw = rng.uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    est.fit(X, y, sample_weight=sw)
    assert_allclose(est.loss_, est.objective(X, y, sample_weight=sw), rtol=1e-6)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_stochastic_loss_is_last_of_loss_curve(rng, seed, kind, solver):
    X, y = regression_data(rng, "squared_error", 1, n_samples=90)
    if kind == "classifier":
        y = (y > np.median(y)).astype(int)
        est = L2MLPClassifier(solver=solver, batch_size=20, max_iter=12,
                              random_state=seed)
    else:
        est = L2MLPRegressor(solver=solver, batch_size=20, max_iter=12,
                             random_state=seed)
    est.fit(X, y)
    assert len(est.loss_curve_) == est.n_iter_
    assert est.loss_curve_[-1] == est.loss_
    assert all(np.isfinite(est.loss_curve_))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("batch_size", [20, 60])
def test_stochastic_loss_curve_includes_penalty(rng, seed, solver, batch_size):
    """With a negligible step, the minibatch estimates of J average to J."""
    X, y = regression_data(rng, "squared_error", 1, n_samples=60)
    alpha = 0.5
    est = L2MLPRegressor(
        hidden_layer_sizes=(8,), alpha=alpha, solver=solver, batch_size=batch_size,
        learning_rate_init=1e-12, random_state=seed,
    )
    est.partial_fit(X, y)
    j = est.objective(X, y)
    # the penalty is a sizeable part of J, so leaving it out would show
    assert alpha * penalty(est) > 0.1 * j
    assert_allclose(est.loss_, j, rtol=1e-6)
