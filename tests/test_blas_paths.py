"""The stochastic loop's two product paths give the same fits.

Networks from ``SCIPY_BLAS_MIN_WEIGHTS`` weights on run their products through
scipy's BLAS and let sgd's weight-gradient products build the step ``-lr * g``;
smaller ones use numpy and the optimizer's update. Lowering the threshold runs
the first path on small networks, to compare it with the second.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning

import skreg._network
from skreg import L2MLPClassifier, L2MLPRegressor


def _fit_both_ways(monkeypatch, make, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        numpy_path = make().fit(X, y, **fit_params)
        monkeypatch.setattr(skreg._network, "SCIPY_BLAS_MIN_WEIGHTS", 0)
        scipy_path = make().fit(X, y, **fit_params)
    return numpy_path, scipy_path


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-9), (np.float32, 2e-3)])
@pytest.mark.parametrize(
    "params",
    [
        {},  # sgd, automatic step: the preconditioned output layer
        {"learning_rate_init": 0.01, "nesterovs_momentum": False},
        {"activation": "prelu", "momentum": 0.5},
        {"solver": "adam"},
    ],
    ids=["auto-step", "fixed-step", "prelu", "adam"],
)
def test_regressor_same_fit_on_both_paths(monkeypatch, params, dtype, rtol):
    X, y = make_regression(n_samples=300, n_features=8, noise=5.0, random_state=0)
    X, y = X.astype(dtype), 3 * y / y.std()
    sw = np.random.default_rng(0).uniform(0.5, 2.0, size=300)

    def make():
        return L2MLPRegressor(
            (16, 8), alpha=1e-3, max_iter=5, batch_size=64, random_state=0, **params
        )

    numpy_path, scipy_path = _fit_both_ways(monkeypatch, make, X, y, sample_weight=sw)
    for a, b in zip(numpy_path.coefs_, scipy_path.coefs_):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol * 1e-3)
    np.testing.assert_allclose(
        scipy_path.loss_curve_, numpy_path.loss_curve_, rtol=rtol
    )


def test_classifier_with_sparse_input_same_fit_on_both_paths(monkeypatch):
    X, y = make_classification(n_samples=200, n_features=12, n_classes=3,
                               n_informative=5, random_state=0)
    X = sp.csr_matrix(np.where(np.abs(X) > 1, X, 0.0))

    def make():
        return L2MLPClassifier((10,), alpha=1e-3, max_iter=5, random_state=0)

    numpy_path, scipy_path = _fit_both_ways(monkeypatch, make, X, y)
    for a, b in zip(numpy_path.coefs_, scipy_path.coefs_):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        scipy_path.predict_proba(X), numpy_path.predict_proba(X), rtol=1e-9
    )
