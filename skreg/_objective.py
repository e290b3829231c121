"""The problem being minimised: J on one data set, in one place.

    J(theta) = sum_i s_i l_i / sum_i s_i + alpha * sum_l ||W_l||_F^2

:class:`Objective` holds what J depends on (the network's layout and activation,
the loss with its own parameters, X, the encoded targets, the sample weights and
alpha) and gives J, its gradient (full batch and minibatch), the penalty and its
gradient, the curvature used by the automatic step size, the starting weights and
the J of the best constant model (what a fit must not end above). The penalty
``alpha * sum ||W||^2`` and its gradient ``2 alpha W`` are written here and
nowhere else; the training loops ask for them.
"""

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.linalg

from skreg._activations import Activation
from skreg._losses import Loss
from skreg._network import (
    Layout,
    axpy,
    backward,
    forward,
    initialize,
    predict_raw,
    squared_norm,
)
from skreg._preconditioner import Preconditioner, feature_moments


def _norm(x):
    """``||x||_2`` as a float, also where the squares of finite entries overflow.

    numpy's norm sums the squares: in float32 it overflows from entries of about
    1e19 on, which targets of 1e10 reach in the output layer's entries of a
    Gauss-Newton product (the curvature scales with the targets' spread
    squared). scipy's (BLAS nrm2) scales as it goes; it is taken only then, as
    it rounds differently.
    """
    with np.errstate(over="ignore"):
        value = float(np.linalg.norm(x))
    if math.isinf(value) and np.all(np.isfinite(x)):
        value = float(scipy.linalg.norm(x, check_finite=False))
    return value


@dataclass(eq=False)
class Objective:
    """J of one network on one data set (see the module docstring).

    Parameters
    ----------
    layout : Layout
        Shapes of the parameters in the flat vector ``theta``.
    activation : Activation
        The hidden activation's record.
    loss : Loss
        The per-sample loss, with its parameters.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Data, float32 or float64: the dtype of every computation.
    Y : ndarray of shape (n_samples, n_outputs)
        Encoded targets, in the dtype of X or bool (label indicators, converted
        where the loss reads them: see :meth:`targets`), minus ``target_offset``.
    sample_weight : ndarray of shape (n_samples,)
        Sample weights ``s_i``, in the dtype of X.
    alpha : float
        Strength of the penalty.
    """

    layout: Layout
    activation: Activation
    loss: Loss
    X: Any
    Y: np.ndarray
    sample_weight: np.ndarray
    alpha: float
    #: What Y was centred by (float64, per output; None: not centred). The raw
    #: output of the weights here plus this offset is the network's output.
    target_offset: Any = None

    @property
    def dtype(self):
        return self.X.dtype

    @property
    def n_samples(self):
        return self.X.shape[0]

    def with_data(self, X, Y, sample_weight):
        """The same problem on other data (a split, a subset of rows)."""
        return replace(self, X=X, Y=Y, sample_weight=sample_weight)

    def rows(self, rows):
        """The same problem on ``rows`` of the data, targets in the dtype of X."""
        X, sample_weight = self.X[rows], self.sample_weight[rows]
        return self.with_data(X, self.targets(rows), sample_weight)

    def full_batch(self):
        """The same problem with the targets converted once, for full-batch solvers."""
        return self.with_data(self.X, self.targets(), self.sample_weight)

    def targets(self, rows=slice(None)):
        """``Y[rows]`` as the loss must see it: in the dtype of X (no copy if it is)."""
        return self.Y[rows].astype(self.dtype, copy=False)

    # -- the penalty ------------------------------------------------------------

    @property
    def penalty_slope(self):
        """``2 alpha``: the penalty's gradient is ``penalty_slope * W``.

        A Python float: alpha may be a np.float64 (the CV path, a grid search),
        which would make products with float32 weights float64 (NEP 50).
        """
        return 2 * float(self.alpha)

    def penalty(self, theta, scipy_blas=False):
        """``alpha * sum_l ||W_l||_F^2`` over the weight block of ``theta``.

        ``scipy_blas`` for the stochastic loop, whose products use scipy's BLAS.
        """
        w = theta[: self.layout.n_weights]
        w_dot_w = squared_norm(w) if scipy_blas else np.dot(w, w)
        return float(float(self.alpha) * w_dot_w)

    def penalty_gradient(self, weights, scale=1.0, out=None):
        """``scale * 2 alpha W`` for a block ``weights`` of weight entries."""
        return np.multiply(weights, self.penalty_slope * scale, out=out)

    def add_penalty_gradient(self, weights, grad, scale=1.0):
        """``grad += scale * 2 alpha W`` in place, with scipy's BLAS (see
        :func:`~skreg._network.axpy`), for the stochastic loop of large networks."""
        axpy(self.penalty_slope * scale, weights, grad)

    # -- J and its gradient -----------------------------------------------------

    def data_term_and_grad(
        self, theta, grad, rows=None, scale=None, workspace=None, grad_scale=1.0,
        views=None,
    ):
        """``scale * sum_i s_i l_i`` over ``rows`` (all when None), and its gradient.

        The gradient with respect to ``theta``, times ``grad_scale``, is written
        into ``grad``. With the default ``scale = 1 / sum(s)``
        over the whole data this is the data term L; for a minibatch,
        ``scale = n / (batch size * sum(s))`` gives an unbiased estimate of L and
        of its gradient. ``views`` is ``(layout.views(theta),
        layout.views(grad))`` when the caller keeps them (the training loop, which
        steps on the same two vectors throughout). Returns the value and the raw
        output.
        """
        if rows is None:
            X, Y, sw = self.X, self.Y, self.sample_weight
        else:
            X, Y, sw = self.X[rows], self.targets(rows), self.sample_weight[rows]
        if scale is None:
            # A Python float: a np.float64 scalar would make ``weighted`` and
            # the products with it float64 when X is float32 (NEP 50).
            scale = 1.0 / float(sw.sum(dtype=np.float64))
        if views is None:
            views = self.layout.views(theta), self.layout.views(grad)
        (coefs, intercepts, slopes), grad_views = views
        zs, activs, raw = forward(
            X, coefs, intercepts, slopes, self.activation, workspace
        )
        weighted = sw * scale
        losses, delta = self.loss.value_and_gradient(Y, raw)
        value = float(np.dot(weighted, losses))
        # Back-propagation is linear in delta: scaling it scales the whole gradient.
        delta *= (weighted if grad_scale == 1.0 else weighted * grad_scale)[:, None]
        backward(
            delta, zs, activs, coefs, slopes, self.activation, grad_views, workspace
        )
        return value, raw

    def value_and_grad(self, theta, grad):
        """J and its gradient (written into ``grad``), full batch.

        ``Y`` must already be in the dtype of X (see :meth:`full_batch`), as the
        loss reads it whole at every call.
        """
        value, _ = self.data_term_and_grad(theta, grad)
        n_w = self.layout.n_weights
        grad[:n_w] += self.penalty_gradient(theta[:n_w])
        return value + self.penalty(theta)

    def data_term_and_gradient_size(self, theta, preconditioner, chunk_rows=4096):
        """The data term L and ``||T^-T grad J||``, the size of J's gradient in
        the preconditioner's coordinates (independent of the scale of each
        feature), full batch.

        Summed over chunks of rows, so that no more than ``chunk_rows`` rows of
        activations are alive at once.
        """
        grad, total = np.empty_like(theta), np.zeros_like(theta)
        scale = 1.0 / float(self.sample_weight.sum(dtype=np.float64))
        data_term = 0.0
        for start in range(0, self.n_samples, chunk_rows):
            rows = slice(start, start + chunk_rows)
            value, _ = self.data_term_and_grad(theta, grad, rows, scale)
            data_term += value
            total += grad
        n_w = self.layout.n_weights
        total[:n_w] += self.penalty_gradient(theta[:n_w])
        return data_term, _norm(preconditioner.to_u(total))

    def data_term(self, theta, chunk_rows=4096):
        """The data term L of J at ``theta`` (J less the penalty), full batch.

        Over chunks of rows, as :meth:`data_term_and_gradient_size`: no more than
        ``chunk_rows`` rows of activations are alive at once.
        """
        views = self.layout.views(theta)
        total = 0.0
        for start in range(0, self.n_samples, chunk_rows):
            rows = slice(start, start + chunk_rows)
            raw = predict_raw(self.X[rows], *views, self.activation)
            losses = self.loss.value(self.targets(rows), raw)
            total += float(np.dot(self.sample_weight[rows], losses))
        return total / float(self.sample_weight.sum(dtype=np.float64))

    def final_loss(self, theta, n_rows):
        """Per-sample losses of the first ``n_rows`` rows (a finiteness check)."""
        rows = slice(0, min(self.n_samples, n_rows))
        coefs, intercepts, slopes = self.layout.views(theta)
        raw = predict_raw(self.X[rows], coefs, intercepts, slopes, self.activation)
        return self.loss.value(self.targets(rows), raw)

    # -- starting point ---------------------------------------------------------

    def output_scale(self):
        """Spread of each output's target, in the dtype of X (the loss decides)."""
        return self.loss.output_scale(self.targets(), self.sample_weight).astype(
            self.dtype
        )

    def preconditioner(self, statistics=None):
        """sgd's coordinates for this problem (:mod:`skreg._preconditioner`).

        From the data's own feature moments and target spread, or from the
        ``statistics`` of an earlier fit that this one continues.
        """
        if statistics is None:
            mean, scale = feature_moments(self.X, self.sample_weight)
            statistics = (mean, scale, self.output_scale().astype(np.float64))
        # (Fits from before the input floor kept three statistics.)
        mean, scale, output_scale, *floor = statistics
        return Preconditioner(
            self.layout, mean, scale, output_scale, self.dtype, *floor,
            homogeneous=self.activation.homogeneous,
        )

    def starting_weights(self, rng, preconditioner):
        """Glorot's weights in the preconditioner's coordinates, best constant output.

        The first layer then sees standardised features and the output layer
        targets of unit spread, whatever the scale of X and y.
        """
        theta = initialize(self.layout, self.activation, rng, self.dtype)
        _, intercepts, _ = self.layout.views(theta)
        intercepts[-1][...] = self.best_constant() / preconditioner.output_scale
        return preconditioner.to_theta(theta)

    # -- curvature --------------------------------------------------------------

    def max_curvature(self, theta, rng, preconditioner, n_iter, start=None):
        """Largest curvature of J in the preconditioner's coordinates, and its vector.

        The Gauss-Newton estimate of the data term (:meth:`gauss_newton`) plus the
        penalty's ``2 alpha`` times the largest squared factor between a weight
        and its coordinate. The automatic step size of sgd is built on it.
        """
        eigenvalue, vector = self.gauss_newton(
            theta, rng, preconditioner, n_iter, start
        )
        top = preconditioner.max_weight_factor() ** 2
        return eigenvalue + self.penalty_slope * top, vector

    def gauss_newton(self, theta, rng, preconditioner=None, n_iter=10, start=None):
        """Largest eigenvalue of ``T^-T G T^-1`` and its vector (G: Gauss-Newton of L).

        ``T`` is the preconditioner (the identity when None) whose coordinates
        the optimizer steps in.

        Power iteration on ``G v = J_f^T C J_f v`` where ``J_f`` is the Jacobian of
        the raw outputs and ``C`` the loss's curvature at ``theta``, bounded on the
        way to the targets (``Loss.path_curvature``). ``G v`` is the
        gradient at ``theta + eps v``, divided by eps, of the surrogate
        ``c/2 * ||f(theta') - f(theta)||^2``, whose own gradient vanishes at
        ``theta``: exact for a network that is linear in its parameters, off by
        O(eps) otherwise (eps is 1e-5 of ``||theta||``; 1e-3 in float32), far below
        what a step size needs. One forward and one backward pass per iteration.

        ``start`` is the first vector of the iteration (random when None): the
        last vector of an estimate at nearby weights converges in a few iterations.
        """
        surrogate_grad = self._gauss_newton_product(theta)
        if start is None:
            v = rng.standard_normal(theta.shape[0]).astype(theta.dtype)
        else:
            v = start.astype(theta.dtype, copy=True)
        grad_plus = np.empty_like(theta)
        eigenvalue = 0.0
        size = max(_norm(theta), 1.0)
        eps = (1e-3 if theta.dtype == np.float32 else 1e-5) * size
        for _ in range(n_iter):
            v /= _norm(v)
            direction = v.copy()
            if preconditioner is not None:
                preconditioner.to_theta(direction)
            length = max(_norm(direction), 1e-300)
            direction *= eps / length
            surrogate_grad(theta + direction, grad_plus)
            # G (T^-1 v) from the step along T^-1 v, back in u and to unit length.
            hv = grad_plus.copy()
            if preconditioner is not None:
                preconditioner.to_u(hv)
            hv *= length / eps
            eigenvalue = float(np.dot(v, hv))
            if not np.all(np.isfinite(hv)) or _norm(hv) == 0:
                break
            v = hv
        return eigenvalue, v

    def _gauss_newton_product(self, theta):
        """``surrogate_grad(point, grad)`` of :meth:`gauss_newton` at ``theta``."""
        layout, activation, X = self.layout, self.activation, self.X
        raw0 = predict_raw(X, *layout.views(theta), activation)
        Y = self.targets()
        sw = self.sample_weight
        curvature = self.loss.path_curvature(Y, raw0, sw)
        weights = (sw / sw.sum(dtype=np.float64)).astype(theta.dtype)

        def surrogate_grad(point, grad):
            c, b, s = layout.views(point)
            zs, activs, raw = forward(X, c, b, s, activation)
            delta = (raw - raw0) * curvature
            delta *= weights[:, None]
            backward(delta, zs, activs, c, s, activation, layout.views(grad))

        return surrogate_grad

    # -- the best constant model: zero weights, output bias at the best constant -----

    def best_constant(self):
        """The best constant model's raw output, per output: its output bias."""
        # np.average computes in the dtype of Y: give it the loss's dtype.
        return self.loss.fit_intercept_only(self.targets(), self.sample_weight)

    def constant_model(self, dtype=np.float64):
        """The targets and the best constant model's raw output on every row.

        Both of shape ``(n_samples, n_outputs)``, in ``dtype``. The constant is
        ``loss.fit_intercept_only`` of the targets in X's dtype, the output bias
        where training starts.
        """
        Y = self.targets()
        raw = np.broadcast_to(self.best_constant(), Y.shape).astype(dtype)
        return Y.astype(dtype, copy=False), raw

    def constant_value(self):
        """J of the best constant model: all weights zero, no penalty.

        With zero weights every hidden unit outputs a constant, so the network
        predicts its output bias on every row; at the best constant that bias is
        a stationary point of J for any network. A fit that ends clearly above
        this J has failed. (For losses whose ``fit_intercept_only`` is not the
        exact minimiser, the weighted mean under the absolute and Huber losses,
        the clipped frequencies of the log-loss, this J is an upper bound of the
        best constant's.)
        """
        # In X's dtype, as the loop computes J (the check compares with a 10%
        # margin); the weighted sum is float64.
        losses = self.loss.value(*self.constant_model(self.dtype))
        weights = self.sample_weight
        return float(np.dot(weights, losses) / weights.sum(dtype=np.float64))

    # -- where the penalty zeroes the network (the CV grid's top) -----------------

    def collapse_alpha(self):
        """``max|sigma'| ||G||_2 / 2``: from this alpha on, zero weights are a minimum.

        For a network with one hidden layer at zero weights (output bias at the
        best constant), the Hessian of J couples a hidden unit's outgoing weights
        v and incoming weights w through ``sigma'(b) G``, with
        ``G = sum_i s_i dl_i/draw x_i^T / sum_i s_i`` the data term's gradient
        with respect to a linear map; the penalty adds ``2 alpha`` on the
        diagonal. Zero is a minimum once ``2 alpha >= max|sigma'| ||G||_2``.
        """
        Y, raw = self.constant_model()
        sw = self.sample_weight
        residual = self.loss.gradient(Y, raw)
        residual *= (sw / sw.sum())[:, None]
        G = np.asarray(self.X.T @ residual, dtype=np.float64)
        return self.activation.max_slope * np.linalg.norm(G, 2) / 2

    def curvature_alpha(self, rng):
        """Half the largest Gauss-Newton curvature of L at random starting weights.

        Where the penalty's curvature equals the data term's: the CV grid's top
        when :meth:`collapse_alpha` is zero (constant targets, a single sample).
        """
        theta = initialize(self.layout, self.activation, rng, self.dtype)
        self.layout.views(theta)[1][-1][...] = self.best_constant()
        eigenvalue, _ = self.gauss_newton(theta, rng)
        return eigenvalue / 2
