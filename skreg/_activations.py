"""Hidden-layer activations: one record per function, value and derivative side by side.

Every entry maps a pre-activation ``z`` to ``a = value(z, slope)`` and gives
``derivative(z, a, slope) = da/dz``. Both ``z`` and ``a`` are passed because some
derivatives are cheaper from the output (tanh, logistic) and others need the input
(GELU, SiLU). ``slope`` is the learned per-unit parameter of PReLU and ``None`` for
every other entry. All functions keep the dtype of ``z`` and are finite for every
finite ``z``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit, ndtr

# A Python float: a numpy float64 scalar would turn float32 arrays into float64.
_INV_SQRT_2PI = float(1.0 / np.sqrt(2.0 * np.pi))
LEAKY_SLOPE = 0.01
# The largest slopes of GELU (Phi(z) + z phi(z), at z = sqrt(2)) and SiLU
# (s (1 + z (1 - s)), at z = 2.39936), found by maximising them numerically.
_GELU_MAX_SLOPE = 1.128904145185155
_SILU_MAX_SLOPE = 1.099839320128867
PRELU_INIT_SLOPE = 0.25


@dataclass(frozen=True)
class Activation:
    """A hidden activation: its function, derivative and initialisation gain."""

    name: str
    value: Callable
    derivative: Callable
    formula: str
    # Weight-variance multiplier of the Glorot (fan-average) initialisation:
    # var(W) = init_gain * 2 / (fan_in + fan_out). 2 compensates for a unit that
    # zeroes half its inputs (He et al.), 1 is Glorot.
    init_gain: float
    params: dict = field(default_factory=dict)
    # sup_z |da/dz|: the most a unit passes its input's signal on (the CV grid's
    # top, where the penalty zeroes the network, is proportional to it).
    max_slope: float = 1.0
    # d a / d slope for a learned slope (PReLU only). The slope is not penalised:
    # the penalty of J covers the weight matrices only.
    slope_derivative: Callable | None = None
    # Optional fast path: ``inplace(z)`` overwrites z with the activation. Only
    # for entries whose derivative reads the output ``a`` alone, so that the
    # pre-activation need not be kept.
    inplace: Callable | None = None
    # a(c z) = c a(z) for every c > 0 (the slope of PReLU unchanged): scaling a
    # unit's incoming weights and bias by c and its outgoing weights by 1 / c
    # leaves the network's function unchanged.
    homogeneous: bool = False

    @property
    def learns_slope(self):
        return self.slope_derivative is not None


def _identity(z, slope=None):
    return z


def _identity_derivative(z, a, slope=None):
    return np.ones_like(a)


def _logistic(z, slope=None):
    return expit(z)


def _logistic_derivative(z, a, slope=None):
    return a * (1 - a)


def _tanh(z, slope=None):
    return np.tanh(z)


def _tanh_derivative(z, a, slope=None):
    return 1 - a * a


def _relu(z, slope=None):
    return np.maximum(z, 0)


def _relu_derivative(z, a, slope=None):
    return (a > 0).astype(a.dtype)


def _relu_inplace(z):
    if z.dtype == np.float32:
        # numpy's float32 maximum runs at half the speed of a comparison and a
        # product (float64's does not): 2% of a float32 training step on a
        # (256, 256) network. Same values, except that an overflowed -inf
        # becomes NaN, which the loop and predict then report as an overflow.
        return np.multiply(z, z > 0, out=z)
    return np.maximum(z, 0, out=z)


def _tanh_inplace(z):
    return np.tanh(z, out=z)


def _logistic_inplace(z):
    return expit(z, out=z)


def _identity_inplace(z):
    return z


def _leaky_relu(z, slope=None):
    return np.where(z > 0, z, z * LEAKY_SLOPE)


def _leaky_relu_derivative(z, a, slope=None):
    return np.where(z > 0, z.dtype.type(1), z.dtype.type(LEAKY_SLOPE))


def _prelu(z, slope):
    return np.where(z > 0, z, z * slope)


def _prelu_derivative(z, a, slope):
    return np.where(z > 0, z.dtype.type(1), slope.astype(z.dtype, copy=False))


def _prelu_slope_derivative(z):
    return np.minimum(z, 0)


def _elu(z, slope=None):
    # expm1 only of the non-positive part: no overflow for large positive z.
    return np.where(z > 0, z, np.expm1(np.minimum(z, 0)))


def _elu_derivative(z, a, slope=None):
    return np.where(z > 0, z.dtype.type(1), a + 1)


def _gelu(z, slope=None):
    return z * ndtr(z)


def _gelu_derivative(z, a, slope=None):
    # z * phi(z) is below the smallest float beyond |z| = 40; clipping there
    # keeps z * z from overflowing (|z| > 1e154) without changing the result.
    zc = np.clip(z, -40, 40)
    return ndtr(z) + zc * _INV_SQRT_2PI * np.exp(-0.5 * zc * zc)


def _silu(z, slope=None):
    return z * expit(z)


def _silu_derivative(z, a, slope=None):
    s = expit(z)
    return s * (1 + z * (1 - s))


def _softplus(z, slope=None):
    return np.logaddexp(0, z)


def _softplus_derivative(z, a, slope=None):
    return expit(z)


_RECORDS = [
    Activation(
        "identity",
        _identity,
        _identity_derivative,
        "a = z",
        1.0,
        inplace=_identity_inplace,
        homogeneous=True,
    ),
    Activation(
        "logistic",
        _logistic,
        _logistic_derivative,
        "a = 1 / (1 + exp(-z))",
        1.0,
        max_slope=0.25,
        inplace=_logistic_inplace,
    ),
    Activation(
        "tanh", _tanh, _tanh_derivative, "a = tanh(z)", 1.0, inplace=_tanh_inplace
    ),
    Activation(
        "relu",
        _relu,
        _relu_derivative,
        "a = max(z, 0)",
        2.0,
        inplace=_relu_inplace,
        homogeneous=True,
    ),
    Activation(
        "leaky_relu",
        _leaky_relu,
        _leaky_relu_derivative,
        f"a = z if z > 0 else {LEAKY_SLOPE} * z",
        2.0,
        homogeneous=True,
    ),
    Activation(
        "prelu",
        _prelu,
        _prelu_derivative,
        "a = z if z > 0 else s * z, s learned per unit (not penalised)",
        2.0,
        params={"init_slope": PRELU_INIT_SLOPE},
        slope_derivative=_prelu_slope_derivative,
        homogeneous=True,
    ),
    Activation(
        "elu",
        _elu,
        _elu_derivative,
        "a = z if z > 0 else exp(z) - 1",
        1.5,
    ),
    Activation(
        "gelu",
        _gelu,
        _gelu_derivative,
        "a = z * Phi(z) (exact, erf form)",
        2.0,
        max_slope=_GELU_MAX_SLOPE,
    ),
    Activation(
        "silu",
        _silu,
        _silu_derivative,
        "a = z / (1 + exp(-z))",
        2.0,
        max_slope=_SILU_MAX_SLOPE,
    ),
    Activation("softplus", _softplus, _softplus_derivative, "a = log(1 + exp(z))", 1.0),
]

#: Every activation by name, aliases included (they point at the same record).
ACTIVATIONS = {record.name: record for record in _RECORDS}
ACTIVATIONS["sigmoid"] = ACTIVATIONS["logistic"]
ACTIVATIONS["swish"] = ACTIVATIONS["silu"]
