"""Faults during training: divergence, rollback, partial_fit misuse, Ctrl-C in process.

SPEC section 4: a failed fit leaves the estimator exactly as it was (fitted or
not), divergence raises a ValueError saying what diverged and what to change,
data that cannot be represented is reported as a data error before training,
and a Ctrl-C stops training with the last good weights and a warning.
"""

import copy
import pickle
import signal
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted

from skreg import L2MLPClassifier, L2MLPRegressor
from skreg._faults import DivergenceError
from skreg._objective import Objective

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=200, d=4, seed=1):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    return X, X @ np.arange(1.0, d + 1)


X, Y = _data()
YC = (Y > 0).astype(int)


def _state(est):
    """Everything observable about an estimator, deep-copied."""
    return copy.deepcopy(vars(est))


def _assert_same_state(before, est):
    after = vars(est)
    assert set(before) == set(after)
    assert pickle.dumps(before) == pickle.dumps(copy.deepcopy(after))


# --- divergence -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls, solver, lr",
    [
        (L2MLPRegressor, "sgd", 1e6),
        (L2MLPRegressor, "sgd", 1e100),
        (L2MLPRegressor, "adam", 1e100),
        # The log-loss grows only linearly in the margin: it needs larger steps.
        (L2MLPClassifier, "sgd", 1e100),
        (L2MLPClassifier, "adam", 1e300),
    ],
)
def test_divergence_unfitted_stays_unfitted(cls, solver, lr):
    y = YC if cls is L2MLPClassifier else Y * 1e3
    est = cls((10,), solver=solver, learning_rate_init=lr, max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow noise either
        with pytest.raises(ValueError, match="diverged") as info:
            est.fit(X * 1e3, y)
    assert isinstance(info.value, DivergenceError)
    assert "learning_rate_init" in str(info.value)
    assert "non-finite" in str(info.value)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    assert set(vars(est)) == set(est.get_params())


@pytest.mark.parametrize(
    "solver, how",
    [
        ("sgd", "fit"),
        ("sgd", "warm_start"),
        ("sgd", "partial_fit"),
        ("adam", "fit"),
        ("adam", "warm_start"),
        # (adam's steps are bounded by its learning rate, which partial_fit keeps
        # from the first call: it cannot be made to diverge here.)
    ],
)
def test_divergence_keeps_the_previous_fit(solver, how):
    est = L2MLPRegressor((10,), solver=solver, max_iter=5, random_state=0).fit(X, Y)
    pred = est.predict(X)
    before = _state(est)
    est.set_params(
        learning_rate_init=1e100, max_iter=20, warm_start=how == "warm_start"
    )
    with pytest.raises(ValueError, match="diverged"):
        if how == "partial_fit":
            # Continuing keeps the fitted optimizer; make the data blow it up.
            est.partial_fit(X * 1e120, Y * 1e120)
        else:
            est.fit(X * 1e3, Y * 1e3)
    est.set_params(learning_rate_init="auto", max_iter=5, warm_start=False)
    _assert_same_state(before, est)
    np.testing.assert_array_equal(pred, est.predict(X))


def test_last_step_divergence_is_caught_not_a_silent_nan():
    """The final step of a call can overflow with finite weights: J is checked there.

    Without that check this partial_fit returned finite weights at which J and the
    predictions are NaN.
    """
    est = L2MLPRegressor((8,), learning_rate_init=0.01, random_state=0)
    est.partial_fit(X[:100], Y[:100])
    with pytest.raises(DivergenceError, match="loss became non-finite"):
        est.partial_fit(X[100:] * 1e120, Y[100:] * 1e120)
    assert np.all(np.isfinite(est.predict(X)))


def test_failed_partial_fit_does_not_advance_the_random_stream():
    """A rolled-back call leaves no trace, not even in the shuffling generator."""
    make = lambda: L2MLPRegressor((8,), learning_rate_init=0.01, random_state=0)  # noqa: E731
    a, b = make(), make()
    for est in (a, b):
        est.partial_fit(X[:100], Y[:100])
    with pytest.raises(ValueError):
        a.partial_fit(X[100:] * 1e120, Y[100:] * 1e120)
    for est in (a, b):
        est.partial_fit(X[100:], Y[100:])
    for u, v in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_unrepresentable_data_is_a_data_error_not_a_divergence(solver, dtype):
    """J overflows at the starting weights: reported before training, with sizes."""
    scale = 1e200 if dtype == np.float64 else 1e30
    est = L2MLPRegressor((5,), solver=solver, max_iter=5, random_state=0)
    with pytest.raises(ValueError) as info:
        est.fit(X.astype(dtype), Y * scale)
    assert not isinstance(info.value, DivergenceError)
    message = str(info.value)
    assert "diverged" not in message and "Scale" in message
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


@pytest.mark.parametrize(
    "solver, dtype, scale_X, scale_y, named",
    [
        # J (1e304) is finite, but L-BFGS-B's squared norms of its gradient are
        # not: scipy proposed a NaN iterate, reported as a divergence.
        ("lbfgs", np.float64, 1.0, 1e150, r"max \|y\| = [0-9.]+e\+15[0-9]"),
        ("lbfgs", np.float64, 1.0, 1e100, r"max \|y\| = [0-9.]+e\+10[0-9]"),
        # J is finite at tanh's starting weights, its gradient overflows
        # float32. (sgd's automatic step takes such X: see the next test. relu
        # units start on the scale of X, where adam's fixed step diverges: see
        # the test after it.)
        ("adam", np.float32, 1e37, 1.0, r"max \|X\| = [0-9.]+e\+3[78]"),
    ],
)
def test_data_too_large_for_the_solvers_arithmetic_is_a_data_error(
    solver, dtype, scale_X, scale_y, named
):
    """Finite J at the start, but the solver's arithmetic overflows on the data's
    size: a data error naming max |X| and max |y|, as sgd's step size error does."""
    est = L2MLPRegressor(
        (5,), solver=solver, activation="tanh", max_iter=5, random_state=0
    )
    with pytest.raises(ValueError, match=named) as info:
        est.fit((X * scale_X).astype(dtype), Y * scale_y)
    assert not isinstance(info.value, DivergenceError)
    assert "too large" in str(info.value) and "Scale X and y" in str(info.value)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


def test_sgds_automatic_step_takes_float32_features_near_their_range():
    # The products give the step -lr * g, lr already in: the gradient itself
    # (features of 1e37 times the residuals) overflows float32, the step does
    # not, and the preconditioner makes the path that of the unscaled data.
    params = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        near = L2MLPRegressor(**params).fit((X * 1e37).astype(np.float32), Y)
        plain = L2MLPRegressor(**params).fit(X.astype(np.float32), Y)
    # Both say that 5 epochs did not reach a stationary J; nothing else.
    assert [w.category for w in warned] == [ConvergenceWarning] * 2
    scores = [near.score((X * 1e37).astype(np.float32), Y), plain.score(X, Y)]
    assert scores[0] == pytest.approx(scores[1], abs=1e-3)


def test_adams_fixed_step_on_float32_features_near_their_range_diverges():
    # Its first step, 1e-3 on every weight, is huge for weights on the scale of
    # 1 / |X|: a divergence, with the advice to scale the data.
    est = L2MLPRegressor((5,), solver="adam", max_iter=5, random_state=0)
    with pytest.raises(DivergenceError, match="Scale the data"):
        est.fit((X * 1e37).astype(np.float32), Y)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


def test_lbfgs_divergence_message_does_not_mention_the_learning_rate():
    est = L2MLPRegressor((5,), solver="lbfgs", alpha=1e300, max_iter=20, random_state=0)
    with pytest.raises(ValueError) as info:
        est.fit(X, Y)
    assert "learning_rate_init" not in str(info.value)
    assert "alpha" in str(info.value)
    # The penalty, not the data, is what L-BFGS-B's arithmetic overflowed on.
    assert "alpha is too large" in str(info.value)


def test_bad_refit_keeps_a_classifier_fitted():
    est = L2MLPClassifier((5,), max_iter=5, random_state=0).fit(X, YC)
    proba = est.predict_proba(X)
    before = _state(est)
    with pytest.raises(ValueError, match="class"):
        est.fit(X, np.zeros(len(X), dtype=int))
    _assert_same_state(before, est)
    np.testing.assert_array_equal(proba, est.predict_proba(X))


# --- partial_fit and warm_start misuse ------------------------------------------------


def _pf(**kw):
    return L2MLPClassifier((5,), random_state=0, **kw)


PARTIAL_FIT_FAULTS = [
    # (id, first call kwargs or None, second call kwargs, match)
    (
        "first_call_label_not_in_classes",
        None,
        dict(y=np.where(YC == 1, 2, 0), classes=[0, 1]),
        r"not in classes=\[0, 1\]",
    ),
    ("classes_scalar", None, dict(y=YC, classes="ab"), "1-D"),
    ("classes_empty", None, dict(y=YC, classes=[]), "non-empty"),
    ("classes_2d", None, dict(y=YC, classes=[[0, 1]]), "1-D"),
    (
        "classes_mixed_kinds",
        None,
        dict(y=YC, classes=np.array([0, "a"], dtype=object)),
        "one kind",
    ),
    ("classes_one", None, dict(y=np.zeros(len(YC), int), classes=[0]), "2 classes"),
    ("no_classes_first_call", None, dict(y=YC), "classes must be passed"),
    ("unseen_class_later", dict(y=YC, classes=[0, 1]), dict(y=YC + 1), "not seen"),
    (
        "other_classes_later",
        dict(y=YC, classes=[0, 1]),
        dict(y=YC, classes=[0, 1, 2]),
        "not the same",
    ),
    (
        "multilabel_after_binary",
        dict(y=YC, classes=[0, 1]),
        dict(y=np.c_[YC, 1 - YC]),
        "multilabel",
    ),
    (
        "binary_after_multilabel",
        dict(y=np.c_[YC, 1 - YC], classes=[0, 1]),
        dict(y=YC),
        "multilabel indicator matrix with 2 labels",
    ),
    (
        "fewer_labels_later",
        dict(y=np.c_[YC, 1 - YC, YC], classes=[0, 1, 2]),
        dict(y=np.c_[YC, 1 - YC]),
        "3 labels",
    ),
    (
        "changed_features",
        dict(y=YC, classes=[0, 1]),
        dict(X=X[:, :2], y=YC),
        "2 features",
    ),
]


@pytest.mark.parametrize(
    "first, second, match",
    [c[1:] for c in PARTIAL_FIT_FAULTS],
    ids=[c[0] for c in PARTIAL_FIT_FAULTS],
)
def test_partial_fit_misuse(first, second, match):
    est = _pf()
    if first is not None:
        est.partial_fit(first.pop("X", X), **first)
    before = _state(est)
    with pytest.raises(ValueError, match=match):
        est.partial_fit(second.pop("X", X), **second)
    _assert_same_state(before, est)


def test_partial_fit_multilabel_works():
    Y2 = np.c_[YC, 1 - YC]
    est = _pf().partial_fit(X, Y2, classes=[0, 1])
    est.partial_fit(X, Y2)
    assert est.predict(X).shape == Y2.shape
    assert est.predict_proba(X).shape == Y2.shape


@pytest.mark.parametrize(
    "change, match",
    [
        ({"hidden_layer_sizes": (6,)}, r"\(4, 5, 1\) before, \(4, 6, 1\) now"),
        ({"activation": "prelu"}, "PReLU slopes: False before, True now"),
    ],
)
def test_warm_start_shape_change_is_explained(change, match):
    est = L2MLPRegressor((5,), warm_start=True, max_iter=3, random_state=0).fit(X, Y)
    est.set_params(**change)
    with pytest.raises(ValueError, match=match):
        est.fit(X, Y)


def test_regressor_partial_fit_changed_target_dims():
    est = L2MLPRegressor((5,), random_state=0).partial_fit(X, Y)
    with pytest.raises(ValueError, match="dimensions"):
        est.partial_fit(X, np.c_[Y, Y])


def test_objective_checks_the_target_domain():
    est = L2MLPRegressor((5,), loss="poisson", max_iter=3, random_state=0)
    est.fit(X, np.abs(Y))
    with pytest.raises(ValueError, match=r"poisson.*y >= 0"):
        est.objective(X, -np.abs(Y))


# --- Ctrl-C, in process (the subprocess test sends a real SIGINT) --------------------


def _raise_sigint_on_call(monkeypatch, name, at):
    """Make ``Objective.<name>`` deliver a SIGINT to this process on call ``at``."""
    original = getattr(Objective, name)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == at:
            signal.raise_signal(signal.SIGINT)
        return original(*args, **kwargs)

    monkeypatch.setattr(Objective, name, wrapper)
    return calls


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_sigint_stops_after_the_current_minibatch(monkeypatch, solver):
    handler = signal.getsignal(signal.SIGINT)
    # penalty() runs once per minibatch; 25 minibatches of 10 = 2.5 epochs.
    calls = _raise_sigint_on_call(monkeypatch, "penalty", at=25)
    est = L2MLPRegressor(
        (8,), solver=solver, batch_size=10, max_iter=100, tol=0, random_state=0
    )
    with pytest.warns(UserWarning, match="interrupted by KeyboardInterrupt"):
        est.fit(X, Y)
    assert calls["n"] == 25  # not one minibatch more
    assert est.n_iter_ == 1  # the epochs completed before the interrupt
    assert np.all(np.isfinite(est.predict(X)))
    assert signal.getsignal(signal.SIGINT) is handler


def test_sigint_lbfgs_keeps_the_last_accepted_iterate(monkeypatch):
    handler = signal.getsignal(signal.SIGINT)
    calls = _raise_sigint_on_call(monkeypatch, "value_and_grad", at=12)
    est = L2MLPRegressor((8,), solver="lbfgs", max_iter=1000, tol=0, random_state=0)
    with pytest.warns(UserWarning, match=r"interrupted.*iteration"):
        est.fit(X, Y)
    # The evaluation that saw the flag raised; one more evaluates the kept weights.
    assert calls["n"] == 13
    assert 1 <= est.n_iter_ < 12
    assert est.loss_ == pytest.approx(est.loss_curve_[-1], rel=1e-12)
    assert np.all(np.isfinite(est.predict(X)))
    assert signal.getsignal(signal.SIGINT) is handler


def test_sigint_before_any_step_still_leaves_a_usable_model(monkeypatch):
    calls = _raise_sigint_on_call(monkeypatch, "penalty", at=1)
    est = L2MLPRegressor((8,), batch_size=50, max_iter=100, random_state=0)
    with pytest.warns(UserWarning, match="after 0 complete epoch"):
        est.fit(X, Y)
    assert calls["n"] == 1
    assert np.all(np.isfinite(est.predict(X)))


# --- early stopping's split, warm starts, partial_fit ---------------------------------


@pytest.mark.parametrize("n, fraction", [(6, 0.1), (10, 0.1), (19, 0.1)])
def test_early_stopping_with_a_one_row_validation_part_is_refused(n, fraction):
    # ceil(fraction * n) rows are held out (train_test_split's rounding): one
    # row has no R^2, and the old round() let 6 to 10 rows through to NaN scores.
    est = L2MLPRegressor((3,), early_stopping=True, validation_fraction=fraction)
    if int(np.ceil(fraction * n)) >= 2:
        est.set_params(max_iter=2).fit(X[:n], Y[:n])
        assert np.all(np.isfinite(est.validation_scores_))
        return
    with pytest.raises(ValueError, match=r"validation_fraction=0\.1 of \d+ samples"):
        est.fit(X[:n], Y[:n])


def test_early_stopping_stratified_needs_a_row_per_class():
    y = np.repeat([0, 1, 2], 10)
    est = L2MLPClassifier((3,), early_stopping=True, validation_fraction=0.05)
    with pytest.raises(ValueError, match=r"3 validation .*one per class"):
        est.fit(X[:30], y)
    est.set_params(validation_fraction=0.1, max_iter=2).fit(X[:30], y)
    assert len(est.validation_scores_) == est.n_iter_


def test_partial_fit_refuses_early_stopping():
    est = L2MLPRegressor((3,), early_stopping=True)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        est.partial_fit(X, Y)
    assert not hasattr(est, "coefs_")


def test_warm_start_fit_restarts_the_stopping_rule():
    # A warm refit at a larger alpha has a larger J than the previous fit's best:
    # with the old best kept, no epoch counted as an improvement and the refit
    # stopped after n_iter_no_change + 1 epochs.
    est = L2MLPRegressor((8,), warm_start=True, alpha=1e-4, max_iter=30, tol=0,
                         n_iter_no_change=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y)
        before = len(est.loss_curve_)
        est.set_params(alpha=1.0).fit(X, Y)
    assert est.best_loss_ == min(est.loss_curve_[before:])
    assert est.n_iter_ > 4


def test_n_iter_no_change_inf_runs_every_epoch():
    est = L2MLPRegressor((3,), n_iter_no_change=np.inf, max_iter=15, random_state=0)
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        est.fit(X, Y)
    assert est.n_iter_ == 15


def test_warm_start_on_a_subset_of_the_classes_is_refused():
    y = np.arange(len(X)) % 3
    est = L2MLPClassifier((3,), warm_start=True, max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        with pytest.raises(ValueError, match="same classes.*partial_fit"):
            est.fit(X[y < 2], y[y < 2])
        est.fit(X, y)  # the same classes again: fine
    # n_iter_ counts the epochs of the last fit (scikit-learn's meaning), the
    # loss curve those of every fit.
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 4


def test_targets_whose_spread_overflows_raise_without_a_numpy_warning():
    rng = np.random.RandomState(0)
    X, y = rng.standard_normal((40, 3)), rng.standard_normal(40) * 1e300
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        message = r"badly scaled.*max \|y\| = [0-9.]+e\+300"
        with pytest.raises(ValueError, match=message):
            L2MLPRegressor((4,), random_state=0).fit(X, y)
