"""Pickles keep predictions and say when they come from another skreg version."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_regression

import skreg
from skreg import L2MLPRegressor


def _fitted():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    return L2MLPRegressor((5,), max_iter=20, random_state=0).fit(X, y / y.std()), X


def test_same_version_loads_silently_with_identical_predictions():
    model, X = _fitted()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_other_version_warns_and_still_predicts(monkeypatch):
    model, X = _fitted()
    monkeypatch.setattr(skreg._base, "__version__", "0.0.1")
    blob = pickle.dumps(model)
    monkeypatch.undo()
    with pytest.warns(UserWarning, match="skreg version 0.0.1"):
        loaded = pickle.loads(blob)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
