"""The coordinates in which sgd's automatic step is taken.

sgd steps in ``u = T theta`` instead of ``theta``. ``T`` is an affine change of the
first layer and a scaling of the last:

- first layer: ``V = S W_1`` and ``c = b_1 + mu W_1``, with ``mu`` and ``S =
  diag(s)`` the features' (weighted) means and spreads, so that the first layer
  sees standardised inputs ``(x - mu) / s`` whatever the scale of each feature;
- last layer: ``W_L / sigma`` and ``b_L / sigma`` per output, ``sigma`` the
  targets' spread.

Both are reparametrisations of the same network, so neither J nor its stationary
points change; the penalty stays ``alpha ||W||^2`` on the weights themselves.

With a positively homogeneous activation (identity, relu, leaky relu, PReLU) a
network of ``L`` weight layers instead shares the scale of its function among
its layers: each is scaled by ``g = (sigma k)^(1/L)``, ``k`` the geometric mean
of the ``1 / s_j`` (the first layer by ``g / k`` on top of ``1 / s_j``, the
last by ``sigma k / g^(L-1)``, each hidden bias by the product of the factors
before it). The function of ``u`` is the same; what changes is that the
weights of a minimum are balanced (``alpha`` penalises each layer alike, and
at a minimum every unit's incoming and outgoing weights have equal norms):
with ``sigma`` on the last layer alone, a raw target of spread 77 asks the
hidden layer to grow about sqrt(77) times beyond its start along a valley of
J where the gradient is tiny. sgd and adam then stopped as if stationary 23%
to 131% above the minimum of J, unwarned (a (20,) network on diabetes, raw y
or X * 1e4). In these coordinates the problem is, for ``L = 2``, the
standardised one at ``alpha k / sigma`` (J is ``sigma^2`` times its J).

In ``u`` the penalty's curvature on the weights of feature j is ``2 alpha /
s_j^2``: a feature of tiny spread (a pixel that is almost always 0, a column of
noise at 1e-3) would make it dwarf the data term's, and the step, built on the
largest curvature, would crawl for every weight (and Glorot's weights in ``u``
would start with a huge penalty). So a spread never counts as less than
``input_floor``, the spread at which the penalty's curvature equals the data
term's (:meth:`Preconditioner.with_input_floor`). A
gradient step in ``u`` is the step ``-lr T^{-1} T^{-T} grad J`` in ``theta``
(:meth:`Preconditioner.apply`), and momentum's velocity lives in ``theta``
unchanged. The same ``T`` gives the starting weights: Glorot's initialisation in
``u``.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing._data import _is_constant_feature
from sklearn.utils.sparsefuncs import mean_variance_axis


def feature_moments(X, sample_weight):
    """Weighted mean and spread of each feature (spread 1 where it is constant)."""
    with np.errstate(all="ignore"):
        # Non-finite moments (features near the dtype's range) fall back to 0, 1.
        mean, variance = _raw_moments(X, sample_weight)
        mean = np.asarray(mean, dtype=np.float64)
        variance = np.asarray(variance, dtype=np.float64)
        # A constant column's float64 variance is the rounding of its mean
        # (~1e-32), not 0; as a spread, 1 / s ~ 1e16 would make the starting
        # weights and the step of that feature absurd. StandardScaler's test:
        constant = _is_constant_feature(variance, mean, X.shape[0])
    spread = np.sqrt(variance)
    spread = np.where(np.isfinite(spread) & ~constant, spread, 1.0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    return mean, spread


#: Rows per chunk of the dense moments: no float64 copy of a large X is made.
_MOMENT_ROWS = 4096


def _raw_moments(X, sample_weight):
    weights = np.asarray(sample_weight, dtype=np.float64)
    if sp.issparse(X):
        # scikit-learn's sparse kernels want the weights in the data's dtype.
        return mean_variance_axis(X, axis=0, weights=weights.astype(X.dtype))
    chunks = [slice(i, i + _MOMENT_ROWS) for i in range(0, X.shape[0], _MOMENT_ROWS)]
    total = weights.sum()
    # np.average's sums, chunk by chunk (the same numbers for a single chunk).
    mean = sum(
        np.multiply(X[rows], weights[rows, None], dtype=np.float64).sum(axis=0)
        for rows in chunks
    ) / total
    variance = sum(
        np.multiply((X[rows] - mean) ** 2, weights[rows, None]).sum(axis=0)
        for rows in chunks
    ) / total
    return mean, variance


def _unless_rounding(factor):
    """``factor``, or exactly 1 within rounding of it: standardised data (whose
    spreads come out 1 +- 1e-16) keep the plain coordinates, and each step
    skips a pass over the weights that would change nothing."""
    return 1.0 if abs(factor - 1.0) < 1e-12 else factor


def _layer_factors(n_layers, output_scale, input_scale, homogeneous, dtype):
    """``(g, weight factors, bias factors)``: what each layer's weights and
    biases are multiplied by from ``u`` to theta, on top of the first layer's
    standardisation (see the module docstring).

    ``sigma`` is the largest target spread and ``k`` the geometric mean of the
    features' ``1 / s``. Without a hidden layer or a homogeneous activation the
    last layer takes ``sigma`` per output and the others 1.
    """
    output_scale = np.asarray(output_scale, np.float64)
    k = g = first = 1.0
    if homogeneous and n_layers > 1:
        k = _unless_rounding(float(np.exp(np.mean(np.log(1.0 / input_scale)))))
        g = _unless_rounding((float(np.max(output_scale)) * k) ** (1.0 / n_layers))
        first = g / k
    weights = [first] + [g] * (n_layers - 2) if n_layers > 1 else []
    biases = [first * g**depth for depth in range(n_layers - 1)]
    last = output_scale * k / g ** (n_layers - 1)
    return (
        g,
        [np.asarray(f, dtype) for f in weights] + [last.astype(dtype)],
        [np.asarray(f, dtype) for f in biases] + [output_scale.astype(dtype)],
    )


class Preconditioner:
    """``T`` of the module docstring, for one layout (see there).

    Parameters
    ----------
    layout : Layout
    input_mean, input_scale : ndarray of shape (n_features,)
        ``mu`` and ``s``.
    output_scale : ndarray of shape (n_outputs,)
        ``sigma``.
    dtype : numpy dtype
        That of ``theta``.
    input_floor : float, default=0.0
        The least spread an input counts with: ``s_j`` is ``max(s_j,
        input_floor)`` (see the module docstring).
    """

    def __init__(
        self, layout, input_mean, input_scale, output_scale, dtype, input_floor=0.0,
        homogeneous=False,
    ):
        self.layout = layout
        self.dtype = dtype
        # As given (float64), for the next fit that continues from this one.
        self.statistics = (input_mean, input_scale, output_scale, float(input_floor))
        self.homogeneous = homogeneous
        self.mean = np.asarray(input_mean, dtype=dtype)
        scale = np.maximum(np.asarray(input_scale, np.float64), float(input_floor))
        self.inverse_scale = (1.0 / scale).astype(dtype)
        self.output_scale = np.asarray(output_scale, dtype=dtype)
        self.layer_scale, self.weight_factors, self.bias_factors = _layer_factors(
            len(layout.weight_shapes), output_scale, scale, homogeneous, dtype
        )
        # Whether layers other than the last are scaled at all.
        self.rescales_layers = len(self.weight_factors) > 1 and (
            self.layer_scale != 1 or float(self.weight_factors[0]) != 1
        )
        n_layers = len(self.weight_factors)
        # The layers whose factors are not all 1.
        self._scaled_layers = (
            list(range(n_layers)) if self.rescales_layers else [n_layers - 1]
        )
        # apply()'s factors, squared; the first layer's weights per feature,
        # with their standardisation (and their own factor where it applies).
        self._weight_squares = [f * f for f in self.weight_factors]
        self._bias_squares = [f * f for f in self.bias_factors]
        first = self.inverse_scale[:, None]
        if 0 in self._scaled_layers:
            first = first * self.weight_factors[0]
        self._first_squares = first * first

    @property
    def input_floor(self):
        return self.statistics[3]

    def with_input_floor(self, input_floor):
        """The same coordinates, with the inputs' spreads floored at ``input_floor``."""
        mean, scale, output_scale = self.statistics[:3]
        return Preconditioner(
            self.layout, mean, scale, output_scale, self.dtype, input_floor,
            self.homogeneous,
        )

    def penalty_input_floor(self, alpha, data_curvature):
        """The spread below which the penalty's curvature on a feature's weights
        exceeds ``data_curvature``; 0 when no input's spread is below it.

        In ``u`` that curvature is ``2 alpha (f / s_j)^2``, with ``f`` the
        first layer's factor: the output scale when the first layer is also the
        last (a linear model), the layers' share of it otherwise.
        """
        if not (alpha > 0 and data_curvature > 0 and np.isfinite(data_curvature)):
            return 0.0
        factor = float(np.max(self.weight_factors[0].astype(np.float64)))
        floor = factor * float(np.sqrt(2 * alpha / data_curvature))
        return floor if floor > np.min(self.statistics[1], initial=np.inf) else 0.0

    def rebase(self, theta, other):
        """``theta`` (in place) moved to the point whose coordinates ``u`` in
        ``other`` are the ones it has here."""
        return other.to_theta(self.from_theta(theta))

    @property
    def is_identity(self):
        return bool(
            np.all(self.mean == 0)
            and np.all(self.inverse_scale == 1)
            and np.all(self.output_scale == 1)
            and not self.rescales_layers
        )

    def to_theta(self, u, views=None):
        """``T^{-1} u``, in place: a direction in ``u`` as a direction in theta.

        ``views`` is ``layout.views(u)`` when the caller keeps it.
        """
        coefs, intercepts, _ = views or self.layout.views(u)
        self._scale_layers(coefs, intercepts)
        coefs[0] *= self.inverse_scale[:, None]
        intercepts[0] -= self.mean @ coefs[0]
        return u

    def from_theta(self, theta):
        """``T theta``, in place: the coordinates ``u`` of a point theta."""
        coefs, intercepts, _ = self.layout.views(theta)
        intercepts[0] += self.mean @ coefs[0]
        coefs[0] /= self.inverse_scale[:, None]
        self._scale_layers(coefs, intercepts, inverse=True)
        return theta

    def to_u(self, grad, views=None):
        """``T^{-T} grad``, in place: a gradient in theta as one in ``u``.

        ``views`` as for :meth:`to_theta`.
        """
        coefs, intercepts, _ = views or self.layout.views(grad)
        coefs[0] -= np.multiply.outer(self.mean, intercepts[0])
        coefs[0] *= self.inverse_scale[:, None]
        self._scale_layers(coefs, intercepts)
        return grad

    def _scale_layers(self, coefs, intercepts, inverse=False):
        """Each layer's weights and biases times (or over) their factors."""
        scale = np.divide if inverse else np.multiply
        for layer in self._scaled_layers:
            scale(coefs[layer], self.weight_factors[layer], out=coefs[layer])
            scale(intercepts[layer], self.bias_factors[layer], out=intercepts[layer])

    def apply(self, grad, views=None):
        """``T^{-1} T^{-T} grad``, in place: the step direction of sgd in theta.

        ``views`` as for :meth:`to_theta`. :meth:`to_u` then :meth:`to_theta`,
        with each diagonal factor applied once, squared: one pass over each
        layer instead of two (four on the first).
        """
        coefs, intercepts, _ = views or self.layout.views(grad)
        coefs[0] -= np.multiply.outer(self.mean, intercepts[0])
        coefs[0] *= self._first_squares
        for layer in self._scaled_layers:
            if layer:  # the first layer's weights: in _first_squares
                coefs[layer] *= self._weight_squares[layer]
            intercepts[layer] *= self._bias_squares[layer]
        intercepts[0] -= self.mean @ coefs[0]
        return grad

    def output_step_factor(self):
        """A step size in ``u`` times this is the step that the output layer of
        the output with the largest spread takes in theta."""
        return float(np.max(self.weight_factors[-1].astype(np.float64))) ** 2

    def input_norms(self, X):
        """``||(x_i - mu) / s||^2`` per row: how strongly a row drives the first
        layer in these coordinates (a single row's curvature grows with it)."""
        scaled_mean = self.mean * self.inverse_scale
        if sp.issparse(X):
            scaled = X.multiply(self.inverse_scale).tocsr()
            squares = np.asarray(scaled.multiply(scaled).sum(axis=1)).ravel()
            cross = np.asarray(scaled @ scaled_mean).ravel()
            return squares - 2 * cross + float(scaled_mean @ scaled_mean)
        centred = (X - self.mean) * self.inverse_scale
        return np.einsum("ij,ij->i", centred, centred)

    def max_weight_factor(self):
        """The largest ``|d w / d u|`` over weights: scales the penalty's curvature."""
        first = float(np.max(self.inverse_scale)) * float(
            np.max(self.weight_factors[0].astype(np.float64))
        )
        if len(self.layout.weight_shapes) == 1:
            return first
        last = float(np.max(self.weight_factors[-1].astype(np.float64)))
        return max(first, last, self.layer_scale)
