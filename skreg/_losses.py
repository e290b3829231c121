"""Output losses: one class per loss, carrying its parameters, link and domain.

In the shape of scikit-learn's ``sklearn/_loss/loss.py``. Every loss works on the
*raw* output ``raw`` of the last layer, shape ``(n_samples, n_outputs)``, and the
encoded target ``y`` of the same shape:

- ``value(y, raw)`` is the per-sample loss ``l_i``, shape ``(n_samples,)``; the
  sample-weighted mean of ``l_i`` is the data term ``L`` of the objective and
  equals the scikit-learn metric named in ``metric``;
- ``gradient(y, raw)`` is ``d l_i / d raw``, shape ``(n_samples, n_outputs)``. It
  is taken with respect to the raw output, so it holds for every pairing of loss
  and link (``output - y`` is only right for canonical pairs);
- ``curvature(y, raw)`` bounds ``d^2 l_i / d raw_k^2`` per output ``k``, and
  ``path_curvature(y, raw)`` bounds it on the way from ``raw`` toward ``y`` (the
  Gauss-Newton weight used to choose the automatic SGD step size);
- ``link`` maps between raw outputs and predictions (``out_activation_``);
- ``fit_intercept_only(y, sample_weight)`` is the raw output bias of the best
  constant model, where training starts;
- ``output_scale(y, sample_weight)`` is the spread of each output's target, the
  preconditioner of sgd's output layer (ones where the link fixes the scale);
- ``sample_targets(rng, raw)`` draws valid targets away from the loss's kinks,
  for tests.

A loss with a parameter (Huber's threshold, the quantile) takes it in its
constructor; ``estimator_params`` names the estimator parameter that feeds it, and
``parameter_constraints`` how the estimator validates that parameter.
"""

from numbers import Real

import numpy as np
from scipy.special import expit, log_expit, softmax, xlogy
from sklearn.utils._param_validation import Interval

from skreg._links import IdentityLink, LogitLink, LogLink, SoftmaxLink


def _weighted_mean(y, sample_weight):
    return np.average(y, axis=0, weights=sample_weight)


def _weighted_quantile(y, sample_weight, quantile):
    """Per column, the smallest y whose cumulative weight reaches ``quantile``."""
    order = np.argsort(y, axis=0, kind="stable")
    sorted_y = np.take_along_axis(y, order, axis=0)
    cumulative = np.cumsum(sample_weight[order], axis=0)
    reached = cumulative >= quantile * cumulative[-1]
    return sorted_y[np.argmax(reached, axis=0), np.arange(y.shape[1])]


def _residual_gaps(rng, shape, kinks):
    """Signed residuals with |r| in [0.1, 3], at least 0.1 from every kink."""
    size = rng.uniform(0.1, 3.0, shape)
    for kink in kinks:
        near = np.abs(size - kink) < 0.1
        size[near] = kink + 0.2
    return rng.choice([-1.0, 1.0], size=shape) * size


class Loss:
    """A per-sample loss on raw network outputs (see the module docstring)."""

    name: str
    link = IdentityLink()
    #: The scikit-learn metric (or formula) that the weighted mean of ``l_i`` is.
    metric: str
    #: Human-readable target domain; ``check_y`` is False outside it.
    y_domain = "all real numbers"
    #: The targets must be >= 0 (scikit-learn's ``positive_only`` tag).
    non_negative_targets = False
    differentiable = True
    #: Estimator parameter name -> constructor argument.
    estimator_params: dict = {}
    #: Estimator parameter name -> scikit-learn constraints.
    parameter_constraints: dict = {}

    @classmethod
    def from_params(cls, params):
        """The loss built from an estimator's parameters (a name -> value map)."""
        return cls(**{arg: params[name] for name, arg in cls.estimator_params.items()})

    def params(self):
        """The constructor's arguments as plain Python values: ``type(self)(**p)``
        rebuilds this loss (what a fitted estimator keeps)."""
        values = {arg: getattr(self, arg) for arg in self.estimator_params.values()}
        return {
            arg: value.item() if isinstance(value, np.generic) else value
            for arg, value in values.items()
        }

    @property
    def out_activation(self):
        return self.link.name

    def inverse_link(self, raw):
        return self.link.inverse(raw)

    def check_y(self, y):
        """True when every target is in the loss's domain."""
        return not self.non_negative_targets or bool(np.all(y >= 0))

    def fit_intercept_only(self, y, sample_weight):
        """Raw bias of the best constant model: the link of the weighted mean."""
        return self.link.link(_weighted_mean(y, sample_weight))

    def output_scale(self, y, sample_weight):
        """Spread of each output's target (ones: the link fixes the scale)."""
        return np.ones(y.shape[1], dtype=y.dtype)

    def target_offset(self, y, sample_weight):
        """What the targets are centred by before the cast to X's dtype (None:
        they are not; only targets on the raw output's own scale can be)."""
        return None

    def value_and_gradient(self, y, raw):
        """``value(y, raw)`` and ``gradient(y, raw)`` together, for the training
        loop (a loss that shares work between the two overrides it)."""
        return self.value(y, raw), self.gradient(y, raw)

    def path_curvature(self, y, raw, sample_weight=None):
        """A bound of :meth:`curvature` from ``raw`` to where training heads (y).

        What the automatic step size is built on. The curvature itself, unless
        it grows as the predictions move toward the targets (poisson) or the
        outputs may start saturated (log-loss: at least the curvature of the
        best constant model, the ``sample_weight``-weighted class frequencies).
        """
        return self.curvature(y, raw)

    def curvature(self, y, raw):
        """``1 / n_outputs``: for losses without curvature almost everywhere."""
        return np.full((raw.shape[0], 1), 1 / raw.shape[1], dtype=raw.dtype)

    def __repr__(self):
        args = [f"{a}={getattr(self, a)!r}" for a in self.estimator_params.values()]
        return f"{type(self).__name__}({', '.join(args)})"


class _RealTargetLoss(Loss):
    """Identity link, targets anywhere on the real line."""

    #: Points of |y - raw| where the loss is not smooth (kept off by the sampler).
    kinks = ()

    def output_scale(self, y, sample_weight):
        """Weighted standard deviation of each output (1 where it is zero)."""
        mean = _weighted_mean(y, sample_weight)
        # Targets beyond ~1e154 overflow the spread (to inf, or NaN where a zero
        # weight meets inf); the fit then reports them as too large.
        with np.errstate(over="ignore", invalid="ignore"):
            std = np.sqrt(_weighted_mean((y - mean) ** 2, sample_weight))
        return np.where(std > 0, std, 1.0)

    def sample_targets(self, rng, raw):
        return raw - _residual_gaps(rng, raw.shape, self.kinks)

    def target_offset(self, y, sample_weight):
        """The best constant, in float64: the network then fits ``y - offset``
        and its output bias starts near 0, so that neither the float32 cast of
        y nor float32 steps on a large bias lose y's digits. The bias is not
        penalised: the shift changes neither J nor its minimisers."""
        with np.errstate(over="ignore", invalid="ignore"):
            offset = self.fit_intercept_only(
                np.asarray(y, dtype=np.float64), np.asarray(sample_weight, np.float64)
            )
        # Targets near float64's range have no finite mean: left as they are,
        # for the checks of the data to report.
        return offset if np.all(np.isfinite(offset)) else None


class SquaredError(_RealTargetLoss):
    """Mean over outputs of ``(y - f)^2``."""

    name = "squared_error"
    metric = "mean_squared_error"

    def value(self, y, raw):
        r = raw - y
        return np.einsum("ij,ij->i", r, r) / raw.shape[1]

    def gradient(self, y, raw):
        return (raw - y) * (2 / raw.shape[1])

    def value_and_gradient(self, y, raw):
        # One residual for both (the same numbers as value and gradient).
        residual = raw - y
        value = np.einsum("ij,ij->i", residual, residual) / raw.shape[1]
        residual *= 2 / raw.shape[1]
        return value, residual

    def curvature(self, y, raw):
        return 2 * super().curvature(y, raw)


class AbsoluteError(_RealTargetLoss):
    """Mean over outputs of ``|y - f|``."""

    name = "absolute_error"
    metric = "mean_absolute_error"
    differentiable = False
    kinks = (0.0,)

    def value(self, y, raw):
        return np.abs(raw - y).mean(axis=1)

    def gradient(self, y, raw):
        return np.sign(raw - y) / raw.shape[1]


class HuberLoss(_RealTargetLoss):
    """Mean over outputs of Huber's loss with threshold ``delta``."""

    name = "huber"
    metric = "torch.nn.HuberLoss(delta=huber_delta)"
    estimator_params = {"huber_delta": "delta"}
    parameter_constraints = {
        "huber_delta": [Interval(Real, 0, None, closed="neither")]
    }

    def __init__(self, delta=1.0):
        self.delta = delta
        self.kinks = (delta,)

    def value(self, y, raw):
        abs_r = np.abs(raw - y)
        quadratic = np.minimum(abs_r, self.delta)
        # r^2/2 inside, delta * (|r| - delta/2) outside, in one expression.
        linear = self.delta * (abs_r - quadratic)
        return (0.5 * quadratic * quadratic + linear).mean(axis=1)

    def gradient(self, y, raw):
        return np.clip(raw - y, -self.delta, self.delta) / raw.shape[1]


class PinballLoss(_RealTargetLoss):
    """Mean over outputs of ``max(q r, (q - 1) r)``, ``r = y - f``.

    Its minimiser predicts the ``q``-quantile of y given x: two fits at, say,
    ``q = 0.05`` and ``0.95`` bound a 90% prediction interval.
    """

    name = "quantile"
    metric = "mean_pinball_loss(alpha=quantile)"
    differentiable = False
    kinks = (0.0,)
    estimator_params = {"quantile": "quantile"}
    parameter_constraints = {"quantile": [Interval(Real, 0, 1, closed="neither")]}

    def __init__(self, quantile=0.5):
        self.quantile = quantile

    def value(self, y, raw):
        r = y - raw
        return np.maximum(self.quantile * r, (self.quantile - 1) * r).mean(axis=1)

    def gradient(self, y, raw):
        # d/draw is -q where y > raw, 1 - q where y < raw (q - 1/2 between).
        above = np.heaviside(raw - y, 0.5).astype(raw.dtype, copy=False)
        return (above - raw.dtype.type(self.quantile)) / raw.shape[1]

    def fit_intercept_only(self, y, sample_weight):
        """The weighted ``quantile`` of each output: the best constant."""
        return _weighted_quantile(y, sample_weight, self.quantile)


class PoissonLoss(Loss):
    """Mean over outputs of ``2 (y log(y / mu) - y + mu)``, ``mu = exp(f)``."""

    name = "poisson"
    link = LogLink()
    metric = "mean_poisson_deviance"
    y_domain = "y >= 0"
    non_negative_targets = True

    def value(self, y, raw):
        # 2 * (y log(y / mu) - y + mu) with mu = exp(raw), written without log(mu).
        mu = np.exp(raw)
        return 2 * (xlogy(y, y) - y * raw - y + mu).mean(axis=1)

    def gradient(self, y, raw):
        return (np.exp(raw) - y) * (2 / raw.shape[1])

    def curvature(self, y, raw):
        return np.exp(raw) * (2 / raw.shape[1])

    def path_curvature(self, y, raw, sample_weight=None):
        # The curvature is the prediction exp(raw), which training moves toward
        # y: the larger of the two bounds it along the way.
        return np.maximum(np.exp(raw), y) * (2 / raw.shape[1])

    def fit_intercept_only(self, y, sample_weight):
        mean = _weighted_mean(y, sample_weight)
        return np.log(np.maximum(mean, np.finfo(y.dtype).tiny))

    def sample_targets(self, rng, raw):
        return rng.poisson(2.0, size=raw.shape).astype(raw.dtype)


class _LogLoss(Loss):
    """Log-loss on encoded labels; the starting bias avoids infinite logits."""

    metric = "log_loss"
    #: Class frequencies are clipped to [tiny, 1 - tiny] for the starting bias.
    tiny = 1e-6

    def fit_intercept_only(self, y, sample_weight):
        mean = np.clip(_weighted_mean(y, sample_weight), self.tiny, 1 - self.tiny)
        return self.link.link(mean)

    def path_curvature(self, y, raw, sample_weight=None):
        # Saturated outputs (p near 0 or 1) have almost no curvature, but the
        # penalty pulls them back toward the best constant model, the class
        # frequencies q, whose curvature is q (1 - q): the step must suit that
        # too. Without it, a warm start from saturated outputs took a step
        # thousands of times too large.
        frequency = _weighted_mean(y, sample_weight).astype(raw.dtype)
        return np.maximum(self.curvature(y, raw), frequency * (1 - frequency))


class BinaryLogLoss(_LogLoss):
    """Logistic per output, log-loss summed over outputs (binary, multilabel)."""

    name = "binary_log_loss"
    link = LogitLink()
    y_domain = "{0, 1} per output"

    def value(self, y, raw):
        # -(y log p + (1 - y) log(1 - p)) summed over labels, p = expit(raw).
        return -(y * log_expit(raw) + (1 - y) * log_expit(-raw)).sum(axis=1)

    def gradient(self, y, raw):
        return expit(raw) - y

    def curvature(self, y, raw):
        p = expit(raw)
        return p * (1 - p)

    def sample_targets(self, rng, raw):
        return rng.integers(0, 2, size=raw.shape).astype(raw.dtype)


def _shifted_exp(raw):
    """``exp(raw - max)`` per row and the row maxima: no overflow, one exp pass."""
    row_max = raw.max(axis=1, keepdims=True)
    # raw - max can only overflow towards -inf (float32 near its range), where
    # exp gives the right 0.
    with np.errstate(over="ignore"):
        shifted = np.exp(raw - row_max)
    return shifted, row_max


class MultinomialLogLoss(_LogLoss):
    """Softmax across outputs and the log-loss of the one-hot target."""

    name = "multinomial_log_loss"
    link = SoftmaxLink()
    y_domain = "one-hot rows"

    def value(self, y, raw):
        shifted, row_max = _shifted_exp(raw)
        log_sum_exp = row_max[:, 0] + np.log(shifted.sum(axis=1))
        return log_sum_exp - np.einsum("ij,ij->i", y, raw)

    def gradient(self, y, raw):
        shifted, _ = _shifted_exp(raw)
        shifted /= shifted.sum(axis=1, keepdims=True)
        return shifted - y

    def value_and_gradient(self, y, raw):
        # One softmax for both: the same numbers as value() and gradient().
        shifted, row_max = _shifted_exp(raw)
        sum_exp = shifted.sum(axis=1)
        value = row_max[:, 0] + np.log(sum_exp) - np.einsum("ij,ij->i", y, raw)
        shifted /= sum_exp[:, None]
        shifted -= y
        return value, shifted

    def curvature(self, y, raw):
        # The softmax Hessian diag(p) - p p^T is bounded by diag(p (1 - p)) along
        # any single output: good enough for a step-size estimate.
        p = softmax(raw, axis=1)
        return p * (1 - p)

    def sample_targets(self, rng, raw):
        return np.eye(raw.shape[1], dtype=raw.dtype)[
            rng.integers(0, raw.shape[1], size=raw.shape[0])
        ]


#: The regressor's ``loss`` parameter: name -> loss class.
REGRESSION_LOSSES = {
    cls.name: cls
    for cls in (SquaredError, AbsoluteError, HuberLoss, PinballLoss, PoissonLoss)
}
#: The classifier's losses, chosen by the target type (its ``loss`` is log_loss).
CLASSIFICATION_LOSSES = {cls.name: cls for cls in (BinaryLogLoss, MultinomialLogLoss)}
#: Every loss class by name.
LOSSES = {**REGRESSION_LOSSES, **CLASSIFICATION_LOSSES}
