"""The public estimators work inside the scikit-learn ecosystem (SPEC 2 and 3)."""

import pickle

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import (
    load_iris,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skreg
from skreg import L2MLPClassifier, L2MLPRegressor

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)
SMALL = {"hidden_layer_sizes": (8,), "solver": "lbfgs", "max_iter": 200}


@pytest.fixture
def regression(seed):
    X, y = make_regression(
        n_samples=120, n_features=5, n_informative=4, noise=5.0, random_state=seed
    )
    return X, y / np.std(y)


@pytest.fixture
def iris():
    return load_iris(return_X_y=True)


# ------------------------------------------------------------------ basics


def test_public_names_and_version():
    assert isinstance(skreg.__version__, str) and skreg.__version__
    for name in ("L2MLPRegressor", "L2MLPClassifier"):
        assert name in skreg.__all__
    assert is_regressor(L2MLPRegressor())
    assert is_classifier(L2MLPClassifier())


@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_only_hidden_layer_sizes_is_positional(cls):
    assert cls((7,)).hidden_layer_sizes == (7,)
    with pytest.raises(TypeError):
        cls((7,), "tanh")


def test_int_hidden_layer_sizes_and_linear_model(regression, seed):
    X, y = regression
    est = L2MLPRegressor(hidden_layer_sizes=7, solver="lbfgs", random_state=seed)
    est.fit(X, y)
    assert est.hidden_layer_sizes == 7  # stored unchanged
    assert est.n_layers_ == 3
    assert [W.shape for W in est.coefs_] == [(5, 7), (7, 1)]
    linear = L2MLPRegressor(hidden_layer_sizes=(), solver="lbfgs", random_state=seed)
    linear.fit(X, y)
    assert linear.n_layers_ == 2
    assert [W.shape for W in linear.coefs_] == [(5, 1)]
    assert [b.shape for b in linear.intercepts_] == [(1,)]


# ------------------------------------------------------ meta-estimators


def test_pipeline_regressor(regression, seed):
    X, y = regression
    pipe = make_pipeline(StandardScaler(), L2MLPRegressor(random_state=seed, **SMALL))
    pipe.fit(X[:90], y[:90])
    assert pipe.predict(X[90:]).shape == (30,)
    assert pipe.score(X[90:], y[90:]) > 0.8


def test_pipeline_classifier(iris, seed):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), L2MLPClassifier(random_state=seed, **SMALL))
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.9
    assert_allclose(pipe.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)


def test_grid_search_over_alpha_and_activation(regression, seed):
    X, y = regression
    grid = {"alpha": [1e-4, 1e2], "activation": ["identity", "tanh"]}
    search = GridSearchCV(L2MLPRegressor(random_state=seed, **SMALL), grid, cv=3)
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    # alpha=100 penalizes the weights to (almost) zero: a useless model
    assert search.best_params_["alpha"] == 1e-4
    scores = dict(
        zip(
            [(p["alpha"], p["activation"]) for p in search.cv_results_["params"]],
            search.cv_results_["mean_test_score"],
        )
    )
    assert scores[(1e2, "identity")] < 0.5
    assert scores[(1e-4, "identity")] > 0.9
    best = search.best_estimator_
    assert isinstance(best, L2MLPRegressor)
    assert best.alpha == 1e-4
    assert best.activation == search.best_params_["activation"]
    assert hasattr(best, "coefs_")


def test_cross_val_score(iris, seed):
    X, y = iris
    clf = L2MLPClassifier(random_state=seed, **SMALL)
    scores = cross_val_score(make_pipeline(StandardScaler(), clf), X, y, cv=3)
    assert scores.shape == (3,)
    assert np.all(scores > 0.8)


@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_clone_and_params_stored_unchanged(cls):
    params = {
        "hidden_layer_sizes": (3, 4),
        "activation": "tanh",
        "alpha": 0.25,
        "solver": "adam",
        "batch_size": 16,
        "max_iter": 7,
        "random_state": 3,
    }
    est = cls(**params)
    got = est.get_params()
    for key, value in params.items():
        assert got[key] == value and type(got[key]) is type(value), key
    cloned = clone(est)
    assert cloned is not est
    assert cloned.get_params() == got
    assert not hasattr(cloned, "coefs_")


def test_clone_of_fitted_is_unfitted(regression, seed):
    X, y = regression
    est = L2MLPRegressor(random_state=seed, **SMALL).fit(X, y)
    cloned = clone(est)
    assert not hasattr(cloned, "coefs_")
    assert cloned.get_params() == est.get_params()


@pytest.mark.parametrize(
    "kind", ["squared_error", "absolute_error", "huber", "poisson", "classifier"]
)
def test_pickle_round_trip(regression, iris, seed, kind):
    if kind != "classifier":
        X, y = regression
        if kind == "poisson":
            y = np.abs(y)
        solver = "adam" if kind == "absolute_error" else "lbfgs"
        est = L2MLPRegressor(
            hidden_layer_sizes=(8,), loss=kind, solver=solver, max_iter=50,
            random_state=seed,
        ).fit(X, y)
    else:
        X, y = iris
        est = L2MLPClassifier(random_state=seed, **SMALL).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    assert np.array_equal(restored.predict(X), est.predict(X))
    if kind == "classifier":
        assert np.array_equal(restored.predict_proba(X), est.predict_proba(X))
        assert np.array_equal(restored.classes_, est.classes_)
    assert restored.objective(X, y) == est.objective(X, y)


# ------------------------------------------------------------------- data


def test_dataframe_feature_names(regression, seed):
    X, y = regression
    columns = [f"f{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=columns)
    est = L2MLPRegressor(random_state=seed, **SMALL).fit(df, y)
    assert list(est.feature_names_in_) == columns
    assert est.n_features_in_ == X.shape[1]
    renamed = df.rename(columns={"f0": "g0"})
    with pytest.raises(ValueError, match="feature names"):
        est.predict(renamed)
    with pytest.warns(UserWarning, match="feature names"):
        pred_array = est.predict(X)
    assert_allclose(est.predict(df), pred_array)

    # fitted on an array: no names
    est_np = L2MLPRegressor(random_state=seed, **SMALL).fit(X, y)
    assert not hasattr(est_np, "feature_names_in_")


def test_wrong_number_of_features_raises(regression, seed):
    X, y = regression
    est = L2MLPRegressor(random_state=seed, **SMALL).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        est.predict(X[:, :3])


@pytest.mark.parametrize("n_classes", [2, 3])
def test_string_class_labels(iris, seed, n_classes):
    X, y = iris
    mask = y < n_classes
    X, y = X[mask], np.array(["setosa", "versicolor", "virginica"])[y[mask]]
    clf = make_pipeline(StandardScaler(), L2MLPClassifier(random_state=seed, **SMALL))
    clf.fit(X, y)
    est = clf[-1]
    assert list(est.classes_) == sorted(set(y))
    assert all(isinstance(c, str) for c in est.classes_)
    pred = clf.predict(X)
    assert pred.shape == y.shape
    assert set(pred) <= set(y)
    assert np.mean(pred == y) > 0.9
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), n_classes)
    assert np.array_equal(pred, est.classes_[np.argmax(proba, axis=1)])
    assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-10, atol=1e-12)
    assert est.out_activation_ == ("logistic" if n_classes == 2 else "softmax")
    assert est.n_outputs_ == (1 if n_classes == 2 else n_classes)


def test_multi_output_regression(rng, seed):
    X = rng.standard_normal((100, 4))
    Y = np.column_stack([X @ [1.0, 2.0, 0.0, 0.0], X @ [0.0, -1.0, 0.5, 1.0]])
    est = L2MLPRegressor(random_state=seed, **SMALL).fit(X, Y)
    assert est.n_outputs_ == 2
    assert est.coefs_[-1].shape == (8, 2)
    assert est.predict(X).shape == (100, 2)
    assert est.score(X, Y) > 0.95


def test_multilabel_classification(seed):
    X, Y = make_multilabel_classification(
        n_samples=100, n_features=6, n_classes=3, random_state=seed
    )
    clf = L2MLPClassifier(random_state=seed, **SMALL).fit(X, Y)
    assert clf.n_outputs_ == 3
    assert clf.out_activation_ == "logistic"
    pred = clf.predict(X)
    proba = clf.predict_proba(X)
    assert pred.shape == Y.shape
    assert proba.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    assert np.all((proba >= 0) & (proba <= 1))
    assert np.array_equal(pred, (proba > 0.5).astype(pred.dtype))
    # the model learns something beyond the per-label majority vote
    majority = (Y.mean(axis=0) > 0.5).astype(int)
    assert np.mean(pred == Y) > np.mean(majority == Y) + 0.05


# ------------------------------------------------------------- partial_fit


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_partial_fit_over_chunks_decreases_loss(regression, iris, seed, kind, solver):
    if kind == "regressor":
        X, y = regression
        cls = L2MLPRegressor
    else:
        X, y = iris
        X = StandardScaler().fit_transform(X)
        cls = L2MLPClassifier
    est = cls(
        hidden_layer_sizes=(8,), solver=solver, learning_rate_init=0.01,
        random_state=seed,
    )
    order = np.random.default_rng(seed).permutation(len(y))
    chunks = np.array_split(order, 4)

    if kind == "classifier":
        with pytest.raises(ValueError, match="classes"):
            clone(est).partial_fit(X[chunks[0]], y[chunks[0]])

    history = []
    for epoch in range(15):
        for i, idx in enumerate(chunks):
            if kind == "classifier" and epoch == 0 and i == 0:
                est.partial_fit(X[idx], y[idx], classes=np.unique(y))
            else:
                est.partial_fit(X[idx], y[idx])
            assert np.isfinite(est.loss_)
        history.append(est.objective(X, y))
    assert history[-1] < 0.8 * history[0], history
    assert history[-1] < history[len(history) // 2] < history[0]
    if kind == "classifier":
        assert np.array_equal(est.classes_, np.unique(y))


@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_partial_fit_only_for_stochastic_solvers(cls):
    assert hasattr(cls(solver="lbfgs"), "partial_fit") is False
    assert hasattr(cls(solver="sgd"), "partial_fit") is True
    assert hasattr(cls(solver="adam"), "partial_fit") is True


# ---------------------------------------------------------------- warm_start


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_warm_start_continues_from_previous_weights(regression, seed, solver):
    X, y = regression
    params = {"hidden_layer_sizes": (8,), "solver": solver, "random_state": seed}
    if solver != "lbfgs":
        params.update(batch_size=10, learning_rate_init=0.01)
    est = L2MLPRegressor(warm_start=True, max_iter=60, **params).fit(X, y)
    W_first = [W.copy() for W in est.coefs_]
    j_first = est.objective(X, y)

    est.set_params(max_iter=1)
    est.fit(X, y)
    j_warm = est.objective(X, y)
    # one more epoch/iteration from where it stopped: close to the old weights
    drift = np.sqrt(sum(np.sum((W - V) ** 2) for W, V in zip(est.coefs_, W_first)))
    norm = np.sqrt(sum(np.sum(V**2) for V in W_first))
    assert drift < 0.1 * norm
    # (a fresh Adam state may take a few larger steps, hence the slack)
    assert j_warm < 1.5 * j_first

    cold = L2MLPRegressor(warm_start=False, max_iter=1, **params).fit(X, y)
    j_cold = cold.objective(X, y)
    assert j_cold > 5 * j_warm, (j_cold, j_warm)


# ------------------------------------------------------------- convergence


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_convergence_warning_when_max_iter_is_hit(iris, seed, cls, solver):
    X, y = iris
    est = cls(hidden_layer_sizes=(5,), solver=solver, max_iter=2, random_state=seed)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    assert est.n_iter_ <= 2


# ------------------------------------------------------ fitted attributes


COMMON_ATTRS = (
    "coefs_", "intercepts_", "n_iter_", "loss_", "n_features_in_", "n_layers_",
    "n_outputs_", "out_activation_",
)
STOCHASTIC_ATTRS = (
    "t_", "loss_curve_", "best_loss_", "validation_scores_", "best_validation_score_",
)


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_fitted_attributes(regression, seed, solver, early_stopping):
    X, y = regression
    est = L2MLPRegressor(
        hidden_layer_sizes=(6, 4), solver=solver, max_iter=20,
        early_stopping=early_stopping, random_state=seed,
    )
    assert not any(hasattr(est, a) for a in COMMON_ATTRS + STOCHASTIC_ATTRS)
    est.fit(X, y)
    for attr in COMMON_ATTRS:
        assert hasattr(est, attr), attr
    assert est.n_layers_ == 4
    assert est.n_outputs_ == 1
    assert est.n_features_in_ == 5
    assert [W.shape for W in est.coefs_] == [(5, 6), (6, 4), (4, 1)]
    assert [b.shape for b in est.intercepts_] == [(6,), (4,), (1,)]
    assert 1 <= est.n_iter_ <= 20
    assert np.isfinite(est.loss_)
    assert est.out_activation_ == "identity"
    assert not hasattr(est, "prelu_slopes_")
    assert not hasattr(est, "classes_")
    if solver == "lbfgs":
        return
    for attr in STOCHASTIC_ATTRS:
        assert hasattr(est, attr), attr
    assert len(est.loss_curve_) == est.n_iter_
    if early_stopping:
        assert len(est.validation_scores_) == est.n_iter_
        assert est.best_validation_score_ == max(est.validation_scores_)
    else:
        # scikit-learn semantics: t_ counts the training samples seen
        assert est.t_ == est.n_iter_ * X.shape[0]
        assert est.best_loss_ == min(est.loss_curve_)


@pytest.mark.parametrize("hidden", [(5,), (5, 3)])
def test_prelu_slopes_only_for_prelu(regression, seed, hidden):
    X, y = regression
    est = L2MLPRegressor(
        hidden_layer_sizes=hidden, activation="prelu", solver="lbfgs", max_iter=100,
        random_state=seed,
    ).fit(X, y)
    assert len(est.prelu_slopes_) == len(hidden)
    assert [s.shape for s in est.prelu_slopes_] == [(h,) for h in hidden]
    # slopes are learned from their initial value 0.25
    assert not np.allclose(np.concatenate(est.prelu_slopes_), 0.25)
    other = L2MLPRegressor(
        hidden_layer_sizes=hidden, activation="leaky_relu", random_state=seed,
        solver="lbfgs", max_iter=5,
    ).fit(X, y)
    assert not hasattr(other, "prelu_slopes_")


@pytest.mark.parametrize(
    "kind, loss, expected",
    [
        ("regressor", "squared_error", "identity"),
        ("regressor", "absolute_error", "identity"),
        ("regressor", "huber", "identity"),
        ("regressor", "poisson", "exp"),
        ("binary", "log_loss", "logistic"),
        ("multiclass", "log_loss", "softmax"),
        ("multilabel", "log_loss", "logistic"),
    ],
)
def test_out_activation(rng, seed, kind, loss, expected):
    X = rng.standard_normal((60, 3))
    if kind == "regressor":
        y = np.abs(X[:, 0]) + rng.uniform(0, 1, 60)  # non-negative for poisson
        est = L2MLPRegressor(loss=loss, solver="adam", max_iter=3, random_state=seed)
    else:
        est = L2MLPClassifier(solver="adam", max_iter=3, random_state=seed)
        y = {
            "binary": (X[:, 0] > 0).astype(int),
            "multiclass": np.digitize(X[:, 0], [-0.5, 0.5]),
            "multilabel": (X[:, :2] > 0).astype(int),
        }[kind]
    est.fit(X, y)
    assert est.out_activation_ == expected
    if expected == "exp":
        assert np.all(est.predict(X) > 0)


# ------------------------------------------------------ dtypes and sparse


@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_float32_trains_and_predicts_in_float32(iris, seed, kind, solver):
    X, y = iris
    X32 = X.astype(np.float32)
    cls = L2MLPClassifier if kind == "classifier" else L2MLPRegressor
    est = cls(hidden_layer_sizes=(5,), solver=solver, max_iter=20, random_state=seed)
    est.fit(X32, y.astype(np.float64) if kind == "regressor" else y)
    assert all(W.dtype == np.float32 for W in est.coefs_)
    assert all(b.dtype == np.float32 for b in est.intercepts_)
    if kind == "regressor":
        assert est.predict(X32).dtype == np.float32
    else:
        assert est.predict_proba(X32).dtype == np.float32
    # float64 input stays float64
    est64 = clone(est).fit(X, y)
    assert all(W.dtype == np.float64 for W in est64.coefs_)
    # integer input is converted to float64
    est_int = clone(est).fit(np.round(X * 10).astype(np.int64), y)
    assert all(W.dtype == np.float64 for W in est_int.coefs_)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "params",
    [
        {"solver": "sgd", "learning_rate_init": "auto", "early_stopping": True},
        {"solver": "lbfgs"},
    ],
)
def test_classifier_loss_sees_targets_in_the_dtype_of_X(iris, monkeypatch, dtype,
                                                         params):
    """The encoded labels are stored as bool; the loss gets them in X's dtype."""
    X, y = iris
    seen = set()

    def spy(function):
        def recorded(targets, *args):
            seen.add(targets.dtype)
            return function(targets, *args)
        return recorded

    output_loss = L2MLPClassifier._output_loss

    def spied_loss(self, encoder):
        loss = output_loss(self, encoder)
        for method in ("value", "gradient", "value_and_gradient", "curvature"):
            setattr(loss, method, spy(getattr(loss, method)))
        return loss

    monkeypatch.setattr(L2MLPClassifier, "_output_loss", spied_loss)
    est = L2MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0,
                          **params)
    est.fit(X.astype(dtype), y)
    est.objective(X.astype(dtype), y)
    assert est._encode_targets(y, reset=False)[0].dtype == bool
    assert seen == {np.dtype(dtype)}


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_sparse_input_matches_dense(rng, seed, kind, fmt):
    X = rng.standard_normal((80, 10))
    X[rng.uniform(size=X.shape) < 0.7] = 0.0
    if kind == "regressor":
        y = X @ rng.standard_normal(10) + 0.1 * rng.standard_normal(80)
        cls = L2MLPRegressor
    else:
        y = (X @ rng.standard_normal(10) > 0).astype(int)
        cls = L2MLPClassifier
    Xs = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    # a fixed, short lbfgs run: same gradients give the same path (longer runs
    # of a non-convex fit amplify round-off differences between the products)
    params = {"hidden_layer_sizes": (5,), "solver": "lbfgs", "max_iter": 30,
              "tol": 1e-12, "alpha": 0.01, "random_state": seed}
    dense = cls(**params).fit(X, y)
    sparse = cls(**params).fit(Xs, y)
    for Wd, Ws in zip(dense.coefs_, sparse.coefs_):
        assert_allclose(Ws, Wd, rtol=1e-6, atol=1e-8)
    assert_allclose(sparse.predict(Xs), dense.predict(X), rtol=1e-6, atol=1e-8)
    assert_allclose(sparse.predict(X), dense.predict(Xs), rtol=1e-6, atol=1e-8)
    assert_allclose(sparse.objective(Xs, y), dense.objective(X, y), rtol=1e-6)


def test_classifier_binary_predict_proba_consistency(seed):
    X, y = make_classification(n_samples=80, n_features=4, random_state=seed)
    clf = L2MLPClassifier(random_state=seed, **SMALL).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (80, 2)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    assert np.array_equal(clf.predict(X), clf.classes_[np.argmax(proba, axis=1)])
    assert clf.score(X, y) > 0.8
