"""Safe persistence: skops.io loads a fitted model trusting public skreg names only.

The fitted state holds names, numbers, numpy arrays and scikit-learn objects
(which skops trusts by default), never a private skreg object or function, so
that ``get_untrusted_types`` names the estimator classes alone.
"""

import pickle
import re

import numpy as np
import pytest
import skops.io as sio
from sklearn.datasets import make_classification, make_regression

from skreg import L2MLPClassifier, L2MLPClassifierCV, L2MLPRegressor, L2MLPRegressorCV
from skreg._losses import SquaredError

SMALL = {"hidden_layer_sizes": (6,), "max_iter": 15, "random_state": 0}


def _regression(seed):
    X, y = make_regression(n_samples=80, n_features=4, noise=0.5, random_state=seed)
    return X, y / y.std()


def _classification(seed, n_classes):
    X, y = make_classification(
        n_samples=90, n_features=5, n_informative=3, n_redundant=0,
        n_classes=n_classes, random_state=seed,
    )
    return X, y


def _case(name, seed):
    """A fitted model and the data it was fitted on, by case name."""
    X, y = _regression(seed)
    if name.startswith("regressor-"):
        _, activation, loss, solver = name.split("-")
        y = np.exp(y / 2) if loss == "poisson" else y
        model = L2MLPRegressor(
            activation=activation, loss=loss, solver=solver, quantile=0.8,
            huber_delta=0.7, **SMALL,
        )
        return model.fit(X, y), X, y
    if name == "regressor_cv":
        return L2MLPRegressorCV(alphas=3, cv=2, **SMALL).fit(X, y), X, y
    if name == "classifier_multilabel":
        X, _ = _classification(seed, 2)
        Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 2] > 0]).astype(int)
        return L2MLPClassifier(**SMALL).fit(X, Y), X, Y
    _, kind, activation, solver = name.split("-")
    X, y = _classification(seed, 3 if kind == "multiclass" else 2)
    if kind == "strings":
        y = np.array(["cat", "dog"])[y]
    if name.startswith("classifier_cv"):
        model = L2MLPClassifierCV(alphas=3, cv=2, activation=activation, **SMALL)
    else:
        model = L2MLPClassifier(activation=activation, solver=solver, **SMALL)
    return model.fit(X, y), X, y


REGRESSOR_CASES = [
    "regressor-relu-squared_error-sgd",
    "regressor-prelu-huber-adam",
    "regressor-gelu-quantile-sgd",
    "regressor-softplus-poisson-adam",
    "regressor-tanh-absolute_error-sgd",
    "regressor-elu-squared_error-lbfgs",
]
CLASSIFIER_CASES = [
    "classifier-binary-relu-sgd",
    "classifier-multiclass-silu-adam",
    "classifier-strings-leaky_relu-lbfgs",
    "classifier_multilabel",
]
CV_CASES = ["regressor_cv", "classifier_cv-multiclass-logistic-sgd"]
ALL_CASES = REGRESSOR_CASES + CLASSIFIER_CASES + CV_CASES


def _public_names(model):
    """What a user trusts: the public name of the model's class (and the CV
    estimator's refitted network)."""
    names = {f"skreg.{type(model).__name__}"}
    if hasattr(model, "estimator_"):
        names.add(f"skreg.{type(model.estimator_).__name__}")
    return sorted(names)


def _outputs(model, X):
    outputs = {"predict": model.predict(X)}
    if hasattr(model, "predict_proba"):
        outputs["predict_proba"] = model.predict_proba(X)
    return outputs


@pytest.mark.parametrize("name", ALL_CASES)
def test_untrusted_types_are_the_public_classes_only(name, seed):
    model, _, _ = _case(name, seed)
    untrusted = sio.get_untrusted_types(data=sio.dumps(model))
    assert untrusted == _public_names(model)


@pytest.mark.parametrize("name", ALL_CASES)
def test_loads_trusting_public_names_with_identical_predictions(name, seed):
    model, X, _ = _case(name, seed)
    loaded = sio.loads(sio.dumps(model), trusted=_public_names(model))
    assert type(loaded) is type(model)
    for method, expected in _outputs(model, X).items():
        np.testing.assert_array_equal(_outputs(loaded, X)[method], expected, method)


def test_a_private_object_in_the_state_would_be_untrusted(seed):
    """Negative control: the check sees a skreg object kept in the fitted state."""
    model, _, _ = _case(REGRESSOR_CASES[0], seed)
    model._kept_loss = SquaredError()
    data = sio.dumps(model)
    assert "skreg._losses.SquaredError" in sio.get_untrusted_types(data=data)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(data, trusted=_public_names(model))


def _round_trips():
    return {
        "skops": lambda m: sio.loads(sio.dumps(m), trusted=_public_names(m)),
        "pickle": lambda m: pickle.loads(pickle.dumps(m)),
    }


@pytest.mark.parametrize("how", sorted(_round_trips()))
@pytest.mark.parametrize(
    "name",
    [
        "regressor-relu-squared_error-sgd",
        "regressor-prelu-huber-adam",
        "classifier-multiclass-silu-adam",
        "classifier-strings-leaky_relu-sgd",
    ],
)
def test_a_loaded_model_continues_partial_fit_bit_identically(name, how, seed):
    """The optimizer's state (momentum, Adam's moments, the step size) and the
    random stream survive the round trip: the next epochs are the same."""
    model, X, y = _case(name, seed)
    loaded = _round_trips()[how](model)
    for _ in range(2):
        model.partial_fit(X, y)
        loaded.partial_fit(X, y)
    for ours, theirs in zip(model.coefs_ + model.intercepts_,
                            loaded.coefs_ + loaded.intercepts_):
        np.testing.assert_array_equal(theirs, ours)
    assert loaded.t_ == model.t_ and loaded.n_iter_ == model.n_iter_
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_partial_fit_continues_the_optimizer_not_a_fresh_one(seed):
    """Negative control for the test above: dropping the kept optimizer state
    changes the next epoch (so that test can fail)."""
    model, X, y = _case("regressor-prelu-huber-adam", seed)
    restarted = pickle.loads(pickle.dumps(model))
    del restarted._optimizer_state
    model.partial_fit(X, y)
    restarted.partial_fit(X, y)
    assert not np.array_equal(restarted.coefs_[0], model.coefs_[0])


def test_pickling_leaves_the_estimator_unchanged(seed):
    model, _, _ = _case(REGRESSOR_CASES[0], seed)
    before = set(vars(model))
    pickle.dumps(model)
    sio.dumps(model)
    assert set(vars(model)) == before


def test_readme_snippet_runs_as_written(tmp_path, monkeypatch, capsys):
    """The README's skops snippet, wherever the README puts it."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
              if "skops" in b]
    assert len(blocks) == 1
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(blocks[0], namespace)
    assert capsys.readouterr().out.strip() == "['skreg.L2MLPRegressor']"
    X = namespace["X"]
    np.testing.assert_array_equal(
        namespace["loaded"].predict(X), namespace["model"].predict(X)
    )
