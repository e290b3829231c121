"""Drop-in behaviour: what a scikit-learn MLP user relies on, on skreg's own data.

Each test states scikit-learn's documented behaviour that skreg keeps (the README's
"Switching from scikit-learn" lists where skreg differs on purpose).
"""

import re

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skreg import L2MLPClassifier, L2MLPRegressor


def _data(n=60, d=3, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, d))
    return X, np.tanh(X @ np.arange(1.0, d + 1))


X, Y = _data()
LABELS = np.array(["a", "b", "c"])[np.arange(len(X)) % 3]


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("Estimator", [L2MLPRegressor, L2MLPClassifier])
def test_n_iter_counts_the_epochs_of_the_last_warm_fit(Estimator, solver, seed):
    # scikit-learn: n_iter_ == max_iter after a warm-started fit that ran out,
    # while loss_curve_ and t_ go on across fits.
    y = Y if Estimator is L2MLPRegressor else LABELS
    est = Estimator((4,), solver=solver, warm_start=True, max_iter=3, tol=0,
                    n_iter_no_change=np.inf, random_state=seed)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    first = est.n_iter_
    assert first == 3
    est.set_params(max_iter=5)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, y)
    assert est.n_iter_ == 5
    assert len(est.loss_curve_) == first + est.n_iter_
    assert est.t_ == len(X) * (first + est.n_iter_)


def test_partial_fit_counts_its_epochs_across_calls(seed):
    est = L2MLPRegressor((4,), random_state=seed)
    for _ in range(3):
        est.partial_fit(X, Y)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3


def test_warm_start_on_other_classes_says_what_scikit_learn_says(seed):
    est = L2MLPClassifier((3,), solver="lbfgs", warm_start=True, max_iter=5,
                          random_state=seed)
    with pytest.warns(ConvergenceWarning):
        est.fit(X, LABELS)
    kept = LABELS != "a"
    message = (
        "warm_start can only be used where `y` has the same classes as in the "
        "previous call to fit. Previously got ['a' 'b' 'c'], `y` has ['b' 'c']."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        est.fit(X[kept], LABELS[kept])


def test_early_stopping_names_a_class_too_small_to_split(seed):
    # One sample of "z": a stratified split cannot put it in both parts.
    y = LABELS.copy()
    y[7] = "z"
    est = L2MLPClassifier((3,), early_stopping=True, random_state=seed)
    with pytest.raises(ValueError, match=r"least populated classes.*\['z'\]"):
        est.fit(X, y)


@pytest.mark.parametrize("fraction, part", [(0.3, "validation"), (0.7, "training")])
def test_early_stopping_says_which_part_is_too_small(fraction, part, seed):
    # 6 rows, 2 per class: 3 classes need 3 rows in each part. A fraction of 0.3
    # holds out 2 rows, one of 0.7 holds out 5 and leaves 1 for training.
    est = L2MLPClassifier((3,), early_stopping=True, validation_fraction=fraction,
                          random_state=seed)
    with pytest.raises(ValueError, match=f"The {part} set is too small"):
        est.fit(X[:6], LABELS[:6])
