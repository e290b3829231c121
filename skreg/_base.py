"""Shared estimator machinery: parameters, validation, the training loops, lbfgs."""

import copy
import signal
import threading
import time
import warnings
from abc import ABC, abstractmethod
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from skreg._activations import ACTIVATIONS
from skreg._network import (
    Layout,
    Workspace,
    data_loss_and_grad,
    gauss_newton_max_eigenvalue,
    initialize,
    objective_and_grad,
    penalty,
    predict_raw,
)
from skreg._optimizers import OPTIMIZERS
from skreg._progress import Progress
from skreg._version import __version__

#: At most this many rows are used to estimate the automatic SGD step size.
_STEP_SIZE_ROWS = 1000
#: Rows on which J is checked at the final weights of a stochastic fit.
_FINAL_CHECK_ROWS = 64
#: Step size of Adam when ``learning_rate_init="auto"``.
_ADAM_AUTO_LEARNING_RATE = 1e-3
#: Power iterations for the automatic step: from a random vector, and from the
#: previous fit's last vector when ``warm_start`` continues from nearby weights.
_POWER_ITERATIONS, _WARM_POWER_ITERATIONS = 10, 3
#: How often the automatic step is quartered after a blow-up before giving up.
_AUTO_STEP_RETRIES = 10



class DivergenceError(ValueError):
    """Training produced a non-finite loss or non-finite weights."""


class _Interrupted(Exception):
    """Raised inside the lbfgs objective after a deferred Ctrl-C."""


@contextmanager
def _deferred_interrupt():
    """Turn Ctrl-C into a flag that the training loops check between steps.

    Outside the main thread signals cannot be caught; the flag then stays False and
    a KeyboardInterrupt is handled where it surfaces.
    """
    hit = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield hit
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        hit.set()

    signal.signal(signal.SIGINT, handler)
    try:
        yield hit
    finally:
        signal.signal(signal.SIGINT, previous)


def _hidden_layer_sizes(value):
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


def _divergence_message(what, epoch, solver="sgd"):
    if solver == "lbfgs":
        advice = "Scale the data (for example with StandardScaler) or lower alpha."
    else:
        advice = (
            "Scale the data (for example with StandardScaler), lower "
            "learning_rate_init, or use learning_rate_init='auto'."
        )
    return f"Training diverged: the {what} became non-finite at epoch {epoch}. {advice}"


def _max_abs(A):
    """Largest absolute entry of a dense or sparse array (0 when empty)."""
    A = abs(A)
    return float(A.max()) if A.shape[0] * A.shape[1] else 0.0


def _not_finite_at_start(X, Y, alpha):
    """A data error: J is not finite at the starting weights, before any step."""
    return ValueError(
        "The objective J is not finite at the starting weights, before any "
        f"training step: the data are too large for {X.dtype} arithmetic "
        f"(max |X| = {_max_abs(X):.3g}, max |y| = {_max_abs(Y):.3g}, "
        f"alpha = {alpha:.3g}). Scale X and y (for example with StandardScaler) "
        "or lower alpha."
    )


def _targets_as(Y, dtype):
    """Targets in the dtype of X; finite y beyond float32's range is an error.

    Bool targets (the classifier's label indicators) stay bool, an eighth of the
    memory of float64: `_loss_targets` converts the rows the loss reads.
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


def _loss_targets(Y, dtype, rows=slice(None)):
    """``Y[rows]`` as the loss must see it: in the dtype of X (no copy if it is)."""
    return Y[rows].astype(dtype, copy=False)


def _check_target_domain(loss, Y):
    if not loss.check_y(Y):
        raise ValueError(
            f"loss={loss.name!r} requires targets in the domain {loss.y_domain}."
        )


def _rescale_weights(sample_weight):
    """Divide the weights by a power of two when their sum could over/underflow.

    J does not change when all weights are multiplied by a constant, and a power
    of two keeps every ratio exact; weights of ordinary size are left untouched.
    """
    top = float(sample_weight.max())
    if 2.0**-64 <= top <= 2.0**64:
        return sample_weight
    return np.ldexp(sample_weight, -int(np.frexp(top)[1]))


class _TrainingState:
    """Everything a fit produces, assigned to the estimator only on success."""

    def __init__(self, theta, layout, optimizer, rng, n_iter=0, t=0):
        self.theta = theta
        self.layout = layout
        self.optimizer = optimizer
        self.rng = rng
        self.n_iter = n_iter
        self.t = t
        self.loss_curve = []
        # False until the first optimizer step of this call: a non-finite J
        # before it is an error in the data, not a divergence.
        self.stepped = False
        self.best_loss = np.inf
        self.no_improvement = 0
        self.validation_scores = None
        self.best_validation_score = None
        self.loss = None
        self.interrupted = False
        self.output_scale = None
        # The last epoch's estimate of J as (data term, penalty), for verbose.
        self.epoch_parts = (np.nan, np.nan)
        self.progress = Progress(0, 1)
        # The last vector of the step size's power iteration (see
        # gauss_newton_max_eigenvalue): a warm start begins its estimate there.
        self.curvature_direction = None


def _preconditioner(layout, output_scale, dtype):
    """Diagonal ``P``: the output unit's target scale on its weights and bias.

    sgd steps in ``u = theta / P``, so that an output whose target spreads over
    a wide range (y in the hundreds) is as well conditioned as a standardised
    one. The objective, and so its stationary points, do not change.
    """
    scale = np.ones(layout.n_params, dtype=dtype)
    coefs, intercepts, _ = layout.views(scale)
    coefs[-1][...] = output_scale
    intercepts[-1][...] = output_scale
    return scale


class _BaseL2MLP(BaseEstimator, ABC):
    """Base class of the L2-penalised MLP estimators (not for direct use)."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions({"sgd", "adam", "lbfgs"})],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [
            StrOptions({"auto"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        alpha=1e-4,
        solver="sgd",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.alpha = alpha
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    # -- what the subclasses supply ----------------------------------------------------

    @abstractmethod
    def _encode_targets(self, y, reset, classes=None):
        """Validate y and return ``(Y, encoder_state)``, Y of shape (n, n_outputs)."""

    @abstractmethod
    def _output_loss(self, n_outputs, encoder_state):
        """The loss record for this estimator and target encoding."""

    @abstractmethod
    def _validation_score(self, Y, raw, sample_weight):
        """The score used for early stopping, from encoded targets and raw outputs."""

    @abstractmethod
    def _initial_output_bias(self, Y, sample_weight, loss):
        """Output bias that makes the initial prediction the weighted target mean."""

    # -- validation ----------------------------------------------------------

    @property
    def _activation(self):
        return ACTIVATIONS[self.activation]

    def _huber_delta(self):
        return getattr(self, "huber_delta", None)

    def _validate_inputs(self, X, y, sample_weight, reset):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse="csr",
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=self._y_numeric,
        )
        if X.shape[1] == 0:
            raise ValueError(
                f"0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
            )
        if sample_weight is not None:
            # Checked in float64 and rescaled before any cast to float32, so that
            # finite weights never overflow to inf or vanish to 0.
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            if not np.all(np.isfinite(sample_weight)):
                raise ValueError("sample_weight contains NaN or infinity.")
            sample_weight = _rescale_weights(sample_weight).astype(
                X.dtype, copy=False
            )
        else:
            sample_weight = np.ones(X.shape[0], dtype=X.dtype)
        return X, y, sample_weight

    def _validate_hyperparameters(self):
        self._validate_params()
        sizes = _hidden_layer_sizes(self.hidden_layer_sizes)
        return sizes

    # -- fitting ----------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        """Fit the network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 input trains in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the data term of J is their weighted mean.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver not in OPTIMIZERS:
            raise AttributeError(
                f"partial_fit is only available for stochastic solvers "
                f"{sorted(OPTIMIZERS)}, not for solver={self.solver!r}."
            )
        return True

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        sizes = self._validate_hyperparameters()
        snapshot = dict(self.__dict__)
        try:
            return self._fit_validated(X, y, sample_weight, incremental, classes, sizes)
        except BaseException:
            # Nothing half-written: a failed fit leaves the estimator as it was.
            self.__dict__.clear()
            self.__dict__.update(snapshot)
            raise

    def _fit_validated(self, X, y, sample_weight, incremental, classes, sizes):
        fitted = hasattr(self, "coefs_")
        reset = not fitted or not (incremental or self.warm_start)
        X, y, sample_weight = self._validate_inputs(X, y, sample_weight, reset)
        Y, encoder = self._encode_targets(y, reset, classes)
        Y = _targets_as(Y, X.dtype)
        loss = self._output_loss(Y.shape[1], encoder)
        _check_target_domain(loss, Y)
        if self.solver == "lbfgs" and not loss.differentiable:
            warnings.warn(
                f"loss={loss.name!r} is not differentiable where a residual is zero; "
                "lbfgs may stop early. Prefer solver='sgd' or 'adam', or "
                "loss='huber'.",
                UserWarning,
                stacklevel=3,
            )
        activation = self._activation
        layout = Layout((X.shape[1], *sizes, Y.shape[1]), activation.learns_slope)
        # The encoder is needed by early stopping's score; a failed fit rolls
        # it back with everything else.
        self._set_encoder(encoder)
        state = self._starting_state(
            reset, incremental, layout, activation, loss, X, Y, sample_weight
        )
        state.progress = Progress(
            self.verbose,
            1 if incremental else self.max_iter,
            "iteration" if self.solver == "lbfgs" else "epoch",
        )
        with _deferred_interrupt() as interrupt, np.errstate(
            over="ignore", invalid="ignore", divide="ignore", under="ignore"
        ), state.progress:
            if self.solver == "lbfgs":
                self._fit_lbfgs(state, activation, loss, X, Y, sample_weight, interrupt)
            else:
                self._fit_stochastic(
                    state, activation, loss, X, Y, sample_weight, incremental, interrupt
                )
        self._assign_fitted(state, encoder, loss)
        return self

    def _starting_state(
        self, reset, incremental, layout, activation, loss, X, Y, sample_weight
    ):
        """Fresh weights, or a copy of the fitted ones when training continues."""
        if reset:
            rng = check_random_state(self.random_state)
            theta = initialize(layout, activation, rng, X.dtype)
            # np.average computes in the dtype of Y: give it the loss's dtype.
            Y_float = _loss_targets(Y, X.dtype)
            output_scale = self._output_scale(Y_float, sample_weight, loss).astype(
                X.dtype
            )
            coefs, intercepts, _ = layout.views(theta)
            coefs[-1] *= output_scale
            intercepts[-1][...] = self._initial_output_bias(
                Y_float, sample_weight, loss
            )
            del Y_float
            state = _TrainingState(theta, layout, None, rng)
        else:
            if self._layout != layout:
                raise ValueError(
                    "The network shape changed since the last fit: layer sizes "
                    f"{self._layout.layer_sizes} before, {layout.layer_sizes} now "
                    f"(learned PReLU slopes: {self._layout.learns_slope} before, "
                    f"{layout.learns_slope} now). Set warm_start=False to start "
                    "again."
                )
            theta = layout.pack(
                self.coefs_, self.intercepts_, getattr(self, "prelu_slopes_", []),
                X.dtype,
            ).copy()
            output_scale = self._output_scale_.astype(X.dtype)
            # A copy of the generator: a failed call must not advance its stream.
            state = _TrainingState(
                theta, layout, None, copy.deepcopy(self._rng), n_iter=self.n_iter_,
                t=self.t_,
            )
            state.loss_curve = list(getattr(self, "loss_curve_", []))
            state.best_loss = getattr(self, "best_loss_", None) or np.inf
            state.no_improvement = getattr(self, "_no_improvement_count", 0)
            direction = getattr(self, "_curvature_direction", None)
            if direction is not None and direction.shape == theta.shape:
                state.curvature_direction = direction
        state.output_scale = output_scale
        if self.solver in OPTIMIZERS:
            continuing = incremental and not reset and hasattr(self, "_optimizer")
            if continuing and self._optimizer.dtype == X.dtype:
                state.optimizer = copy.deepcopy(self._optimizer)
            else:
                state.optimizer = self._make_optimizer(
                    state, activation, loss, X, Y, sample_weight
                )
        return state

    def _make_optimizer(self, state, activation, loss, X, Y, sw):
        learning_rate = self.learning_rate_init
        if learning_rate == "auto":
            learning_rate = self._auto_learning_rate(state, activation, loss, X, Y, sw)
        options = {"schedule": self.learning_rate, "power_t": self.power_t}
        if self.solver == "sgd":
            options.update(momentum=self.momentum, nesterov=self.nesterovs_momentum)
        else:
            options.update(
                beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon
            )
        return OPTIMIZERS[self.solver](state.theta, learning_rate, **options)

    def _auto_learning_rate(self, state, activation, loss, X, Y, sw):
        """Step size ``1 / lambda_max(P (G + 2 alpha I_W) P)`` for sgd; 1e-3 for adam.

        ``G`` is the Gauss-Newton matrix of the data term at the starting weights,
        ``2 alpha`` the curvature of the penalty and ``P`` the output-scale
        preconditioner of sgd: a step below the inverse of the largest curvature
        is stable whatever the scale of X, y or alpha.
        """
        if self.solver == "adam":
            return _ADAM_AUTO_LEARNING_RATE
        theta, layout, rng = state.theta, state.layout, state.rng
        rows = slice(None)
        if X.shape[0] > _STEP_SIZE_ROWS:
            rows = np.sort(rng.choice(X.shape[0], _STEP_SIZE_ROWS, replace=False))
        scale = _preconditioner(layout, state.output_scale, theta.dtype)
        start = state.curvature_direction
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            curvature, state.curvature_direction = gauss_newton_max_eigenvalue(
                theta, layout, activation, loss, X[rows],
                _loss_targets(Y, X.dtype, rows), sw[rows], rng,
                scale=scale,
                n_iter=_POWER_ITERATIONS if start is None else _WARM_POWER_ITERATIONS,
                start=start,
                return_vector=True,
            )
        curvature += 2 * self.alpha * float(np.max(scale[: layout.n_weights]) ** 2)
        if not np.isfinite(curvature) or curvature <= 0:
            raise ValueError(
                "Could not choose a step size: the curvature of the objective at "
                f"the initial weights is {curvature:.3g} (saturated outputs or "
                "overflow: the data are badly scaled). Scale the data (for example "
                "with StandardScaler) or set learning_rate_init."
            )
        return (1 - self.momentum) / curvature

    # -- the stochastic loop ----------------------------------------------------------

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"Got batch_size={self.batch_size} larger than the {n_samples} "
                "samples: clipping it to the number of samples.",
                UserWarning,
                stacklevel=4,
            )
        # int(): batch_size=True passes the Integral constraint.
        return min(int(self.batch_size), n_samples)

    def _split_validation(self, X, Y, sample_weight, rng):
        stratify = self._stratify_labels(Y)
        n_val = int(round(self.validation_fraction * X.shape[0]))
        if n_val < 1 or X.shape[0] - n_val < 1:
            raise ValueError(
                f"early_stopping needs at least one validation and one training "
                f"sample: validation_fraction={self.validation_fraction} of "
                f"{X.shape[0]} samples leaves {n_val} for validation and "
                f"{X.shape[0] - n_val} for training."
            )
        return train_test_split(
            X,
            Y,
            sample_weight,
            test_size=self.validation_fraction,
            random_state=rng,
            stratify=stratify,
        )

    def _stratify_labels(self, Y):
        return None

    def _output_scale(self, Y, sample_weight, loss):
        """Spread of each output's target, the sgd preconditioner (ones here)."""
        return np.ones(Y.shape[1])

    def _fit_stochastic(
        self, state, activation, loss, X, Y, sw, incremental, interrupt
    ):
        early_stopping = self.early_stopping and not incremental
        if early_stopping:
            X, X_val, Y, Y_val, sw, sw_val = self._split_validation(X, Y, sw, state.rng)
            if not sw_val.sum(dtype=np.float64) > 0:
                raise ValueError(
                    "The sample weights of the early_stopping validation part sum to "
                    "zero; give more samples non-zero weight or change "
                    "validation_fraction or random_state."
                )
            state.validation_scores = list(self._previous_validation_scores())
            state.best_validation_score = -np.inf
            best_theta = state.theta.copy()
        total_weight = float(sw.sum(dtype=np.float64))
        if total_weight <= 0:
            raise ValueError("The sample weights of the training part sum to zero.")
        theta, optimizer = state.theta, state.optimizer
        # With the automatic step, a blow-up restores the last good weights and
        # retries with a quarter of the step; a step set by hand raises instead.
        retries_left = _AUTO_STEP_RETRIES if self.learning_rate_init == "auto" else 0
        checkpoint = theta.copy()
        epochs_left = 1 if incremental else self.max_iter
        while epochs_left > 0:
            started = time.perf_counter()
            try:
                epoch_loss = self._run_epoch(state, activation, loss, X, Y, sw,
                                             total_weight, interrupt)
            except DivergenceError:
                if retries_left == 0:
                    raise
                retries_left -= 1
                np.copyto(theta, checkpoint)
                optimizer.restart(optimizer.learning_rate / 4)
                continue
            epochs_left -= 1
            if interrupt.is_set():
                self._warn_interrupted(state)
                break
            state.n_iter += 1
            state.loss_curve.append(epoch_loss)
            state.loss = epoch_loss
            optimizer.end_epoch(state.t)
            if epoch_loss <= state.best_loss:
                np.copyto(checkpoint, theta)
            if early_stopping:
                raw_val = self._raw_from_theta(X_val, theta, state.layout)
                if not np.all(np.isfinite(raw_val)):
                    # The epoch's last step, not yet checked by a minibatch loss.
                    raise DivergenceError(
                        _divergence_message("validation output", state.n_iter)
                    )
                score = self._validation_score(Y_val, raw_val, sw_val)
                state.validation_scores.append(score)
                improved = score > state.best_validation_score + self.tol
                if score > state.best_validation_score:
                    state.best_validation_score = score
                    np.copyto(best_theta, theta)
            else:
                improved = epoch_loss < state.best_loss - self.tol
            state.best_loss = min(state.best_loss, epoch_loss)
            state.no_improvement = 0 if improved else state.no_improvement + 1
            self._report_epoch(state, optimizer, started)
            if state.no_improvement > self.n_iter_no_change:
                if optimizer.should_stop():
                    break
                state.no_improvement = 0
        else:
            if not incremental:
                warnings.warn(
                    f"Stochastic optimizer: maximum iterations ({self.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
        if early_stopping:
            if not state.interrupted:
                np.copyto(theta, best_theta)
            state.best_loss = None
        self._check_final_loss(state, loss, X, Y)

    def _check_final_loss(self, state, loss, X, Y):
        """Raise DivergenceError if J is not finite at the final weights.

        Every step but the last is checked by the loss of the next minibatch; the
        last one is checked here, on a few rows (finite weights can still overflow
        the forward pass).
        """
        rows = slice(0, min(X.shape[0], _FINAL_CHECK_ROWS))
        raw = self._raw_from_theta(X[rows], state.theta, state.layout)
        value = loss.value(_loss_targets(Y, X.dtype, rows), raw, self._huber_delta())
        if not np.all(np.isfinite(value)):
            raise DivergenceError(_divergence_message("loss", state.n_iter))

    def _previous_validation_scores(self):
        return getattr(self, "validation_scores_", None) or []

    def _run_epoch(self, state, activation, loss, X, Y, sw, total_weight, interrupt):
        """One pass over the data in minibatches; returns the epoch's estimate of J.

        The weights are left as they were after the last complete minibatch, also
        when a Ctrl-C arrives; a non-finite loss or weight raises DivergenceError.
        """
        layout, theta, optimizer = state.layout, state.theta, state.optimizer
        n_samples = X.shape[0]
        batch_size = self._batch_size(n_samples)
        grad = np.empty_like(theta)
        grad_coefs, grad_intercepts, _ = layout.views(grad)
        coefs = layout.views(theta)[0]
        workspace = Workspace(layout, batch_size, theta.dtype)
        # Large networks under sgd: the products build the step -lr * g
        # themselves (penalty's share first, then the data gradient added by
        # the weight-gradient product), which saves passes over the weights.
        step_in_products = self.solver == "sgd" and workspace.scipy_blas
        # Only the automatic step is taken in the preconditioned coordinates; a
        # step set by hand is plain SGD on J.
        precondition = (
            self.solver == "sgd"
            and self.learning_rate_init == "auto"
            and np.any(state.output_scale != 1)
        )
        # The weights whose penalty gradient the optimizer adds (all but the
        # preconditioned output weights, handled here).
        decay_stop = layout.n_weights - (coefs[-1].size if precondition else 0)
        penalty_grad = np.empty_like(coefs[-1])
        output_scale_sq = state.output_scale**2
        weights = theta[: layout.n_weights]
        order = state.rng.permutation(n_samples) if self.shuffle else None
        data_sum, penalty_sum, n_batches = 0.0, 0.0, 0
        for start in range(0, n_samples, batch_size):
            if order is None:
                rows = slice(start, start + batch_size)
            else:
                rows = order[start : start + batch_size]
            X_batch, sw_batch = X[rows], sw[rows]
            Y_batch = _loss_targets(Y, X.dtype, rows)
            size = Y_batch.shape[0]
            # n / (batch size * S): the minibatch sum estimates L without bias.
            scale = n_samples / (size * total_weight)
            lr = optimizer.learning_rate
            if step_in_products:
                np.multiply(weights, -2 * self.alpha * lr, out=grad[: weights.size])
            value, _ = data_loss_and_grad(
                theta, layout, activation, loss, X_batch, Y_batch, sw_batch,
                scale, grad, self._huber_delta(), workspace,
                grad_scale=-lr if step_in_products else 1.0,
                accumulate=step_in_products,
            )
            pen = penalty(theta, layout, self.alpha, scipy_blas=workspace.scipy_blas)
            if not np.isfinite(value + pen):
                if not state.stepped:
                    raise _not_finite_at_start(X, Y, self.alpha)
                raise DivergenceError(_divergence_message("loss", state.n_iter + 1))
            if precondition:
                if not step_in_products:
                    # The penalty's gradient of the output weights before
                    # scaling; the optimizer adds that of the other weights.
                    grad_coefs[-1] += np.multiply(
                        coefs[-1], 2 * self.alpha, out=penalty_grad
                    )
                grad_coefs[-1] *= output_scale_sq
                grad_intercepts[-1] *= output_scale_sq
            if step_in_products:
                optimizer.step(theta, grad)
            else:
                optimizer.update(theta, grad, decay=(decay_stop, 2 * self.alpha))
            state.stepped = True
            data_sum += value * size / n_samples
            penalty_sum += pen
            n_batches += 1
            state.t += size
            if interrupt.is_set():
                break
        if not np.all(np.isfinite(theta)):
            raise DivergenceError(_divergence_message("weights", state.n_iter + 1))
        state.epoch_parts = (data_sum, penalty_sum / n_batches)
        return data_sum + penalty_sum / n_batches

    def _warn_interrupted(self, state):
        state.interrupted = True
        unit = "iteration" if self.solver == "lbfgs" else "epoch"
        warnings.warn(
            "Training interrupted by KeyboardInterrupt after "
            f"{state.n_iter} complete {unit}(s); the model keeps the last good "
            "weights.",
            UserWarning,
            stacklevel=5,
        )

    def _report_epoch(self, state, optimizer, started):
        """Report the epoch just finished (``verbose``): J, its parts, timing."""
        data, pen = state.epoch_parts
        state.progress.report(
            state.n_iter, state.loss, data, pen, time.perf_counter() - started,
            learning_rate=optimizer.learning_rate,
            validation=state.validation_scores[-1] if state.validation_scores else None,
        )

    # -- lbfgs ----------------------------------------------------------

    def _fit_lbfgs(self, state, activation, loss, X, Y, sw, interrupt):
        layout, dtype = state.layout, X.dtype
        Y = _loss_targets(Y, dtype)  # full batch: every row, every evaluation
        grad = np.empty(layout.n_params, dtype=dtype)
        delta_param = self._huber_delta()
        last_good = {
            "x": state.theta.astype(np.float64), "J": None,
            "time": time.perf_counter(),
        }

        def fun(x):
            if interrupt.is_set():
                raise _Interrupted
            value = objective_and_grad(
                x.astype(dtype, copy=False), layout, activation, loss, X, Y, sw,
                self.alpha, delta_param, grad,
            )
            if not np.isfinite(value) or not np.all(np.isfinite(grad)):
                if not state.stepped:
                    raise _not_finite_at_start(X, Y, self.alpha)
                # Tell the line search to step back; a finite point was seen before.
                return np.inf, np.zeros(layout.n_params)
            state.stepped = True
            return value, grad.astype(np.float64)

        def callback(intermediate_result):
            last_good["x"] = intermediate_result.x.copy()
            last_good["J"] = float(intermediate_result.fun)
            state.loss_curve.append(last_good["J"])
            state.n_iter += 1
            if self.verbose:
                pen = penalty(last_good["x"], layout, self.alpha)
                now = time.perf_counter()
                state.progress.report(
                    state.n_iter, last_good["J"], last_good["J"] - pen, pen,
                    now - last_good["time"],
                )
                last_good["time"] = now

        x0 = last_good["x"]
        try:
            result = minimize(
                fun,
                x0,
                jac=True,
                method="L-BFGS-B",
                callback=callback,
                options={
                    "maxiter": self.max_iter,
                    "maxfun": self.max_fun,
                    "gtol": self.tol,
                },
            )
            x_final = result.x
            if result.status == 1:
                warnings.warn(
                    "lbfgs failed to converge after "
                    f"{result.nit} iteration(s) ({result.message}). Increase "
                    "max_iter or max_fun, or scale the data.",
                    ConvergenceWarning,
                    stacklevel=4,
                )
        except (_Interrupted, KeyboardInterrupt):
            self._warn_interrupted(state)
            x_final = last_good["x"]
        theta = x_final.astype(dtype)
        value = objective_and_grad(
            theta, layout, activation, loss, X, Y, sw, self.alpha, delta_param, grad
        )
        if not np.isfinite(value) or not np.all(np.isfinite(theta)):
            raise DivergenceError(
                _divergence_message("loss", state.n_iter, self.solver)
            )
        state.theta = theta
        state.loss = value
        state.best_loss = value
        state.t += X.shape[0] * max(state.n_iter, 1)

    # -- fitted state ----------------------------------------------------------

    def _assign_fitted(self, state, encoder, loss):
        coefs, intercepts, slopes = state.layout.views(state.theta)
        self.coefs_ = coefs
        self.intercepts_ = intercepts
        if slopes:
            self.prelu_slopes_ = slopes
        elif hasattr(self, "prelu_slopes_"):
            del self.prelu_slopes_
        self.n_iter_ = state.n_iter
        self.t_ = state.t
        self.loss_ = state.loss
        self.loss_curve_ = state.loss_curve
        self.best_loss_ = state.best_loss
        self.validation_scores_ = state.validation_scores
        self.best_validation_score_ = state.best_validation_score
        self.n_layers_ = len(state.layout.layer_sizes)
        self.n_outputs_ = state.layout.layer_sizes[-1]
        self.out_activation_ = loss.out_activation
        self._layout = state.layout
        self._loss = loss
        self._rng = state.rng
        self._output_scale_ = state.output_scale
        self._curvature_direction = state.curvature_direction
        self._no_improvement_count = state.no_improvement
        if state.optimizer is not None:
            self._optimizer = state.optimizer
        self._set_encoder(encoder)

    def _set_encoder(self, encoder):
        """Store what the target encoding learned (classes for the classifier)."""

    # -- using the fitted network ------------------------------------------------------

    def _raw_from_theta(self, X, theta, layout):
        coefs, intercepts, slopes = layout.views(theta)
        return predict_raw(X, coefs, intercepts, slopes, self._activation)

    def _raw_predict(self, X):
        check_is_fitted(self, "coefs_")
        X = validate_data(
            self, X, reset=False, accept_sparse="csr", dtype=(np.float64, np.float32)
        )
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            raw = predict_raw(
                X,
                self.coefs_,
                self.intercepts_,
                getattr(self, "prelu_slopes_", []),
                self._activation,
            )
        # Finite weights and inputs give NaN only when a hidden layer overflowed
        # (inf - inf): never return that as a prediction.
        if np.isnan(raw).any():
            bad, top = int(np.isnan(raw).any(axis=1).sum()), _max_abs(X)
            raise ValueError(
                f"The network's output overflowed to NaN for {bad} of {X.shape[0]} "
                f"sample(s): X is too large for this model in {X.dtype} arithmetic "
                f"(max |X| = {top:.3g}). Scale X as it was scaled for training."
            )
        return raw

    def objective(self, X, y, sample_weight=None):
        """The objective J of the current weights on (X, y), exactly.

        ``J = sum_i s_i l_i / sum_i s_i + alpha * sum_l ||W_l||_F^2``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights ``s_i``.

        Returns
        -------
        J : float
            Data term plus penalty.
        """
        check_is_fitted(self, "coefs_")
        X, y, sample_weight = self._validate_inputs(X, y, sample_weight, reset=False)
        Y, _ = self._encode_targets(y, reset=False)
        Y = _targets_as(Y, X.dtype)
        _check_target_domain(self._loss, Y)
        Y = _loss_targets(Y, X.dtype)
        layout = self._layout
        theta = layout.pack(
            self.coefs_, self.intercepts_, getattr(self, "prelu_slopes_", []),
            X.dtype,
        )
        grad = np.empty_like(theta)
        with np.errstate(over="ignore", under="ignore"):
            return objective_and_grad(
                theta, layout, self._activation, self._loss, X, Y, sample_weight,
                self.alpha, self._huber_delta(), grad,
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def __getstate__(self):
        state = super().__getstate__()
        state["_skreg_version"] = __version__
        return state

    def __setstate__(self, state):
        pickled = state.pop("_skreg_version", "unknown")
        if pickled != __version__:
            warnings.warn(
                f"Trying to unpickle {type(self).__name__} from skreg version "
                f"{pickled} when using version {__version__}. This might lead to "
                "breaking code or invalid results. Use at your own risk.",
                UserWarning,
                stacklevel=2,
            )
        super().__setstate__(state)
