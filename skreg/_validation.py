"""Checks of parameters and data that scikit-learn's validation does not make."""

from numbers import Integral

import numpy as np
from sklearn.utils import assert_all_finite
from sklearn.utils.validation import _check_sample_weight, validate_data


def hidden_layer_sizes(value):
    """``hidden_layer_sizes`` as a tuple of positive ints, or a clear error."""
    sizes = (value,) if isinstance(value, Integral) else value
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise TypeError(
            "hidden_layer_sizes must be an int or a sequence of positive ints, "
            f"got {value!r}."
        ) from None
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, Integral) or size < 1:
            raise ValueError(
                "hidden_layer_sizes must contain positive ints only, got "
                f"{value!r}."
            )
    return tuple(int(size) for size in sizes)


def check_n_features(X):
    if X.shape[1] == 0:
        raise ValueError(
            f"0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
        )


def predict_input(estimator, X):
    """X for the fitted ``estimator``'s predictions, checked as ``validate_data``
    checks it (dense or CSR, float64 or float32).

    The common case, a 2-D float ndarray of the fitted width for an estimator fitted
    without feature names, gets ``validate_data``'s outcome (finiteness checked
    by scikit-learn's own function) without its fixed cost per call: 0.4 ms of
    1.5 ms for the predictions of a (64,) network on 5000 rows. Anything else goes
    through ``validate_data``, whose messages and warnings then apply.
    """
    if (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype in (np.float64, np.float32)
        and X.shape[0] > 0
        and X.shape[1] == estimator.n_features_in_
        and not hasattr(estimator, "feature_names_in_")
    ):
        assert_all_finite(X, estimator_name=type(estimator).__name__, input_name="X")
        return X
    return validate_data(
        estimator, X, reset=False, accept_sparse="csr", dtype=(np.float64, np.float32)
    )


def sample_weights(sample_weight, X):
    """Checked weights in the dtype of X (ones when None).

    Checked in float64 and rescaled before any cast to float32, so that finite
    weights never overflow to inf or vanish to 0.
    """
    if sample_weight is None:
        return np.ones(X.shape[0], dtype=X.dtype)
    sample_weight = _check_sample_weight(
        sample_weight, X, dtype=np.float64, ensure_non_negative=True
    )
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError("sample_weight contains NaN or infinity.")
    return _rescale_weights(sample_weight).astype(X.dtype, copy=False)


def _rescale_weights(sample_weight):
    """Divide the weights by a power of two when their sum could over/underflow.

    J does not change when all weights are multiplied by a constant, and a power
    of two keeps every ratio exact; weights of ordinary size are left untouched.
    """
    top = float(sample_weight.max())
    if 2.0**-64 <= top <= 2.0**64:
        return sample_weight
    return np.ldexp(sample_weight, -int(np.frexp(top)[1]))


def targets_as(Y, dtype):
    """Targets in the dtype of X; finite y beyond float32's range is an error.

    Bool targets (the classifier's label indicators) stay bool, an eighth of the
    memory of float64: the objective converts the rows the loss reads.
    """
    if Y.dtype == bool:
        return Y
    with np.errstate(over="ignore"):
        converted = Y.astype(dtype, copy=False)
    if converted is not Y and not np.all(np.isfinite(converted)):
        raise ValueError(
            f"y has values too large for {np.dtype(dtype)}, the dtype of X (max "
            f"|y| = {float(np.max(np.abs(Y))):.3g}). Scale y, or pass X as float64."
        )
    return converted


def numeric_targets(y, estimator):
    """A regressor's validated ``y`` as numbers, or a clear error.

    Numeric y is returned as it is (``validate_data`` checked it is finite).
    Other kinds are converted to float64 as scikit-learn's regressors convert
    them (numeric strings, object arrays, dates); what does not convert is an
    error naming y's dtype, and what converts to NaN (None in an object array,
    which ``validate_data`` lets through) is refused as any NaN in y is.
    """
    if y.dtype.kind in "biuf":
        return y
    name = type(estimator).__name__
    try:
        converted = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{name} is a regressor: y must be numeric, but y of dtype {y.dtype} "
            f"could not be converted to float ({error}). Encode y as numbers, or "
            f"use {name.replace('Regressor', 'Classifier')} for class labels."
        ) from None
    assert_all_finite(converted, input_name="y", estimator_name=name)
    return converted


def check_target_domain(loss, Y):
    if not loss.check_y(Y):
        raise ValueError(
            f"loss={loss.name!r} requires targets in the domain {loss.y_domain}."
        )
