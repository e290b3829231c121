"""Output losses: one record per loss, with its link, gradient and target domain.

Every loss works on the *raw* output ``raw`` of the last layer, shape
``(n_samples, n_outputs)``, and the encoded target ``y`` of the same shape:

- ``value(y, raw, delta)`` is the per-sample loss ``l_i``, shape ``(n_samples,)``;
  the sample-weighted mean of ``l_i`` is the data term ``L`` of the objective and
  equals the scikit-learn metric named in ``metric``;
- ``gradient(y, raw, delta)`` is ``d l_i / d raw``, shape ``(n_samples, n_outputs)``.
  It is taken with respect to the raw output, so it holds for every pairing of loss
  and link (``output - y`` is only right for canonical pairs);
- ``curvature(y, raw)`` bounds ``d^2 l_i / d raw_k^2`` per output ``k`` (the
  Gauss-Newton weight used to choose the automatic SGD step size);
- ``inverse_link`` maps raw outputs to predictions (``out_activation_``).

``delta`` is the Huber threshold and is ignored by the other losses.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, log_expit, softmax, xlogy


@dataclass(frozen=True)
class Loss:
    """A per-sample loss on raw network outputs."""

    name: str
    value: Callable
    gradient: Callable
    curvature: Callable
    out_activation: str
    inverse_link: Callable
    metric: str
    # Human-readable target domain; `check_y` raises when y is outside it.
    y_domain: str
    check_y: Callable
    differentiable: bool = True


def _any_y(y):
    return True


def _non_negative_y(y):
    return bool(np.all(y >= 0))


def _n_outputs(raw):
    return raw.shape[1]


# -- squared error ---------------------------------------------------------------


def _squared_value(y, raw, delta=None):
    r = raw - y
    return np.einsum("ij,ij->i", r, r) / _n_outputs(raw)


def _squared_gradient(y, raw, delta=None):
    return (raw - y) * (2 / _n_outputs(raw))


def _unit_curvature(y, raw):
    return np.full((raw.shape[0], 1), 1 / _n_outputs(raw), dtype=raw.dtype)


def _squared_curvature(y, raw):
    return 2 * _unit_curvature(y, raw)


# -- absolute error -------------------------------------------------------------


def _absolute_value(y, raw, delta=None):
    return np.abs(raw - y).mean(axis=1)


def _absolute_gradient(y, raw, delta=None):
    return np.sign(raw - y) / _n_outputs(raw)


# -- huber -------------------------------------------------------------------------


def _huber_value(y, raw, delta):
    abs_r = np.abs(raw - y)
    quadratic = np.minimum(abs_r, delta)
    # r^2/2 inside, delta * (|r| - delta/2) outside, in one expression.
    return (0.5 * quadratic * quadratic + delta * (abs_r - quadratic)).mean(axis=1)


def _huber_gradient(y, raw, delta):
    return np.clip(raw - y, -delta, delta) / _n_outputs(raw)


# -- poisson deviance (log link) --------------------------------------------------


def _poisson_value(y, raw, delta=None):
    # 2 * (y log(y / mu) - y + mu) with mu = exp(raw), written without log(mu).
    mu = np.exp(raw)
    return 2 * (xlogy(y, y) - y * raw - y + mu).mean(axis=1)


def _poisson_gradient(y, raw, delta=None):
    return (np.exp(raw) - y) * (2 / _n_outputs(raw))


def _poisson_curvature(y, raw):
    return np.exp(raw) * (2 / _n_outputs(raw))


# -- log-loss: logistic per output (binary, multilabel) and softmax ---------------


def _binary_log_value(y, raw, delta=None):
    # -(y log p + (1 - y) log(1 - p)) summed over labels, p = expit(raw).
    return -(y * log_expit(raw) + (1 - y) * log_expit(-raw)).sum(axis=1)


def _binary_log_gradient(y, raw, delta=None):
    return expit(raw) - y


def _binary_log_curvature(y, raw):
    p = expit(raw)
    return p * (1 - p)


def _shifted_exp(raw):
    """``exp(raw - max)`` per row and the row maxima: no overflow, one exp pass."""
    row_max = raw.max(axis=1, keepdims=True)
    # raw - max can only overflow towards -inf (float32 near its range), where
    # exp gives the right 0.
    with np.errstate(over="ignore"):
        shifted = np.exp(raw - row_max)
    return shifted, row_max


def _multinomial_value(y, raw, delta=None):
    shifted, row_max = _shifted_exp(raw)
    log_sum_exp = row_max[:, 0] + np.log(shifted.sum(axis=1))
    return log_sum_exp - np.einsum("ij,ij->i", y, raw)


def _multinomial_gradient(y, raw, delta=None):
    shifted, _ = _shifted_exp(raw)
    shifted /= shifted.sum(axis=1, keepdims=True)
    return shifted - y


def _multinomial_curvature(y, raw):
    # The softmax Hessian diag(p) - p p^T is bounded by diag(p (1 - p)) along any
    # single output: good enough for a step-size estimate.
    p = softmax(raw, axis=1)
    return p * (1 - p)


def _identity_link(raw):
    return raw


def _softmax_link(raw):
    return softmax(raw, axis=1)


REGRESSION_LOSSES = {
    "squared_error": Loss(
        "squared_error",
        _squared_value,
        _squared_gradient,
        _squared_curvature,
        "identity",
        _identity_link,
        "mean_squared_error",
        "all real numbers",
        _any_y,
    ),
    "absolute_error": Loss(
        "absolute_error",
        _absolute_value,
        _absolute_gradient,
        # No curvature almost everywhere; the step size is chosen as for Huber.
        _unit_curvature,
        "identity",
        _identity_link,
        "mean_absolute_error",
        "all real numbers",
        _any_y,
        differentiable=False,
    ),
    "huber": Loss(
        "huber",
        _huber_value,
        _huber_gradient,
        _unit_curvature,
        "identity",
        _identity_link,
        "torch.nn.HuberLoss(delta=huber_delta)",
        "all real numbers",
        _any_y,
    ),
    "poisson": Loss(
        "poisson",
        _poisson_value,
        _poisson_gradient,
        _poisson_curvature,
        "exp",
        np.exp,
        "mean_poisson_deviance",
        "y >= 0",
        _non_negative_y,
    ),
}

CLASSIFICATION_LOSSES = {
    # Two classes (one output unit) and multilabel (one unit per label).
    "binary_log_loss": Loss(
        "binary_log_loss",
        _binary_log_value,
        _binary_log_gradient,
        _binary_log_curvature,
        "logistic",
        expit,
        "log_loss",
        "{0, 1} per output",
        _any_y,
    ),
    "multinomial_log_loss": Loss(
        "multinomial_log_loss",
        _multinomial_value,
        _multinomial_gradient,
        _multinomial_curvature,
        "softmax",
        _softmax_link,
        "log_loss",
        "one-hot rows",
        _any_y,
    ),
}

#: Every loss record by name.
LOSSES = {**REGRESSION_LOSSES, **CLASSIFICATION_LOSSES}
