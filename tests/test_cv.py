"""The cross-validated lambda path estimators."""

import re
import signal
import time
import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer, make_scorer
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    LeaveOneGroupOut,
    LeaveOneOut,
    cross_val_score,
)
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
    # The refitted network is the base estimator warm-started along the path
    # on all data, from the largest alpha down to alpha_: what the folds scored.
    reference = L2MLPRegressor((10,), random_state=0, warm_start=True)
    for alpha in model.alphas_[: best + 1]:
        _quiet(lambda a=alpha: reference.set_params(alpha=a).fit(X, y))
    np.testing.assert_allclose(model.predict(X), reference.predict(X))
    fresh = _quiet(
        lambda: L2MLPRegressor((10,), alpha=model.alpha_, random_state=0).fit(X, y)
    )
    if best > 0:
        assert not np.allclose(model.predict(X), fresh.predict(X))
    for name in ("coefs_", "intercepts_", "n_iter_", "loss_curve_", "n_features_in_"):
        assert hasattr(model, name)


def test_explicit_grid_and_scores_match_a_fold_by_hand(regression):
    X, y = regression
    # No alpha that collapses the network: the path would start afresh after it.
    alphas = [1e-3, 0.3, 1e-1]
    cv = KFold(3, shuffle=True, random_state=0)
    model = _quiet(
        lambda: L2MLPRegressorCV((6,), alphas=alphas, cv=cv, random_state=0).fit(X, y)
    )
    np.testing.assert_array_equal(model.alphas_, [0.3, 1e-1, 1e-3])
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


def test_a_feature_of_tiny_spread_does_not_stall_the_path():
    # A column of noise at 1e-3 beside standardised diabetes: the step of the
    # grid's top point, built on that feature's penalty curvature, was carried
    # down the whole path, and every point scored R^2 -2.06.
    X, y = load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X), (y - y.mean()) / y.std()
    X = np.c_[X, np.random.RandomState(0).standard_normal(len(X)) * 1e-3]
    model = _quiet(
        lambda: L2MLPRegressorCV(
            (10,), alphas=4, cv=3, max_iter=100, random_state=0
        ).fit(X, y)
    )
    assert np.all(model.scores_[:, 1:].mean(axis=0) > 0.45)


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


@pytest.mark.parametrize("spread", [1e2, 1e4])
def test_the_search_scores_targets_of_any_spread_alike(regression, spread):
    # The grid's top grows with y's spread and so does the alpha of a relu
    # network's best fit (one hidden layer: J on y * s at alpha * s is s^2 times
    # J on y at alpha). The search on y * s then picks s times the alpha and
    # scores alike; it used to stop at the grid's bottom with R^2 far below.
    X, y = regression
    params = dict(hidden_layer_sizes=(10,), alphas=6, cv=3, random_state=0)
    base = _quiet(lambda: L2MLPRegressorCV(**params).fit(X, y))
    spread_out = _quiet(lambda: L2MLPRegressorCV(**params).fit(X, y * spread))
    np.testing.assert_allclose(spread_out.alphas_, base.alphas_ * spread, rtol=1e-6)
    assert spread_out.best_index_ == base.best_index_
    np.testing.assert_allclose(spread_out.scores_, base.scores_, atol=1e-3)


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


# --- selection, scorers, metadata, Ctrl-C, errors, verbose, cv_results_ -------------

_TINY = {"hidden_layer_sizes": (4,), "max_iter": 5, "random_state": 0}


@pytest.fixture
def tiny():
    X, y = make_regression(n_samples=24, n_features=3, noise=1.0, random_state=0)
    return X, y / y.std()


def test_warm_start_is_not_a_cv_parameter():
    for cls in (L2MLPRegressorCV, L2MLPClassifierCV):
        assert "warm_start" not in cls().get_params()


def test_all_nan_means_raise_a_clear_error(tiny):
    X, y = tiny
    # R^2 of a single held-out sample is undefined (NaN) in every fold.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="Every mean held-out score is NaN"):
            L2MLPRegressorCV(**_TINY, alphas=2, cv=LeaveOneOut()).fit(X, y)
        model = L2MLPRegressorCV(
            **_TINY, alphas=2, cv=LeaveOneOut(), scoring="neg_mean_squared_error"
        ).fit(X, y)
    assert np.all(np.isfinite(model.scores_))


def test_a_nan_mean_never_wins(tiny):
    X, y = tiny

    def scorer(est, X, y):
        # Best at the smallest alpha, were it not NaN there.
        return np.nan if est.alpha == 0.01 else -est.alpha

    model = L2MLPRegressorCV(**_TINY, alphas=[1.0, 0.1, 0.01], cv=3, scoring=scorer)
    with pytest.warns(UserWarning, match="NaN at 1 of 3 alphas"):
        model.fit(X, y)
    assert model.alpha_ == 0.1
    np.testing.assert_array_equal(model.cv_results_["rank_test_score"], [2, 1, 3])


def test_scorers_get_sample_weight_only_when_given_and_accepted(tiny):
    X, y = tiny
    seen = []

    def plain(est, X, y):
        return -float(np.mean((est.predict(X) - y) ** 2))

    def weighted(est, X, y, sample_weight=None):
        seen.append(sample_weight)
        return plain(est, X, y)

    sw = np.arange(1.0, len(y) + 1)
    cv = KFold(3)
    L2MLPRegressorCV(**_TINY, alphas=2, cv=cv, scoring=plain).fit(X, y, sw)
    L2MLPRegressorCV(**_TINY, alphas=2, cv=cv, scoring=weighted).fit(X, y)
    assert seen == [None] * 6
    L2MLPRegressorCV(**_TINY, alphas=2, cv=cv, scoring=weighted).fit(X, y, sw)
    for k, (_, test) in enumerate(cv.split(X)):
        np.testing.assert_array_equal(seen[6 + 2 * k], sw[test])
    # make_scorer of a metric without sample_weight: unweighted, with a warning.
    metric = make_scorer(lambda y, p: -float(np.mean((y - p) ** 2)))
    with pytest.warns(UserWarning, match="does not accept sample_weight"):
        L2MLPRegressorCV(**_TINY, alphas=2, cv=cv, scoring=metric).fit(X, y, sw)


def test_groups_reach_the_splitter(tiny):
    X, y = tiny
    groups = np.arange(len(y)) % 4
    model = L2MLPRegressorCV(**_TINY, alphas=2, cv=LeaveOneGroupOut())
    model.fit(X, y, groups=groups)
    assert model.scores_.shape == (4, 2)
    grouped = L2MLPRegressorCV(**_TINY, alphas=2, cv=GroupKFold(2)).fit(
        X, y, groups=groups
    )
    assert grouped.scores_.shape == (2, 2)
    with pytest.raises(TypeError, match=r"unexpected arguments \['colour'\]"):
        model.fit(X, y, colour=groups)


def test_metadata_routing(tiny):
    X, y = tiny
    groups = np.arange(len(y)) % 4
    sw = np.arange(1.0, len(y) + 1)
    with config_context(enable_metadata_routing=True):
        routed = L2MLPRegressorCV(**_TINY, alphas=2, cv=GroupKFold(2))
        routed.fit(X, y, sample_weight=sw, groups=groups)
        scorer = get_scorer("r2").set_score_request(sample_weight=True)
        explicit = L2MLPRegressorCV(**_TINY, alphas=2, cv=GroupKFold(2), scoring=scorer)
        explicit.fit(X, y, sample_weight=sw, groups=groups)
    # Without routing: the same folds, weights and scores.
    plain = L2MLPRegressorCV(**_TINY, alphas=2, cv=GroupKFold(2))
    plain.fit(X, y, sample_weight=sw, groups=groups)
    np.testing.assert_array_equal(routed.scores_, plain.scores_)
    np.testing.assert_allclose(explicit.scores_, plain.scores_, rtol=1e-12)


def test_ctrl_c_stops_the_search_and_leaves_the_estimator_as_it_was(monkeypatch):
    from test_faults import _raise_sigint_on_call

    X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    handler = signal.getsignal(signal.SIGINT)
    model = L2MLPRegressorCV(
        (4,), alphas=4, cv=3, batch_size=10, max_iter=50, tol=0, random_state=0
    )
    _quiet(lambda: model.fit(X, y / y.std()))
    before = dict(vars(model))
    # penalty() runs once per minibatch: the 8th is in fold 1's first point.
    calls = _raise_sigint_on_call(monkeypatch, "penalty", at=8)
    with pytest.raises(KeyboardInterrupt, match=r"fold 1 of 3 .* at alpha="):
        _quiet(lambda: model.fit(X, y))
    assert calls["n"] == 8  # not one minibatch more: the search stopped
    assert vars(model).keys() == before.keys()
    np.testing.assert_array_equal(model.scores_, before["scores_"])
    assert model.estimator_ is before["estimator_"]
    assert signal.getsignal(signal.SIGINT) is handler
    fresh = clone(model)
    calls["n"] = 0
    with pytest.raises(KeyboardInterrupt):
        _quiet(lambda: fresh.fit(X, y))
    assert not hasattr(fresh, "alpha_") and not hasattr(fresh, "n_features_in_")


def test_ctrl_c_stops_thread_workers_too(monkeypatch):
    """With joblib's threading backend the folds run in threads that joblib
    cannot stop: the search raises at once and its fits stop at their next
    minibatch instead of running to the end in the background."""
    from joblib import parallel_backend
    from test_faults import _raise_sigint_on_call

    X, y = make_regression(n_samples=400, n_features=3, random_state=0)
    model = L2MLPRegressorCV(
        (4,), alphas=4, cv=2, batch_size=10, max_iter=200, tol=0,
        n_iter_no_change=10**6, random_state=0, n_jobs=2,
    )
    calls = _raise_sigint_on_call(monkeypatch, "penalty", at=30)
    with parallel_backend("threading"):
        with pytest.raises(KeyboardInterrupt, match="folds ran in parallel"):
            _quiet(lambda: model.fit(X, y / y.std()))
    # Each worker's fit ends at its next minibatch (and checks its final J);
    # the whole search would make 2 x 4 x 200 x 20 minibatch steps otherwise.
    time.sleep(0.5)
    stopped = calls["n"]
    time.sleep(0.5)
    assert calls["n"] == stopped
    assert stopped < 200
    assert not hasattr(model, "alpha_")


def test_fold_errors_name_the_fold():
    X = np.random.RandomState(0).normal(size=(30, 3))
    y = np.zeros(30, dtype=int)
    y[-1] = 1  # one member: the last fold trains on one class
    model = L2MLPClassifierCV(**_TINY, alphas=2, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # StratifiedKFold's
        with pytest.raises(ValueError, match=r"In fold 3 of 3 \(20 training"):
            model.fit(X, y)


def test_verbose_prints_one_line_per_point(tiny, capsys):
    X, y = tiny
    L2MLPRegressorCV(**_TINY, alphas=3, cv=2, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 * 3 + 1
    assert lines[0].startswith("[CV 1/2] alpha=")
    assert "epochs, score=" in lines[0] and lines[0].endswith(" s")
    assert lines[-1].startswith("[CV] refit on all data along the path to alpha=")
    L2MLPRegressorCV(**_TINY, alphas=3, cv=2, verbose=2).fit(X, y)
    out = capsys.readouterr().out
    assert "epoch 1: J = " in out and "[CV 2/2] alpha=" in out


def test_cv_results_in_grid_search_layout(tiny):
    pd = pytest.importorskip("pandas")
    X, y = tiny
    alphas = [1.0, 0.1, 0.01]
    cv = KFold(3)
    model = L2MLPRegressorCV(**_TINY, alphas=alphas, cv=cv).fit(X, y)
    params = {k: v for k, v in _TINY.items() if k != "hidden_layer_sizes"}
    grid = GridSearchCV(L2MLPRegressor((4,), **params), {"alpha": alphas}, cv=cv)
    grid.fit(X, y)
    results = model.cv_results_
    assert list(results) == list(grid.cv_results_)
    assert results["params"] == [{"alpha": a} for a in model.alphas_]
    np.testing.assert_array_equal(results["param_alpha"], model.alphas_)
    np.testing.assert_array_equal(results["split1_test_score"], model.scores_[1])
    np.testing.assert_array_equal(results["mean_test_score"], model.scores_.mean(0))
    np.testing.assert_array_equal(results["std_test_score"], model.scores_.std(0))
    assert results["rank_test_score"][model.best_index_] == 1
    assert model.alphas_[model.best_index_] == model.alpha_
    assert np.all(results["mean_fit_time"] > 0) and model.refit_time_ > 0
    frame = pd.DataFrame(results)
    assert frame.shape == (3, len(results))


def test_a_path_point_warning_names_its_fold_and_alpha(regression):
    # Dozens of path points and a refit: a warning that does not say which
    # point raised it cannot be acted on. (With n_jobs > 1 the workers print
    # theirs, with the same prefix.)
    X, y = regression
    model = L2MLPRegressorCV((6,), alphas=[1.0, 0.01], cv=3, max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X, y)
    messages = [str(w.message) for w in record if w.category is ConvergenceWarning]
    point = "[CV 3/3] alpha=0.01: Stochastic optimizer"
    assert any(m.startswith(point) for m in messages)
    assert any(m.startswith("[CV] refit alpha=1: ") for m in messages)
    # Outside the CV estimators a warning names no point.
    with pytest.warns(ConvergenceWarning, match="^Stochastic optimizer"):
        L2MLPRegressor((6,), max_iter=2, random_state=0).fit(X, y)


@pytest.mark.skipif(
    not hasattr(Exception, "add_note"), reason="exception notes need Python 3.11"
)
def test_errors_of_other_types_keep_their_type_and_name_the_fold(tiny):
    X, y = tiny

    def scorer(estimator, X, y):
        raise ZeroDivisionError("the scorer failed")

    model = L2MLPRegressorCV(**_SMALL, scoring=scorer, max_iter=5)
    with pytest.raises(ZeroDivisionError, match="the scorer failed") as caught:
        _quiet(lambda: model.fit(X, y))
    assert any("fold 1 of 3" in note for note in caught.value.__notes__)


def test_a_generator_cv_is_split_once_with_routing_on(tiny):
    X, y = tiny
    splits = (split for split in KFold(3).split(X))
    with config_context(enable_metadata_routing=True):
        model = _quiet(
            lambda: L2MLPRegressorCV(**{**_SMALL, "cv": splits}, max_iter=5).fit(X, y)
        )
    assert model.scores_.shape == (3, 3)


def test_an_empty_cv_says_so(tiny):
    X, y = tiny
    with pytest.raises(ValueError, match="No fits were performed"):
        L2MLPRegressorCV(**{**_SMALL, "cv": []}).fit(X, y)


def test_an_unknown_scoring_names_the_estimator(tiny):
    X, y = tiny
    with pytest.raises(ValueError, match="'scoring' parameter of L2MLPRegressorCV"):
        L2MLPRegressorCV(**_SMALL, scoring="no_such_score").fit(X, y)


def test_a_refit_drops_the_attributes_of_an_earlier_network(tiny):
    X, y = tiny
    model = _quiet(
        lambda: L2MLPRegressorCV(**_SMALL, activation="prelu", max_iter=5).fit(X, y)
    )
    assert hasattr(model, "prelu_slopes_")
    _quiet(lambda: model.set_params(activation="relu").fit(X, y))
    assert not hasattr(model, "prelu_slopes_")
    assert model.coefs_[0] is model.estimator_.coefs_[0]


@pytest.mark.parametrize("Estimator", [L2MLPRegressorCV, L2MLPClassifierCV])
def test_the_refitted_estimator_keeps_the_feature_names(tiny, Estimator):
    pd = pytest.importorskip("pandas")
    X, y = tiny
    if Estimator is L2MLPClassifierCV:
        y = (y > 0).astype(int)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    model = _quiet(lambda: Estimator(**_SMALL, max_iter=5).fit(frame, y))
    inner = model.estimator_
    assert list(inner.feature_names_in_) == ["a", "b", "c"]
    assert inner.n_features_in_ == model.n_features_in_ == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        np.testing.assert_array_equal(inner.predict(frame), model.predict(frame))
    # One warning for an array, as from the estimator itself; wrong names raise.
    with pytest.warns(UserWarning, match="does not have valid feature names") as seen:
        model.predict(X)
    assert len(seen) == 1
    with pytest.raises(ValueError, match="feature names should match"):
        model.predict(frame[["c", "b", "a"]])
    # Refitted on an array: the names go, from both.
    _quiet(lambda: model.fit(X, y))
    assert not hasattr(model, "feature_names_in_")
    assert not hasattr(model.estimator_, "feature_names_in_")


@pytest.mark.parametrize(
    "alphas, got",
    [
        (True, "Got True"),
        (np.array([[1.0, 0.1], [0.01, 0.001]]), "Got an array of shape (2, 2)"),
        (np.array(0.1), "Got an array of shape ()"),
        ([[1.0], [0.1]], "Got an array of shape (2, 1)"),
        (["big", "small"], "Got ['big', 'small']"),
        ([True, False], "Got [True, False]"),
        ([], "Got []"),
        ([1.0, np.nan], "Got [1.0, nan]"),
        ([1.0, -0.1], "Got [1.0, -0.1]"),
    ],
)
def test_invalid_alphas_are_rejected_before_the_data_are_read(tiny, alphas, got):
    X, y = tiny
    X = X.copy()
    X[0, 0] = np.nan  # the parameters are checked first, as scikit-learn does
    message = (
        "The 'alphas' parameter of L2MLPRegressorCV must be an int in the range "
        "[1, inf) or a non-empty 1-D array-like of finite values >= 0. "
        f"{got} instead."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        L2MLPRegressorCV(**{**_SMALL, "alphas": alphas}).fit(X, y)


def test_duplicate_alphas_are_fitted_once(tiny):
    X, y = tiny
    twice = L2MLPRegressorCV(**{**_SMALL, "alphas": [0.1, 1.0, 0.1, 1.0]}, max_iter=5)
    once = L2MLPRegressorCV(**{**_SMALL, "alphas": [1.0, 0.1]}, max_iter=5)
    _quiet(lambda: (twice.fit(X, y), once.fit(X, y)))
    np.testing.assert_array_equal(twice.alphas_, [1.0, 0.1])
    np.testing.assert_array_equal(twice.scores_, once.scores_)
    assert twice.cv_results_["params"] == [{"alpha": 1.0}, {"alpha": 0.1}]
    np.testing.assert_array_equal(twice.cv_results_["rank_test_score"],
                                  once.cv_results_["rank_test_score"])


@pytest.mark.parametrize("case", ["one class", "poisson", "hidden_layer_sizes"])
def test_data_errors_are_raised_before_any_fold_as_the_network_raises_them(
    tiny, monkeypatch, case
):
    # With an explicit grid nothing read the whole data before the folds: each
    # of these was reported as an error of fold 1.
    X, y = tiny
    search, net, params = L2MLPRegressorCV, L2MLPRegressor, dict(_TINY)
    if case == "one class":
        y = np.zeros(len(y), dtype=int)
        search, net = L2MLPClassifierCV, L2MLPClassifier
    elif case == "poisson":
        params["loss"] = "poisson"
    else:
        params["hidden_layer_sizes"] = (0,)
    with pytest.raises(ValueError) as caught:
        net(**params).fit(X, y)
    expected = str(caught.value)

    def no_fold(*args, **kwargs):
        raise AssertionError("a fold was fitted")

    monkeypatch.setattr("skreg._cv._lambda_path", no_fold)
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        search(**params, alphas=[1.0, 0.1]).fit(X, y)


@pytest.mark.parametrize("n_jobs", [0, False])
def test_n_jobs_zero_is_rejected_as_joblib_rejects_it(tiny, n_jobs):
    # It ran serially; GridSearchCV's joblib raises "n_jobs == 0 has no meaning".
    X, y = tiny
    with pytest.raises(ValueError, match="The 'n_jobs' parameter of L2MLPRegressorCV"):
        L2MLPRegressorCV(**_SMALL, n_jobs=n_jobs).fit(X, y)


@pytest.mark.parametrize("returned", [None, "high", np.array([1.0, 2.0])])
def test_a_scorer_must_return_a_number(tiny, returned):
    # As GridSearchCV: a clear error (it was a TypeError from numpy or None + None).
    X, y = tiny
    model = L2MLPRegressorCV(**_TINY, alphas=2, cv=3, scoring=lambda e, X, y: returned)
    with pytest.raises(ValueError, match=r"In fold 1 of 3 .* at alpha=.*: scoring "
                       "must return a number, got "):
        _quiet(lambda: model.fit(X, y))
    # A numpy scalar or a 0-d array is a number.
    model.set_params(scoring=lambda e, X, y: np.array(np.float32(0.5)))
    _quiet(lambda: model.fit(X, y))
    assert model.scores_.dtype == np.float64
    np.testing.assert_array_equal(model.scores_, 0.5)
