"""Determinism and concurrency (SPEC section 4, issue 5 item 5).

The same random_state gives bit-identical weights, also when the estimator is
pickled in the middle of partial_fit; predict from many threads equals serial
predict; a pickle from another skreg version loads with a warning.
"""

import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression

import skreg
from skreg import L2MLPClassifier, L2MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

SOLVERS = ["sgd", "adam", "lbfgs"]


def _regression(seed):
    X, y = make_regression(n_samples=300, n_features=6, noise=1.0, random_state=seed)
    return X, y / y.std()


def _classification(seed):
    return make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=seed
    )


def _params(est):
    parts = list(est.coefs_) + list(est.intercepts_)
    parts += list(getattr(est, "prelu_slopes_", []))
    return parts


def _assert_bit_identical(a, b):
    pa, pb = _params(a), _params(b)
    assert len(pa) == len(pb)
    for u, v in zip(pa, pb):
        assert u.dtype == v.dtype
        np.testing.assert_array_equal(u, v)
    assert a.n_iter_ == b.n_iter_ and a.t_ == b.t_
    np.testing.assert_array_equal(a.loss_curve_, b.loss_curve_)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "cls, data, extra",
    [
        (L2MLPRegressor, _regression, {}),
        (L2MLPRegressor, _regression, {"activation": "prelu", "early_stopping": True}),
        (L2MLPClassifier, _classification, {"activation": "gelu"}),
    ],
)
def test_same_random_state_bit_identical(cls, data, extra, solver, seed):
    X, y = data(seed)
    if solver == "lbfgs":
        extra = {k: v for k, v in extra.items() if k != "early_stopping"}
    make = lambda: cls(  # noqa: E731
        hidden_layer_sizes=(16, 8),
        solver=solver,
        max_iter=15,
        random_state=seed,
        **extra,
    )
    a, b = make().fit(X, y), make().fit(X, y)
    _assert_bit_identical(a, b)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_float32_bit_identical(seed):
    X, y = _regression(seed)
    X = X.astype(np.float32)
    make = lambda: L2MLPRegressor((8,), max_iter=10, random_state=seed)  # noqa: E731
    _assert_bit_identical(make().fit(X, y), make().fit(X, y))


def test_different_random_state_differs(seed):
    """A negative control: the comparison above can fail."""
    X, y = _regression(seed)
    a = L2MLPRegressor((8,), max_iter=5, random_state=seed).fit(X, y)
    b = L2MLPRegressor((8,), max_iter=5, random_state=seed + 1).fit(X, y)
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])


def test_random_state_instance_is_reproducible(seed):
    X, y = _regression(seed)
    a = L2MLPRegressor((8,), max_iter=5, random_state=np.random.RandomState(seed))
    b = L2MLPRegressor((8,), max_iter=5, random_state=np.random.RandomState(seed))
    _assert_bit_identical(a.fit(X, y), b.fit(X, y))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_pickle_in_the_middle_of_partial_fit(cls, solver, seed):
    X, y = _classification(seed) if cls is L2MLPClassifier else _regression(seed)
    chunks = np.array_split(np.arange(len(X)), 5)
    kw = {"classes": np.unique(y)} if cls is L2MLPClassifier else {}

    def run_chunk(est, rows, first=False):
        return est.partial_fit(X[rows], y[rows], **(kw if first else {}))

    straight = cls(hidden_layer_sizes=(10,), solver=solver, random_state=seed)
    run_chunk(straight, chunks[0], first=True)
    run_chunk(straight, chunks[1])
    resumed = pickle.loads(pickle.dumps(straight))
    _assert_bit_identical(straight, resumed)
    for rows in chunks[2:]:
        run_chunk(straight, rows)
        run_chunk(resumed, rows)
    _assert_bit_identical(straight, resumed)

    # And both equal a run that was never pickled.
    fresh = cls(hidden_layer_sizes=(10,), solver=solver, random_state=seed)
    run_chunk(fresh, chunks[0], first=True)
    for rows in chunks[1:]:
        run_chunk(fresh, rows)
    _assert_bit_identical(fresh, resumed)


@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_predict_from_eight_threads_equals_serial(cls, seed):
    X, y = _classification(seed) if cls is L2MLPClassifier else _regression(seed)
    est = cls(hidden_layer_sizes=(64, 32), max_iter=5, random_state=seed).fit(X, y)
    rng = np.random.RandomState(seed)
    batches = [rng.normal(size=(500 + 37 * i, X.shape[1])) for i in range(32)]
    methods = ["predict"] + (["predict_proba"] if cls is L2MLPClassifier else [])
    for method in methods:
        serial = [getattr(est, method)(b) for b in batches]
        with ThreadPoolExecutor(max_workers=8) as pool:
            threaded = list(pool.map(getattr(est, method), batches))
        for s, t in zip(serial, threaded):
            np.testing.assert_array_equal(s, t)


def test_pickle_from_another_version_warns_and_predicts(monkeypatch, seed):
    X, y = _classification(seed)
    est = L2MLPClassifier((8,), max_iter=5, random_state=seed).fit(X, y)
    monkeypatch.setattr(skreg._base, "__version__", "0.0.0-old")
    blob = pickle.dumps(est)
    monkeypatch.undo()
    with pytest.warns(
        UserWarning, match=r"skreg version 0\.0\.0-old.*" + skreg.__version__
    ):
        loaded = pickle.loads(blob)
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    # Pickled again by this version, it loads silently.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps(loaded))


def test_pickle_without_a_version_warns(seed):
    """A pickle that records no version at all (say, a hand-made state)."""
    X, y = _regression(seed)
    est = L2MLPRegressor((4,), max_iter=3, random_state=seed).fit(X, y)
    state = est.__getstate__()
    del state["_skreg_version"]
    clone = L2MLPRegressor.__new__(L2MLPRegressor)
    with pytest.warns(UserWarning, match="unknown"):
        clone.__setstate__(state)
    np.testing.assert_array_equal(clone.predict(X), est.predict(X))
