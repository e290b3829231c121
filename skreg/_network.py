"""The network as pure functions on one flat parameter vector.

All parameters live in one contiguous vector ``theta`` laid out as
``[W_0, ..., W_L, b_0, ..., b_L, s_0, ..., s_{L-1}]`` (weights, biases, PReLU
slopes). The weights come first so that the penalty of J, which covers the weights
only, is one slice; optimizers and lbfgs update the whole vector in one pass.
Nothing here sees an estimator: functions get arrays and table entries.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas


@dataclass(frozen=True)
class Layout:
    """Shapes of the parameters of a network and their offsets in ``theta``."""

    layer_sizes: tuple  # (n_features, *hidden_layer_sizes, n_outputs)
    learns_slope: bool

    # Cached: the training loop asks for these at every minibatch step (a frozen
    # dataclass keeps a __dict__, where cached_property stores them).

    @cached_property
    def weight_shapes(self):
        return tuple(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))

    @cached_property
    def n_weights(self):
        return sum(fan_in * fan_out for fan_in, fan_out in self.weight_shapes)

    @cached_property
    def n_params(self):
        n_biases = sum(self.layer_sizes[1:])
        n_slopes = sum(self.layer_sizes[1:-1]) if self.learns_slope else 0
        return self.n_weights + n_biases + n_slopes

    def views(self, theta):
        """Split ``theta`` into lists of weight, bias and slope views."""
        coefs, intercepts, slopes = [], [], []
        start = 0
        for shape in self.weight_shapes:
            stop = start + shape[0] * shape[1]
            coefs.append(theta[start:stop].reshape(shape))
            start = stop
        for size in self.layer_sizes[1:]:
            intercepts.append(theta[start : start + size])
            start += size
        if self.learns_slope:
            for size in self.layer_sizes[1:-1]:
                slopes.append(theta[start : start + size])
                start += size
        return coefs, intercepts, slopes

    def pack(self, coefs, intercepts, slopes, dtype):
        """Concatenate parameter lists into a new flat vector."""
        parts = [np.ravel(w) for w in coefs] + list(intercepts)
        if self.learns_slope:
            parts += list(slopes)
        return np.concatenate(parts).astype(dtype, copy=False)


def initialize(layout, activation, rng, dtype):
    """Random weights scaled by the activation's gain; zero biases.

    Weights are uniform with variance ``gain * 2 / (fan_in + fan_out)`` (Glorot's
    fan average; gain 2 for rectifiers as in He et al.). The output layer uses gain
    1 since no rectifier follows it. PReLU slopes start at the record's value.
    """
    theta = np.zeros(layout.n_params, dtype=dtype)
    coefs, _, slopes = layout.views(theta)
    n_layers = len(coefs)
    for i, (w, (fan_in, fan_out)) in enumerate(zip(coefs, layout.weight_shapes)):
        gain = activation.init_gain if i < n_layers - 1 else 1.0
        bound = np.sqrt(3.0 * gain * 2.0 / (fan_in + fan_out))
        w[...] = rng.uniform(-bound, bound, size=w.shape)
    for s in slopes:
        s[...] = activation.params["init_slope"]
    return theta


def _fortran_operand(x):
    """``x^T`` for Fortran BLAS without a copy: (array, trans flag)."""
    if x.flags.c_contiguous:
        return x.T, 0
    if x.flags.f_contiguous:
        return x, 1
    return np.ascontiguousarray(x).T, 0


def gemm(a, b, out):
    """``out = a @ b`` with scipy's BLAS (``out`` C-contiguous).

    Computed as the Fortran product ``out^T = b^T a^T``, so no operand is copied.
    When a workspace asks for it (``Workspace.scipy_blas``), every product of the
    stochastic loop goes through here: scipy's OpenBLAS has its own thread pool,
    and alternating it with numpy's makes the two pools' threads fight over the
    cores.
    """
    b_t, trans_b_t = _fortran_operand(b)
    a_t, trans_a_t = _fortran_operand(a)
    product = blas.get_blas_funcs("gemm", (out,))
    result = product(
        1.0, b_t, a_t, c=out.T, trans_a=trans_b_t, trans_b=trans_a_t,
        overwrite_c=True,
    )
    if not np.shares_memory(result, out):
        out[...] = result.T
    return out


def squared_norm(w):
    """``w . w`` with scipy's BLAS, for the stochastic loop (see :func:`gemm`)."""
    return float(blas.get_blas_funcs("dot", (w,))(w, w))


def axpy(a, x, y):
    """``y += a * x`` in place with scipy's BLAS (contiguous vectors of y's dtype).

    For the stochastic loop (see :func:`gemm`): OpenBLAS runs it on the threads
    that the products just used, where numpy's ufuncs would use one core.
    """
    blas.get_blas_funcs("axpy", (y,))(x, y, a=a)


#: From this many weights on, the stochastic loop runs its products and sgd's
#: update through scipy's BLAS (:func:`gemm`, :func:`axpy`): the update's passes
#: over weight-sized vectors then run on the products' threads, where numpy's
#: ufuncs use one core. Below it those passes are cheap, and the switches between
#: scipy's and numpy's thread pools around every fit (step size, scoring) cost
#: more: a CV path on load_digits took 1.7x longer, and 5-fold CV of a
#: (256, 256) network on load_digits 1.27x longer at 2**16 weights.
SCIPY_BLAS_MIN_WEIGHTS = 1 << 18


class Workspace:
    """Per-layer buffers for one minibatch size, reused across minibatches.

    Avoids allocating (and page-faulting) the activations and deltas of every
    minibatch; a smaller last minibatch uses the leading rows. ``scipy_blas``
    routes the products through :func:`gemm` (large networks only).
    """

    def __init__(self, layout, batch_size, dtype):
        self.scipy_blas = layout.n_weights >= SCIPY_BLAS_MIN_WEIGHTS
        hidden = layout.layer_sizes[1:-1]
        self.zs = [np.empty((batch_size, size), dtype) for size in hidden]
        self.deltas = [np.empty((batch_size, size), dtype) for size in hidden]
        self.raw = np.empty((batch_size, layout.layer_sizes[-1]), dtype)
        # For the biases' gradients as products (see _column_sums).
        self.ones = np.ones(batch_size, dtype)
        self._size = batch_size

    def rows(self, n):
        """The buffers trimmed to ``n`` rows (the buffers themselves for a full
        minibatch: no new lists at every step)."""
        if n == self._size:
            return self.zs, self.deltas, self.raw
        return [z[:n] for z in self.zs], [d[:n] for d in self.deltas], self.raw[:n]


def _affine(a, w, b, out, scipy_blas=False):
    """``a @ w + b``, into ``out`` when given (dense inputs only)."""
    if out is None or sp.issparse(a):
        z = a @ w
        if sp.issparse(z):
            z = z.toarray()
        z = np.asarray(z)
    elif scipy_blas:
        z = gemm(a, w, out)
    else:
        z = np.dot(a, w, out=out)
    z += b
    return z


def _activate(activation, z, slope):
    """The activation of z, in place when the record allows it (z is then lost)."""
    if activation.inplace is not None:
        return activation.inplace(z)
    return activation.value(z, slope)


def forward(X, coefs, intercepts, slopes, activation, workspace=None):
    """Hidden pre-activations ``zs``, activations ``activs`` and the raw output.

    ``activs[0]`` is X itself; ``zs[i]`` and ``activs[i + 1]`` belong to hidden
    layer i (the same array when the activation works in place: its derivative
    then reads the output only). The raw output is the last layer's affine map
    (no link applied).
    """
    n = X.shape[0]
    if workspace is None:
        z_out, raw_out = [None] * len(coefs), None
    else:
        z_out, _, raw_out = workspace.rows(n)
    zs, activs = [], [X]
    a = X
    scipy_blas = workspace is not None and workspace.scipy_blas
    for i in range(len(coefs) - 1):
        z = _affine(a, coefs[i], intercepts[i], z_out[i], scipy_blas)
        a = _activate(activation, z, slopes[i] if slopes else None)
        zs.append(z)
        activs.append(a)
    raw = _affine(activs[-1], coefs[-1], intercepts[-1], raw_out, scipy_blas)
    return zs, activs, raw


#: predict_raw works on chunks of rows whose widest layer takes about this many
#: bytes: the activations then stay in cache between the product, the bias and
#: the activation, and the buffers are reused instead of allocated per layer.
PREDICT_CHUNK_BYTES = 1 << 21
#: ... but never fewer rows than this: with fewer, the products of wide layers
#: (1024 units) run well below the BLAS's speed, which costs more than the cache
#: saves (measured: 256-row chunks made a 512-1024-1024 network's predict 14%
#: slower than 1024-row ones).
PREDICT_MIN_ROWS = 1024


def _chunk_rows(coefs, itemsize):
    widest = max(w.shape[1] for w in coefs)
    return max(PREDICT_MIN_ROWS, PREDICT_CHUNK_BYTES // (widest * itemsize))


def _raw_rows(X, coefs, intercepts, slopes, activation, buffers, out):
    """The raw output of X into ``out``; hidden layers in ``buffers`` (or new)."""
    a = X
    for i in range(len(coefs) - 1):
        z_out = buffers[i][: X.shape[0]] if buffers else None
        z = _affine(a, coefs[i], intercepts[i], z_out)
        a = _activate(activation, z, slopes[i] if slopes else None)
    raw = _affine(a, coefs[-1], intercepts[-1], out)
    if out is not None and raw is not out:
        out[...] = raw
    return raw


def predict_raw(X, coefs, intercepts, slopes, activation):
    """The raw output only, by chunks of rows; keeps no intermediate layers alive."""
    dtype = np.result_type(X.dtype, coefs[0].dtype)
    n, rows = X.shape[0], _chunk_rows(coefs, dtype.itemsize)
    if n <= rows:
        return _raw_rows(X, coefs, intercepts, slopes, activation, None, None)
    buffers = [np.empty((rows, w.shape[1]), dtype) for w in coefs[:-1]]
    raw = np.empty((n, coefs[-1].shape[1]), dtype)
    for start in range(0, n, rows):
        chunk = slice(start, start + rows)
        _raw_rows(X[chunk], coefs, intercepts, slopes, activation, buffers, raw[chunk])
    return raw


def _weight_gradient(a_in, delta, out, scipy_blas):
    """``out = a_in^T delta``."""
    if sp.issparse(a_in):
        out[...] = np.asarray(a_in.T @ delta)
    elif scipy_blas:
        gemm(a_in.T, delta, out)
    else:
        np.dot(a_in.T, delta, out=out)


def _column_sums(delta, out, ones, scipy_blas):
    """``out = delta.sum(axis=0)``: the gradient of a layer's biases.

    As the product ``ones @ delta`` (``ones``: a vector of n ones) on numpy's
    BLAS: a third (float32) to a half (float64) of the time of numpy's sum over
    the rows of a 200-row minibatch. On scipy's BLAS (``scipy_blas``) it stays
    a sum, so that numpy's BLAS threads do not wake between scipy's products
    (see :func:`gemm`).
    """
    if scipy_blas:
        np.sum(delta, axis=0, out=out)
    else:
        np.dot(ones, delta, out=out)


def backward(
    delta, zs, activs, coefs, slopes, activation, grad_views, workspace=None
):
    """Back-propagate ``delta = dJ_data / d raw`` into the gradient views.

    ``grad_views`` is ``layout.views(grad)``; every entry is overwritten.
    """
    grad_coefs, grad_intercepts, grad_slopes = grad_views
    n = delta.shape[0]
    delta_out = workspace.rows(n)[1] if workspace else [None] * len(zs)
    scipy_blas = workspace is not None and workspace.scipy_blas
    ones = workspace.ones[:n] if workspace else np.ones(n, delta.dtype)
    for i in range(len(coefs) - 1, -1, -1):
        _weight_gradient(activs[i], delta, grad_coefs[i], scipy_blas)
        _column_sums(delta, grad_intercepts[i], ones, scipy_blas)
        if i == 0:
            break
        # Into hidden layer i - 1: through the weights, then the activation.
        if delta_out[i - 1] is None:
            delta = delta @ coefs[i].T
        elif scipy_blas:
            delta = gemm(delta, coefs[i].T, delta_out[i - 1])
        else:
            delta = np.dot(delta, coefs[i].T, out=delta_out[i - 1])
        z, a = zs[i - 1], activs[i]
        slope = slopes[i - 1] if slopes else None
        if grad_slopes:
            grad_slopes[i - 1][...] = np.einsum(
                "ij,ij->j", delta, activation.slope_derivative(z)
            )
        delta *= activation.derivative(z, a, slope)
