"""Fault matrix for bad input, bad parameters and divergence (SPEC section 4)."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted

from skreg import L2MLPClassifier, L2MLPRegressor, L2MLPRegressorCV

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FAST = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)


def _data(n=40, d=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    y = X @ np.arange(1, d + 1) + 0.1 * rng.normal(size=n)
    return X, y


def _reg(**kw):
    return L2MLPRegressor(**{**FAST, **kw})


def _clf(**kw):
    return L2MLPClassifier(**{**FAST, **kw})


X0, Y0 = _data()
YC = (Y0 > 0).astype(int)


def _with(X=None, y=None, **kw):
    return (X0 if X is None else X, Y0 if y is None else y, kw)


def _nan_X():
    X = X0.copy()
    X[3, 1] = np.nan
    return X


def _inf_X():
    X = X0.copy()
    X[0, 0] = np.inf
    return X


def _nan_y():
    y = Y0.copy()
    y[2] = np.nan
    return y


def _inf_y():
    y = Y0.copy()
    y[2] = -np.inf
    return y


# (id, estimator factory, X, y, fit kwargs, exception, match)
BAD = [
    ("X_nan", _reg, _nan_X(), Y0, {}, ValueError, "NaN"),
    ("X_inf", _reg, _inf_X(), Y0, {}, ValueError, "infinity"),
    ("X_nan_clf", _clf, _nan_X(), YC, {}, ValueError, "NaN"),
    ("X_inf_clf", _clf, _inf_X(), YC, {}, ValueError, "infinity"),
    ("X_empty", _reg, np.empty((0, 3)), np.empty(0), {}, ValueError, "0 sample"),
    ("X_0_features", _reg, np.empty((40, 0)), Y0, {}, ValueError, "0 feature"),
    ("X_3d", _reg, X0.reshape(40, 3, 1), Y0, {}, ValueError, "dim"),
    ("X_1d", _reg, X0[:, 0], Y0, {}, ValueError, "2D array"),
    (
        "X_strings",
        _reg,
        np.array([["a", "b", "c"]] * 40, dtype=object),
        Y0,
        {},
        ValueError,
        "could not convert|string",
    ),
    ("X_complex", _reg, X0 + 1j, Y0, {}, ValueError, "[Cc]omplex"),
    (
        "X_wrong_len",
        _reg,
        X0[:30],
        Y0,
        {},
        ValueError,
        "inconsistent numbers of samples",
    ),
    ("y_nan", _reg, X0, _nan_y(), {}, ValueError, "NaN"),
    ("y_inf", _reg, X0, _inf_y(), {}, ValueError, "infinity"),
    (
        "y_wrong_len",
        _reg,
        X0,
        Y0[:-1],
        {},
        ValueError,
        "inconsistent numbers of samples",
    ),
    (
        "y_strings_regressor",
        _reg,
        X0,
        np.array(["a", "b"] * 20, dtype=object),
        {},
        ValueError,
        "could not convert|string",
    ),
    (
        "y_strings_regressor_named",
        _reg,
        X0,
        np.array(["a", "b"] * 20),
        {},
        ValueError,
        r"y must be numeric, but y of dtype <U1 .*use L2MLPClassifier",
    ),
    (
        "y_object_strings_regressor_named",
        _reg,
        X0,
        np.array(["a", "b"] * 20, dtype=object),
        {},
        ValueError,
        r"y must be numeric, but y of dtype object .*could not convert string",
    ),
    # None converts to NaN, which validate_data does not see in object arrays.
    (
        "y_object_none_regressor",
        _reg,
        X0,
        np.array([None, *Y0[1:]], dtype=object),
        {},
        ValueError,
        "Input y contains NaN",
    ),
    (
        "y_object_none_poisson",
        lambda: _reg(loss="poisson"),
        X0,
        np.array([None, *np.abs(Y0[1:])], dtype=object),
        {},
        ValueError,
        "Input y contains NaN",
    ),
    ("y_one_class", _clf, X0, np.zeros(40, dtype=int), {}, ValueError, "class"),
    # scikit-learn's classifiers' message, not LabelBinarizer's dump of y.
    (
        "y_continuous_clf",
        _clf,
        X0,
        Y0,
        {},
        ValueError,
        r"Unknown label type: continuous\. Maybe you are trying to fit a classifier",
    ),
    ("y_nan_clf", _clf, X0, np.where(YC == 1, 1.0, np.nan), {}, ValueError, "NaN"),
    (
        "y_poisson_negative",
        lambda: _reg(loss="poisson"),
        X0,
        Y0,
        {},
        ValueError,
        "poisson",
    ),
    (
        "sw_negative",
        _reg,
        X0,
        Y0,
        {"sample_weight": -np.ones(40)},
        ValueError,
        "[Nn]egative",
    ),
    ("sw_nan", _reg, X0, Y0, {"sample_weight": np.full(40, np.nan)}, ValueError, "NaN"),
    (
        "sw_inf",
        _reg,
        X0,
        Y0,
        {"sample_weight": np.full(40, np.inf)},
        ValueError,
        "infinity",
    ),
    ("sw_all_zero", _reg, X0, Y0, {"sample_weight": np.zeros(40)}, ValueError, "zero"),
    (
        "sw_wrong_len",
        _reg,
        X0,
        Y0,
        {"sample_weight": np.ones(39)},
        ValueError,
        r"sample_weight\.shape|39",
    ),
    (
        "sw_zero_validation_part",
        lambda: _reg(early_stopping=True, random_state=0),
        X0,
        Y0,
        {"sample_weight": np.r_[np.ones(4), np.zeros(36)]},
        ValueError,
        "validation part sum to zero",
    ),
    (
        "early_stopping_too_few",
        lambda: _reg(early_stopping=True),
        X0[:2],
        Y0[:2],
        {},
        ValueError,
        "validation set is too small: early_stopping needs at least 2 validation.*"
        "validation_fraction",
    ),
    ("y_inf_clf", _clf, X0, np.where(YC == 1, np.inf, 0.0), {}, ValueError, "infinity"),
    (
        "y_multioutput_clf",
        _clf,
        X0,
        np.c_[YC, 2 * YC],
        {},
        ValueError,
        "[Mm]ultioutput",
    ),
    (
        "sw_2d",
        _reg,
        X0,
        Y0,
        {"sample_weight": np.ones((40, 2))},
        ValueError,
        "1D|shape",
    ),
]


@pytest.mark.parametrize(
    "make, X, y, kw, exc, match", [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_data_raises_before_training(make, X, y, kw, exc, match):
    est = make()
    with pytest.raises(exc, match=match):
        est.fit(X, y, **kw)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


# constructor parameters: (id, estimator class, params, exception, match)
P = [
    ("alpha_neg", L2MLPRegressor, {"alpha": -1}, ValueError, "alpha"),
    ("alpha_str", L2MLPRegressor, {"alpha": "big"}, (ValueError, TypeError), "alpha"),
    (
        "hls_zero",
        L2MLPRegressor,
        {"hidden_layer_sizes": (0,)},
        ValueError,
        "hidden_layer_sizes",
    ),
    (
        "hls_negative",
        L2MLPRegressor,
        {"hidden_layer_sizes": (4, -2)},
        ValueError,
        "hidden_layer_sizes",
    ),
    (
        "hls_str",
        L2MLPRegressor,
        {"hidden_layer_sizes": (3, "a")},
        (ValueError, TypeError),
        "hidden_layer_sizes",
    ),
    (
        "hls_float",
        L2MLPRegressor,
        {"hidden_layer_sizes": (3.5,)},
        (ValueError, TypeError),
        "hidden_layer_sizes",
    ),
    (
        "activation_foo",
        L2MLPRegressor,
        {"activation": "foo"},
        ValueError,
        "activation.*relu",
    ),
    (
        "activation_foo_clf",
        L2MLPClassifier,
        {"activation": "foo"},
        ValueError,
        "activation.*tanh",
    ),
    ("solver_x", L2MLPRegressor, {"solver": "x"}, ValueError, "solver.*lbfgs"),
    ("batch_size_0", L2MLPRegressor, {"batch_size": 0}, ValueError, "batch_size"),
    ("batch_size_str", L2MLPRegressor, {"batch_size": "big"}, ValueError, "batch_size"),
    (
        "lr_init_0",
        L2MLPRegressor,
        {"learning_rate_init": 0},
        ValueError,
        "learning_rate_init",
    ),
    (
        "lr_init_neg",
        L2MLPRegressor,
        {"learning_rate_init": -0.1},
        ValueError,
        "learning_rate_init",
    ),
    (
        "learning_rate_foo",
        L2MLPRegressor,
        {"learning_rate": "foo"},
        ValueError,
        "learning_rate.*constant",
    ),
    ("momentum_1.5", L2MLPRegressor, {"momentum": 1.5}, ValueError, "momentum"),
    ("momentum_neg", L2MLPRegressor, {"momentum": -0.5}, ValueError, "momentum"),
    ("max_iter_0", L2MLPRegressor, {"max_iter": 0}, ValueError, "max_iter"),
    (
        "max_iter_float",
        L2MLPRegressor,
        {"max_iter": 2.5},
        (ValueError, TypeError),
        "max_iter",
    ),
    (
        "validation_fraction_1",
        L2MLPRegressor,
        {"validation_fraction": 1.0, "early_stopping": True},
        ValueError,
        "validation_fraction",
    ),
    ("beta_1_1", L2MLPRegressor, {"beta_1": 1.0}, ValueError, "beta_1"),
    ("beta_2_neg", L2MLPRegressor, {"beta_2": -0.1}, ValueError, "beta_2"),
    ("epsilon_0", L2MLPRegressor, {"epsilon": 0}, ValueError, "epsilon"),
    (
        "n_iter_no_change_0",
        L2MLPRegressor,
        {"n_iter_no_change": 0},
        ValueError,
        "n_iter_no_change",
    ),
    ("tol_neg", L2MLPRegressor, {"tol": -1.0}, ValueError, "tol"),
    ("power_t_neg", L2MLPRegressor, {"power_t": -1.0}, ValueError, "power_t"),
    (
        "max_fun_0",
        L2MLPRegressor,
        {"max_fun": 0, "solver": "lbfgs"},
        ValueError,
        "max_fun",
    ),
    ("shuffle_str", L2MLPRegressor, {"shuffle": "yes"}, ValueError, "shuffle"),
    (
        "huber_delta_0",
        L2MLPRegressor,
        {"huber_delta": 0, "loss": "huber"},
        ValueError,
        "huber_delta",
    ),
    ("loss_foo", L2MLPRegressor, {"loss": "foo"}, ValueError, "loss.*squared_error"),
    (
        "huber_delta_str",
        L2MLPRegressor,
        {"huber_delta": "a", "loss": "huber"},
        (ValueError, TypeError),
        "huber_delta",
    ),
    ("verbose_neg", L2MLPRegressor, {"verbose": -1}, ValueError, "verbose"),
    ("alpha_nan", L2MLPRegressor, {"alpha": np.nan}, ValueError, "alpha"),
    ("alpha_inf", L2MLPRegressor, {"alpha": np.inf}, ValueError, "alpha"),
    (
        "lr_init_inf",
        L2MLPRegressor,
        {"learning_rate_init": np.inf},
        ValueError,
        "learning_rate_init",
    ),
    ("tol_nan", L2MLPRegressor, {"tol": np.nan}, ValueError, "tol"),
    (
        "random_state_str",
        L2MLPRegressor,
        {"random_state": "x"},
        ValueError,
        "random_state",
    ),
]


@pytest.mark.parametrize(
    "cls, params, exc, match", [p[1:] for p in P], ids=[p[0] for p in P]
)
def test_bad_parameter(cls, params, exc, match):
    est = cls(**{**FAST, **params})
    y = YC if cls is L2MLPClassifier else Y0
    with pytest.raises(exc, match=match):
        est.fit(X0, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_set_params_unknown_name_lists_valid(cls):
    with pytest.raises(ValueError, match="Invalid parameter.*alpha"):
        cls().set_params(alphaa=1)


# --- inputs that must work -----------------------------------------------------


def _finite_fit(est, X, y, **kw):
    est.fit(X, y, **kw)
    p = est.predict(X)
    assert np.all(np.isfinite(np.asarray(p, dtype=float)))
    return est


def test_one_sample_works():
    est = _finite_fit(_reg(batch_size=1), X0[:1], Y0[:1])
    assert est.predict(X0).shape == (40,)


def test_float16_trains_in_float64():
    est = _finite_fit(_reg(), X0.astype(np.float16), Y0)
    assert est.coefs_[0].dtype == np.float64


def test_float32_trains_in_float32():
    est = _finite_fit(_reg(), X0.astype(np.float32), Y0)
    assert est.coefs_[0].dtype == np.float32


def test_int_X_works():
    _finite_fit(_reg(), (X0 * 10).astype(int), Y0)


@pytest.mark.parametrize("scale", [1e300, 1e-300])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_extreme_magnitudes(scale, solver):
    est = _reg(solver=solver)
    try:
        est.fit(X0 * scale, Y0)
    except ValueError as e:
        assert "diverged" in str(e) or "scale" in str(e).lower()
        with pytest.raises(NotFittedError):
            check_is_fitted(est)
    else:
        assert np.all(np.isfinite(est.predict(X0 * scale)))


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_sparse_matches_dense(fmt, cls):
    Xs = sp.random(40, 6, density=0.4, format=fmt, random_state=0)
    y = YC if cls is L2MLPClassifier else Y0
    a = cls(**FAST).fit(Xs, y)
    b = cls(**FAST).fit(Xs.toarray(), y)
    np.testing.assert_allclose(a.predict(Xs), b.predict(Xs.toarray()), rtol=1e-6)


def test_y_column_vector_warns_and_works():
    with pytest.warns(DataConversionWarning):
        est = _reg().fit(X0, Y0.reshape(-1, 1))
    assert est.predict(X0).shape == (40,)


def test_y_column_vector_classifier_warns_and_works():
    with pytest.warns(DataConversionWarning):
        est = _clf().fit(X0, YC.reshape(-1, 1))
    assert set(est.predict(X0)) <= {0, 1}


def test_string_labels_classifier_work():
    y = np.where(YC == 1, "yes", "no")
    est = _clf().fit(X0, y)
    assert set(est.predict(X0)) <= {"yes", "no"}


def test_zero_weight_minibatch_works():
    sw = np.ones(40)
    sw[:10] = 0
    est = _finite_fit(_reg(batch_size=10, shuffle=False), X0, Y0, sample_weight=sw)
    assert np.all(np.isfinite(est.loss_curve_))


def test_some_zero_weights_work():
    sw = np.ones(40)
    sw[::3] = 0
    _finite_fit(_reg(), X0, Y0, sample_weight=sw)


# --- DataFrames -------------------------------------------------------------------


def test_dataframe_names_recorded_and_checked():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X0, columns=["a", "b", "c"])
    est = _finite_fit(_reg(), df, Y0)
    assert list(est.feature_names_in_) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="feature names"):
        est.predict(df.rename(columns={"a": "z"}))
    extra = df.assign(d=1.0)
    with pytest.raises(ValueError, match="feature"):
        est.predict(extra)


def test_dataframe_without_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X0)
    est = _finite_fit(_reg(), df, Y0)
    assert not hasattr(est, "feature_names_in_")


def test_wrong_feature_count_at_predict():
    est = _reg().fit(X0, Y0)
    with pytest.raises(ValueError, match="features"):
        est.predict(X0[:, :2])


def test_predict_nan_raises():
    est = _reg().fit(X0, Y0)
    with pytest.raises(ValueError, match="NaN"):
        est.predict(_nan_X())


# --- partial_fit ------------------------------------------------------------------


def test_partial_fit_unseen_class():
    est = _clf(solver="sgd")
    est.partial_fit(X0, YC, classes=[0, 1])
    before = [c.copy() for c in est.coefs_]
    with pytest.raises(ValueError, match="class"):
        est.partial_fit(X0, np.where(YC == 1, 2, 0))
    for a, b in zip(before, est.coefs_):
        np.testing.assert_array_equal(a, b)


def test_partial_fit_first_call_needs_classes():
    with pytest.raises(ValueError, match="classes"):
        _clf(solver="sgd").partial_fit(X0, YC)


@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_partial_fit_not_available_with_lbfgs(cls):
    assert not hasattr(cls(solver="lbfgs"), "partial_fit")
    assert hasattr(cls(solver="sgd"), "partial_fit")


# --- divergence -------------------------------------------------------------------


def _unscaled():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(200, 4)) * 1e3
    return X, X @ np.array([1.0, -2.0, 3.0, 4.0]) * 1e3


def _diverging():
    return L2MLPRegressor(
        hidden_layer_sizes=(10,),
        solver="sgd",
        learning_rate_init=1e6,
        max_iter=50,
        random_state=0,
    )


def test_divergence_raises_clear_error():
    X, y = _unscaled()
    est = _diverging()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="diverged") as info:
            est.fit(X, y)
    assert "learning_rate_init" in str(info.value)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


def test_divergence_keeps_previous_fit():
    X, y = _unscaled()
    est = L2MLPRegressor(
        hidden_layer_sizes=(10,), solver="sgd", max_iter=5, random_state=0
    ).fit(X0, Y0)
    coefs = [c.copy() for c in est.coefs_]
    pred = est.predict(X0)
    state = set(vars(est))
    est.set_params(learning_rate_init=1e6, max_iter=50)
    with pytest.raises(ValueError, match="diverged"):
        est.fit(X, y)
    assert set(vars(est)) == state
    for a, b in zip(coefs, est.coefs_):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(pred, est.predict(X0))


def test_bad_data_refit_keeps_previous_fit():
    est = _reg().fit(X0, Y0)
    pred = est.predict(X0)
    with pytest.raises(ValueError):
        est.fit(_nan_X(), Y0)
    np.testing.assert_array_equal(pred, est.predict(X0))


# --- more data faults: each raises before training and names the problem ----------


def _df(**columns):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(columns)


def _more_bad_cases():
    """(id, estimator factory, X thunk, y, fit kwargs, exception, match)."""
    mixed = np.array([1, "a"] * 20, dtype=object)
    with_none = np.array([None, "a"] * 20, dtype=object)
    X_sparse_nan = sp.csr_matrix(np.where(X0 > 1, np.nan, X0))
    return [
        ("y_mixed_label_kinds", _clf, lambda: X0, mixed, {}, ValueError, "one kind"),
        ("y_none_labels", _clf, lambda: X0, with_none, {}, ValueError, "NoneType"),
        ("y_continuous_clf", _clf, lambda: X0, Y0, {}, ValueError, "Unknown label"),
        ("y_3d", _reg, lambda: X0, Y0.reshape(40, 1, 1), {}, ValueError, "dim 3"),
        ("y_0_outputs", _reg, lambda: X0, np.empty((40, 0)), {}, ValueError, "0 "),
        ("y_complex", _reg, lambda: X0, Y0 + 1j, {}, ValueError, "[Cc]omplex"),
        (
            "y_poisson_neg_2d",
            lambda: _reg(loss="poisson"),
            lambda: X0,
            np.c_[np.abs(Y0), -np.abs(Y0)],
            {},
            ValueError,
            r"y >= 0",
        ),
        ("X_sparse_nan", _reg, lambda: X_sparse_nan, Y0, {}, ValueError, "NaN"),
        (
            "X_sparse_empty",
            _reg,
            lambda: sp.csr_matrix((0, 3)),
            np.empty(0),
            {},
            ValueError,
            "0 sample",
        ),
        (
            "X_sparse_0_features",
            _reg,
            lambda: sp.csr_matrix((40, 0)),
            Y0,
            {},
            ValueError,
            "0 feature",
        ),
        (
            "X_float16_inf",
            _reg,
            lambda: np.where(X0 > 2, np.inf, X0).astype(np.float16),
            Y0,
            {},
            ValueError,
            "infinity",
        ),
        (
            "X_df_mixed_name_types",
            _reg,
            lambda: _df(a=X0[:, 0], **{"b": X0[:, 1]}).rename(columns={"b": 1}),
            Y0,
            {},
            TypeError,
            "string names",
        ),
        (
            "X_df_string_column",
            _reg,
            lambda: _df(a=["x", "y"] * 20, b=X0[:, 0]),
            Y0,
            {},
            ValueError,
            "could not convert",
        ),
        (
            "X_df_pd_NA",
            _reg,
            lambda: _df(a=__import__("pandas").array([1, None] * 20, dtype="Int64")),
            Y0,
            {},
            ValueError,
            "NaN",
        ),
        (
            "sw_strings",
            _reg,
            lambda: X0,
            Y0,
            {"sample_weight": np.array(["a"] * 40)},
            ValueError,
            "could not convert",
        ),
        (
            "sw_nan_one",
            _reg,
            lambda: X0,
            Y0,
            {"sample_weight": np.r_[np.nan, np.ones(39)]},
            ValueError,
            "NaN",
        ),
        (
            "sw_zero_clf",
            _clf,
            lambda: X0,
            YC,
            {"sample_weight": np.zeros(40)},
            ValueError,
            "non-zero",
        ),
        (
            "sw_negative_one",
            _clf,
            lambda: X0,
            YC,
            {"sample_weight": np.r_[-1e-9, np.ones(39)]},
            ValueError,
            "[Nn]egative",
        ),
        (
            "early_stopping_3_classes_1_member",
            lambda: _clf(early_stopping=True),
            lambda: X0[:10],
            [0] * 8 + [1, 2],
            {},
            ValueError,
            r"least populated classes.*only 1 member.*\[1, 2\].*early_stopping=False",
        ),
        (
            "validation_fraction_leaves_no_training",
            lambda: _reg(early_stopping=True, validation_fraction=0.99),
            lambda: X0,
            Y0,
            {},
            ValueError,
            "0 for training",
        ),
    ]


MORE_BAD = _more_bad_cases()


@pytest.mark.parametrize(
    "make, X, y, kw, exc, match",
    [b[1:] for b in MORE_BAD],
    ids=[b[0] for b in MORE_BAD],
)
def test_more_bad_data_raises_before_training(make, X, y, kw, exc, match):
    est = make()
    with pytest.raises(exc, match=match):
        est.fit(X(), y, **kw)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


# --- every constructor parameter: a wrong type and a value out of range ------------

# parameter -> list of (bad value, extra params needed for it to matter)
EVERY_PARAM = {
    "hidden_layer_sizes": ["abc", 2.5, (0,), (3, None), -1],
    "activation": [1, "RELU", None],
    "alpha": ["1", -1e-9, None, np.nan],
    "loss": [1, "mse"],
    "huber_delta": ["1", 0.0, -1.0, np.inf],
    "quantile": ["0.5", 0.0, 1.0, -0.1, 1.5, np.nan],
    "solver": [None, "newton"],
    "batch_size": [1.5, 0, "all", -3],
    "learning_rate": [1, "optimal"],
    "learning_rate_init": ["fast", 0.0, -1.0, np.inf, None],
    "power_t": ["x", -0.5, np.inf],
    "max_iter": [2.5, 0, None],
    "shuffle": ["yes", 1, None],
    "random_state": ["seed", -1, 2**40, 1.5],
    "tol": ["x", -1e-4, np.inf],
    "verbose": ["x", -1, 1.5],
    "warm_start": ["no", 0],
    "momentum": ["x", 1.0, -0.1, np.nan],
    "nesterovs_momentum": [1, "yes"],
    "early_stopping": ["no", 1],
    "validation_fraction": ["x", 0.0, 1.0, -0.5],
    "beta_1": ["x", 1.0, -0.1],
    "beta_2": ["x", 1.0, -0.1],
    "epsilon": ["x", 0.0, -1e-8, np.inf],
    "n_iter_no_change": [2.5, 0, -np.inf, np.nan],
    "max_fun": [2.5, 0, "many"],
}
_NEEDS = {
    "validation_fraction": {"early_stopping": True},
    "max_fun": {"solver": "lbfgs"},
    "huber_delta": {"loss": "huber"},
    "quantile": {"loss": "quantile"},
}
PARAM_CASES = [
    pytest.param(cls, name, value, id=f"{cls.__name__[5:8]}-{name}={value!r}")
    for cls in (L2MLPRegressor, L2MLPClassifier)
    for name, values in EVERY_PARAM.items()
    if name in cls().get_params()
    for value in values
    if not (cls is L2MLPClassifier and name == "loss" and value == "log_loss")
]


def test_every_parameter_has_fault_cases():
    for cls in (L2MLPRegressor, L2MLPClassifier):
        missing = set(cls().get_params()) - set(EVERY_PARAM)
        assert not missing, f"no fault cases for {sorted(missing)}"


@pytest.mark.parametrize("cls, name, value", PARAM_CASES)
def test_every_parameter_rejects_bad_values_at_fit(cls, name, value):
    params = {**FAST, **_NEEDS.get(name, {}), name: value}
    est = cls(**params)
    y = YC if cls is L2MLPClassifier else Y0
    # The message names the parameter and, for sklearn's validation, what is allowed.
    with pytest.raises((ValueError, TypeError), match=name) as info:
        est.fit(X0, y)
    assert repr(value)[:3] in str(info.value) or "must" in str(info.value)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


@pytest.mark.parametrize("cls", [L2MLPRegressor, L2MLPClassifier])
def test_set_params_unknown_name_lists_every_valid_one(cls):
    with pytest.raises(ValueError, match="Invalid parameter 'learnig_rate'") as info:
        cls().set_params(learnig_rate="constant")
    for name in cls().get_params():
        assert repr(name) in str(info.value)


def test_constructor_stores_bad_values_unchanged():
    """Validation happens at fit, never in __init__ or set_params (sklearn API)."""
    est = L2MLPRegressor(alpha=-1, hidden_layer_sizes="abc")
    assert est.alpha == -1 and est.hidden_layer_sizes == "abc"
    est.set_params(momentum=7)
    assert est.momentum == 7


# --- inputs that must work (correct behaviour, not an error) -------------------


@pytest.mark.parametrize(
    "X",
    [
        pytest.param(lambda: X0 > 0, id="bool"),
        pytest.param(lambda: X0.tolist(), id="list"),
        pytest.param(lambda: X0.astype(np.longdouble), id="longdouble"),
        pytest.param(lambda: sp.csr_matrix((40, 3)), id="sparse_all_zero"),
        pytest.param(lambda: sp.lil_matrix(X0), id="sparse_lil"),
        pytest.param(lambda: sp.csr_array(X0), id="sparse_csr_array"),
        pytest.param(lambda: X0 * 1e-300, id="tiny"),
        pytest.param(lambda: np.ones((40, 3)), id="constant"),
        pytest.param(
            lambda: _df(a=X0[:, 0], b=X0[:, 1]).set_axis([0, 1], axis=1),
            id="df_int_names",
        ),
    ],
)
def test_unusual_X_works(X):
    _finite_fit(_reg(), X(), Y0)


@pytest.mark.parametrize(
    "y",
    [
        pytest.param(np.ones(40), id="constant"),
        pytest.param(Y0 * 1e-300, id="tiny"),
        pytest.param(np.c_[Y0, -Y0, 2 * Y0], id="three_outputs"),
    ],
)
def test_unusual_y_works(y):
    _finite_fit(_reg(), X0, y)


@pytest.mark.parametrize(
    "as_text",
    [lambda y: y.astype(str), lambda y: y.astype(str).astype(object)],
    ids=["unicode", "object"],
)
def test_regressor_targets_given_as_text_train_as_numbers(as_text):
    """Numbers as strings convert, as scikit-learn's regressors convert them
    (a unicode array was a raw numpy UFuncTypeError)."""
    a, b = _reg().fit(X0, Y0), _reg().fit(X0, as_text(Y0))
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(u, v)


def test_objective_refuses_none_in_object_targets():
    """objective() validates y as fit does: None is a missing value, not J = NaN."""
    est = _reg().fit(X0, Y0)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        est.objective(X0, np.array([None, *Y0[1:]], dtype=object))


def test_regressor_cv_names_non_numeric_targets():
    est = L2MLPRegressorCV(hidden_layer_sizes=(3,), alphas=2, cv=2, max_iter=2)
    with pytest.raises(ValueError, match=r"y must be numeric.*use L2MLPClassifierCV"):
        est.fit(X0, np.array(["a", "b"] * 20))
    est.fit(X0, Y0.astype(str))  # numbers as text: as fit converts them
    assert np.all(np.isfinite(est.predict(X0)))


def test_poisson_all_zero_targets_predict_zero():
    est = _finite_fit(_reg(loss="poisson", max_iter=20), X0, np.zeros(40))
    assert np.all(est.predict(X0) >= 0) and np.all(est.predict(X0) < 1e-3)


@pytest.mark.parametrize(
    "y",
    [
        pytest.param(YC.astype(bool), id="bool"),
        pytest.param(np.arange(40), id="40_classes"),
        pytest.param(np.c_[YC, np.zeros(40, int)], id="multilabel_constant_label"),
        pytest.param(np.array(["a", "b"] * 20, dtype=object), id="object_strings"),
    ],
)
def test_unusual_labels_work(y):
    est = _clf().fit(X0, y)
    proba = est.predict_proba(X0)
    assert np.all(np.isfinite(proba))
    assert est.predict(X0).shape == np.shape(y)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("scale", [2.0**-1020, 1e-300, 1e300])
def test_extreme_sample_weight_scale_changes_nothing(scale, solver):
    """J is invariant to scaling the weights: also where their sum over/underflows."""
    sw = np.random.RandomState(0).uniform(0.5, 2, size=40)
    ref = _reg(solver=solver).fit(X0, Y0, sample_weight=sw)
    est = _reg(solver=solver).fit(X0, Y0, sample_weight=sw * scale)
    for a, b in zip(ref.coefs_, est.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12)


def test_smallest_subnormal_weights_equal_no_weights():
    ref = _reg().fit(X0, Y0)
    est = _reg().fit(X0, Y0, sample_weight=np.full(40, 5e-324))
    for a, b in zip(ref.coefs_, est.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_extreme_sample_weights_in_float32():
    """Weights of 1e300 do not overflow when X (and so the weights) are float32."""
    X = X0.astype(np.float32)
    est = _finite_fit(_reg(), X, Y0, sample_weight=np.full(40, 1e300))
    ref = _reg().fit(X, Y0)
    np.testing.assert_allclose(est.predict(X), ref.predict(X), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_zero_weight_on_whole_minibatches(solver):
    sw = np.ones(40)
    sw[10:30] = 0  # two whole minibatches of 10
    est = _finite_fit(
        _reg(solver=solver, batch_size=10, shuffle=False, max_iter=3),
        X0,
        Y0,
        sample_weight=sw,
    )
    assert np.all(np.isfinite(est.loss_curve_))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_predict_input_checks_as_validate_data(dtype):
    """predict's shortcut for plain float arrays keeps validate_data's outcome:
    the same X, the same errors, scikit-learn's assume_finite."""
    from sklearn import config_context
    from sklearn.utils.validation import validate_data

    from skreg._validation import predict_input

    X, y = _data()
    est = _reg().fit(X.astype(dtype), y)
    for candidate in (X.astype(dtype), np.asfortranarray(X.astype(dtype)), X[:, ::1]):
        checked = predict_input(est, candidate)
        expected = validate_data(
            est, candidate, reset=False, accept_sparse="csr",
            dtype=(np.float64, np.float32),
        )
        assert checked.dtype == expected.dtype
        np.testing.assert_array_equal(checked, expected)
    for bad in (np.nan, np.inf):
        X_bad = X.astype(dtype)
        X_bad[3, 1] = bad
        with pytest.raises(ValueError) as by_validate_data:
            validate_data(est, X_bad, reset=False, dtype=(np.float64, np.float32))
        with pytest.raises(ValueError) as by_predict:
            est.predict(X_bad)
        assert str(by_predict.value) == str(by_validate_data.value)
        with config_context(assume_finite=True):
            predict_input(est, X_bad)  # not checked, as validate_data would not
    with pytest.raises(ValueError, match="X has 2 features, but L2MLPRegressor is "
                       "expecting 3 features"):
        est.predict(X[:, :2].astype(dtype))
    with pytest.raises(ValueError, match="0 sample"):
        est.predict(X[:0].astype(dtype))


def test_predict_input_keeps_the_feature_name_checks():
    pd = pytest.importorskip("pandas")
    X, y = _data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    est = _reg().fit(frame, y)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X)
    with pytest.raises(ValueError, match="feature names"):
        est.predict(frame[["c", "b", "a"]])
