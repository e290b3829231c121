"""ONNX export: onnxruntime reproduces predict and predict_proba.

Every configuration is fitted on float32 data (float32 weights) and run by
onnxruntime on float32 input. Tolerances: labels must be equal; probabilities
within 1e-5 absolute; regression outputs within ``1e-5 * (1 + |y|)`` (rtol and
atol 1e-5, on targets of unit scale), so that the exp output of the Poisson loss
is compared relatively. Observed differences are about 1e-7 (a few float32 ulps).
"""

import numpy as np
import onnxruntime as ort
import pytest
from skl2onnx import to_onnx
from sklearn.datasets import make_classification, make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skreg.onnx
from skreg import L2MLPClassifier, L2MLPClassifierCV, L2MLPRegressor, L2MLPRegressorCV
from skreg._activations import ACTIVATIONS
from skreg._losses import REGRESSION_LOSSES

#: Canonical activation names (aliases point at the same record).
ACTIVATION_NAMES = sorted(n for n, record in ACTIVATIONS.items() if record.name == n)
HIDDEN = [(6,), (5, 4)]
#: Short fits: the weights move away from their start, the stop is not a warning.
FIT = {"max_iter": 30, "tol": 0.5, "random_state": 0}
RTOL = ATOL = 1e-5
#: None: skl2onnx's latest opset; test_oldest_opset covers the oldest claimed.
TARGET_OPSET = None
LABELS = ["binary", "multiclass", "strings", "multilabel"]


def _session(model, X, **options):
    options.setdefault("target_opset", TARGET_OPSET)
    onx = to_onnx(model, X[:1], **options)
    return ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def _run(model, X, **options):
    session = _session(model, X, **options)
    outputs = session.run(None, {session.get_inputs()[0].name: X})
    return dict(zip([o.name for o in session.get_outputs()], outputs))


def _regression_data(seed, loss, n_outputs=1):
    X, y = make_regression(
        n_samples=60, n_features=4, n_targets=n_outputs, noise=0.5, random_state=seed
    )
    y = y / y.std()
    if loss == "poisson":
        y = np.random.default_rng(seed).poisson(np.exp(y / 2)).astype(float)
    return X.astype(np.float32), y


def _classification_data(seed, labels):
    X, y = make_classification(
        n_samples=90, n_features=5, n_informative=3, n_redundant=0,
        n_classes=2 if labels == "binary" else 3, random_state=seed,
    )
    if labels == "strings":
        y = np.array(["bird", "cat", "dog"])[y]
    elif labels == "multilabel":
        y = np.column_stack([y == 0, y == 1, X[:, 0] > 0]).astype(int)
    return X.astype(np.float32), y


def _check_regressor(model, X):
    expected = model.predict(X)
    got = _run(model, X)["variable"]
    assert got.dtype == X.dtype
    assert got.shape == (X.shape[0], model.n_outputs_)
    np.testing.assert_allclose(got.reshape(expected.shape), expected, RTOL, ATOL)


def _check_classifier(model, X):
    got = _run(model, X, options={"zipmap": False})
    np.testing.assert_array_equal(got["label"], model.predict(X))
    proba = model.predict_proba(X)
    assert got["probabilities"].shape == proba.shape
    np.testing.assert_allclose(got["probabilities"], proba, rtol=0, atol=ATOL)


def test_every_activation_has_an_onnx_form():
    assert sorted(skreg.onnx.HIDDEN_ACTIVATIONS) == ACTIVATION_NAMES


@pytest.mark.parametrize("hidden", HIDDEN, ids=str)
@pytest.mark.parametrize("loss", sorted(REGRESSION_LOSSES))
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_regressor(activation, loss, hidden, seed):
    X, y = _regression_data(seed, loss)
    model = L2MLPRegressor(hidden, activation=activation, loss=loss, **FIT)
    _check_regressor(model.fit(X, y), X)


@pytest.mark.parametrize("loss", sorted(REGRESSION_LOSSES))
def test_linear_regressor(loss, seed):
    X, y = _regression_data(seed, loss)
    _check_regressor(L2MLPRegressor((), loss=loss, **FIT).fit(X, y), X)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_multi_output_regressor(loss, seed):
    X, y = _regression_data(seed, loss, n_outputs=3)
    _check_regressor(L2MLPRegressor((5,), loss=loss, **FIT).fit(X, y), X)


@pytest.mark.parametrize("hidden", HIDDEN, ids=str)
@pytest.mark.parametrize("labels", LABELS)
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_classifier(activation, labels, hidden, seed):
    X, y = _classification_data(seed, labels)
    model = L2MLPClassifier(hidden, activation=activation, **FIT)
    _check_classifier(model.fit(X, y), X)


@pytest.mark.parametrize("labels", LABELS)
def test_linear_classifier(labels, seed):
    X, y = _classification_data(seed, labels)
    _check_classifier(L2MLPClassifier((), **FIT).fit(X, y), X)


def test_binary_string_labels(seed):
    X, y = _classification_data(seed, "binary")
    model = L2MLPClassifier((5,), **FIT).fit(X, np.array(["no", "yes"])[y])
    _check_classifier(model, X)


@pytest.mark.parametrize("activation", ["prelu", "gelu"])
def test_regressor_cv(activation, seed):
    X, y = _regression_data(seed, "squared_error")
    model = L2MLPRegressorCV((5,), activation=activation, alphas=3, cv=2, **FIT)
    _check_regressor(model.fit(X, y), X)


@pytest.mark.parametrize("labels", ["binary", "strings"])
def test_classifier_cv(labels, seed):
    X, y = _classification_data(seed, labels)
    model = L2MLPClassifierCV((5,), activation="silu", alphas=3, cv=2, **FIT)
    _check_classifier(model.fit(X, y), X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_activations_over_a_wide_range(activation, dtype):
    """One unit with unit weights: the graph's activation at z from -1e4 to 1e4
    (overflow of exp, erf's tails, kinks at 0) equals skreg's."""
    z = np.concatenate([np.linspace(-100, 100, 2001), [-1e4, -1e-8, 1e-8, 1e4]])
    z = z.astype(dtype)[:, None]
    model = L2MLPRegressor((1,), activation=activation, **FIT).fit(z, z[:, 0])
    model.coefs_ = [np.ones((1, 1), dtype), np.ones((1, 1), dtype)]
    model.intercepts_ = [np.zeros(1, dtype), np.zeros(1, dtype)]
    _check_regressor(model, z)


def test_a_wrong_activation_is_caught(monkeypatch, seed):
    """Negative control: GELU's tanh approximation in the graph fails the check."""
    def tanh_gelu(graph, z, slopes):
        inner = graph.node("Mul", [z, graph.constant(np.sqrt(2 / np.pi))])
        cube = graph.node("Mul", [graph.node("Mul", [z, z]), z])
        cube = graph.node("Mul", [cube, graph.constant(0.044715 * np.sqrt(2 / np.pi))])
        tanh = graph.node("Tanh", [graph.node("Add", [inner, cube])])
        half = graph.node("Mul", [z, graph.constant(0.5)])
        return graph.node("Mul", [half, graph.node("Add", [tanh, graph.constant(1.0)])])

    monkeypatch.setitem(skreg.onnx.HIDDEN_ACTIVATIONS, "gelu", tanh_gelu)
    z = np.linspace(-6, 6, 101, dtype=np.float32)[:, None]
    model = L2MLPRegressor((1,), activation="gelu", **FIT).fit(z, z[:, 0])
    model.coefs_ = [np.ones((1, 1), np.float32), np.ones((1, 1), np.float32)]
    model.intercepts_ = [np.zeros(1, np.float32), np.zeros(1, np.float32)]
    with pytest.raises(AssertionError):
        _check_regressor(model, z)


def test_aliases_export_as_their_activation(seed):
    X, y = _regression_data(seed, "squared_error")
    for alias in ("sigmoid", "swish"):
        _check_regressor(L2MLPRegressor((4,), activation=alias, **FIT).fit(X, y), X)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_float64_input_computes_in_float64(activation, seed):
    X, y = _classification_data(seed, "multiclass")
    X64 = X.astype(np.float64)
    model = L2MLPClassifier((5,), activation=activation, **FIT).fit(X64, y)
    got = _run(model, X64, options={"zipmap": False})
    assert got["probabilities"].dtype == np.float64
    np.testing.assert_array_equal(got["label"], model.predict(X64))
    # GELU's erf runs in float32 (onnxruntime has no float64 Erf).
    atol = 1e-6 if activation == "gelu" else 1e-12
    np.testing.assert_allclose(got["probabilities"], model.predict_proba(X64),
                               rtol=0, atol=atol)


def test_float64_fit_exported_for_float32_input(seed):
    """float64 weights rounded to float32 in the graph stay within tolerance."""
    X, y = _regression_data(seed, "poisson")
    model = L2MLPRegressor((5, 4), activation="elu", loss="poisson", **FIT)
    _check_regressor(model.fit(X.astype(np.float64), y), X)


def test_default_zipmap_and_nocl_options(seed):
    X, y = _classification_data(seed, "strings")
    model = L2MLPClassifier((5,), **FIT).fit(X, y)
    zipped = _run(model, X)
    np.testing.assert_array_equal(zipped["output_label"], model.predict(X))
    proba = model.predict_proba(X)
    for row, expected in zip(zipped["output_probability"], proba):
        assert list(row) == list(model.classes_)
        np.testing.assert_allclose(list(row.values()), expected, rtol=0, atol=ATOL)
    indices = _run(model, X, options={"zipmap": False, "nocl": True})["label"]
    np.testing.assert_array_equal(model.classes_[indices], model.predict(X))


@pytest.mark.parametrize("labels", ["multiclass", "strings"])
def test_oldest_opset(labels, monkeypatch, seed):
    """The module docstring claims opset 13: the graph's operators are there."""
    monkeypatch.setitem(globals(), "TARGET_OPSET", 13)
    X, y = _classification_data(seed, labels)
    _check_classifier(L2MLPClassifier((5,), activation="gelu", **FIT).fit(X, y), X)
    Xr, yr = _regression_data(seed, "poisson")
    model = L2MLPRegressor((5, 3), activation="prelu", loss="poisson", **FIT)
    _check_regressor(model.fit(Xr, yr), Xr)
    onx = to_onnx(model, Xr[:1], target_opset=13)
    assert {op.domain: op.version for op in onx.opset_import}[""] == 13


def test_inside_a_pipeline(seed):
    X, y = _classification_data(seed, "multiclass")
    pipeline = make_pipeline(StandardScaler(), L2MLPClassifier((5,), **FIT))
    _check_classifier(pipeline.fit(X * 10 + 3, y), X * 10 + 3)


@pytest.mark.parametrize("kind", [float, bool])
def test_float_and_bool_labels_export_as_int64(kind, seed):
    X, y = _classification_data(seed, "binary")
    model = L2MLPClassifier((3,), **FIT).fit(X, y.astype(kind))
    got = _run(model, X, options={"zipmap": False})
    assert got["label"].dtype == np.int64
    np.testing.assert_array_equal(got["label"], model.predict(X).astype(np.int64))


def test_readme_snippet_runs_as_written(capsys):
    """The README's ONNX snippet, wherever the README puts it."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
              if "skreg.onnx" in b]
    assert len(blocks) == 1
    namespace = {}
    exec(blocks[0], namespace)
    assert capsys.readouterr().out.strip() == "True"
    model, X = namespace["model"], namespace["X"]
    np.testing.assert_allclose(
        namespace["probabilities"], model.predict_proba(X), rtol=0, atol=ATOL
    )
