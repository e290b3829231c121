"""Shared estimator machinery: parameters, validation, fitted state.

The estimator is a shell around the training engine: it validates parameters and
data, builds the problem (:class:`~skreg._objective.Objective`), hands it to the
solver's record (:mod:`skreg._solvers`), and assigns the fitted state only when
training succeeded. Subclasses supply the target encoding, the loss and the
early-stopping score.
"""

import copy
import warnings
from abc import ABC, abstractmethod
from numbers import Integral, Real
from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from skreg._activations import ACTIVATIONS
from skreg._faults import deferred_interrupt, overflowed_output
from skreg._losses import LOSSES
from skreg._network import Layout, predict_raw
from skreg._objective import Objective
from skreg._optimizers import optimizer_from_state
from skreg._progress import Progress
from skreg._solvers import SOLVERS, floor_a_fresh_start
from skreg._training import TrainingState, Validation
from skreg._validation import (
    check_n_features,
    check_target_domain,
    hidden_layer_sizes,
    numeric_targets,
    predict_input,
    sample_weights,
    targets_as,
)
from skreg._version import __version__
from skreg._warnings import warn


def fresh_objective(estimator, X, y, sample_weight=None):
    """The objective that a fresh ``fit`` of ``estimator`` would minimise on (X, y).

    X, y and sample_weight are validated as ``fit`` validates them. For tools
    that work on the problem rather than on a fitted network (the CV grid).
    """
    estimator._validate_params()
    sizes = hidden_layer_sizes(estimator.hidden_layer_sizes)
    objective, _ = estimator._problem(X, y, sample_weight, True, None, sizes)
    return objective


def _settings(params):
    """The parameters as the engine reads them, numpy scalars as Python ones.

    A np.float64 parameter (a grid search over np.logspace) would be "strong"
    under NEP 50 and turn float32 arithmetic with it into float64.
    """
    return SimpleNamespace(
        **{k: v.item() if isinstance(v, np.generic) else v for k, v in params.items()}
    )


class _BaseL2MLP(BaseEstimator, ABC):
    """Base class of the L2-penalised MLP estimators (not for direct use)."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(set(SOLVERS))],
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
        # np.inf: never stop on a plateau (scikit-learn accepts it too).
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
    }

    @abstractmethod
    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        alpha=1e-2,
        solver="sgd",
        batch_size="auto",
        learning_rate="adaptive",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=1e-3,
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
    def _output_loss(self, encoder_state):
        """The loss for this estimator's parameters and target encoding."""

    @abstractmethod
    def _validation_score(self, Y, raw, sample_weight):
        """The score used for early stopping, from encoded targets and raw outputs."""

    def _stratify_labels(self, Y):
        """Labels that early stopping's split stratifies by (None: not stratified)."""
        return None

    def _set_encoder(self, encoder):
        """Store what the target encoding learned (classes for the classifier)."""

    def _check_warm_start_targets(self, y):
        """A warm-started fit must see the targets of the previous one."""

    # -- validation ----------------------------------------------------------

    def _validate_inputs(self, X, y, sample_weight, reset):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse="csr",
            dtype=(np.float64, np.float32),
            multi_output=True,
        )
        if self._y_numeric:
            y = numeric_targets(y, self)
        check_n_features(X)
        return X, y, sample_weights(sample_weight, X)

    def _problem(self, X, y, sample_weight, reset, classes, sizes):
        """The objective J on validated data, and the target encoding."""
        X, y, sample_weight = self._validate_inputs(X, y, sample_weight, reset)
        Y, encoder = self._encode_targets(y, reset, classes)
        loss = self._output_loss(encoder)
        if reset:
            offset = loss.target_offset(Y, sample_weight)
        else:
            offset = self._target_offset
        # Centred in float64, before the cast to X's dtype (only targets of an
        # unbounded domain are centred: the check is the same either way).
        Y = targets_as(Y if offset is None else Y - offset, X.dtype)
        check_target_domain(loss, Y)
        activation = ACTIVATIONS[self.activation]
        layout = Layout((X.shape[1], *sizes, Y.shape[1]), activation.learns_slope)
        objective = Objective(
            layout, activation, loss, X, Y, sample_weight, self.alpha, offset
        )
        return objective, encoder

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
        """partial_fit is there for the stochastic solvers only."""
        solver = SOLVERS.get(self.solver)
        if solver is None or not solver.stochastic:
            stochastic = sorted(name for name, s in SOLVERS.items() if s.stochastic)
            raise AttributeError(
                f"partial_fit is only available for stochastic solvers "
                f"{stochastic}, not for solver={self.solver!r}."
            )
        return True

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        self._validate_params()
        if not incremental and self.warm_start and hasattr(self, "coefs_"):
            self._check_warm_start_targets(y)
        if incremental and self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: it runs one "
                "epoch on the data it is given, with no held-out part. Set "
                "early_stopping=False, or use fit."
            )
        sizes = hidden_layer_sizes(self.hidden_layer_sizes)
        snapshot = dict(self.__dict__)
        try:
            return self._fit_validated(X, y, sample_weight, incremental, classes, sizes)
        except BaseException:
            # Nothing half-written: a failed fit leaves the estimator as it was.
            self.__dict__.clear()
            self.__dict__.update(snapshot)
            raise

    def _fit_validated(self, X, y, sample_weight, incremental, classes, sizes):
        reset = not hasattr(self, "coefs_") or not (incremental or self.warm_start)
        objective, encoder = self._problem(X, y, sample_weight, reset, classes, sizes)
        solver = SOLVERS[self.solver]
        if solver.needs_smooth_loss and not objective.loss.differentiable:
            warn(
                f"loss={objective.loss.name!r} is not differentiable where a "
                f"residual is zero; {solver.name} may stop early. Prefer "
                "solver='sgd' or 'adam', or loss='huber'.",
                UserWarning,
            )
        # The encoder is needed by early stopping's score; a failed fit rolls
        # it back with everything else.
        self._set_encoder(encoder)
        settings = _settings(self.get_params(deep=False))
        # Targets whose spread overflows make the starting output bias 0 * inf:
        # the checks after report it, not a numpy warning.
        with np.errstate(over="ignore", invalid="ignore"):
            state = self._starting_state(
                objective, solver, settings, reset, incremental
            )
        state.progress = Progress(
            self.verbose, 1 if incremental else self.max_iter, solver.unit,
            incremental=incremental,
        )
        validation = Validation(self._stratify_labels, self._validation_score)
        with deferred_interrupt() as interrupt, np.errstate(
            over="ignore", invalid="ignore", divide="ignore", under="ignore"
        ), state.progress:
            solver.train(objective, state, settings, validation, interrupt, incremental)
        self._assign_fitted(state, encoder, objective.loss)
        return self

    def _starting_state(self, objective, solver, settings, reset, incremental):
        """Fresh weights, or the fitted ones when training continues; the optimizer."""
        if reset:
            rng = check_random_state(self.random_state)
            preconditioner = objective.preconditioner()
            theta = objective.starting_weights(rng, preconditioner)
            state = TrainingState(theta, objective.layout, rng)
        else:
            state = self._continued_state(objective)
            if not incremental:
                # A warm-started fit is a new fit from these weights: its
                # stopping rule and its epoch count start afresh, so that
                # n_iter_ == max_iter means this fit ran out, as in
                # scikit-learn (partial_fit's epochs go on).
                state.best_loss, state.no_improvement, state.n_iter = np.inf, 0, 0
                state.improved_loss = np.inf
            preconditioner = objective.preconditioner(self._preconditioner_statistics)
        state.preconditioner = preconditioner
        if reset and not solver.floors_its_inputs(settings):
            floor_a_fresh_start(objective, state)
        state.target_offset = objective.target_offset
        # partial_fit continues the optimizer of the last stochastic fit (a new
        # one, so that a failed call leaves the kept state as it was).
        saved = getattr(self, "_optimizer_state", None)
        continuing = incremental and not reset and saved is not None
        previous = optimizer_from_state(saved) if continuing else None
        if previous is not None and previous.dtype == objective.dtype:
            state.optimizer = previous
        else:
            state.optimizer = solver.make_optimizer(objective, state, settings)
        return state

    def _continued_state(self, objective):
        """A copy of the fitted state, to continue training from (warm start)."""
        layout = objective.layout
        if self._layout != layout:
            raise ValueError(
                "The network shape changed since the last fit: layer sizes "
                f"{self._layout.layer_sizes} before, {layout.layer_sizes} now "
                f"(learned PReLU slopes: {self._layout.learns_slope} before, "
                f"{layout.learns_slope} now). Set warm_start=False to start again."
            )
        theta = self._packed_weights(objective)
        # A copy of the generator: a failed call must not advance its stream.
        state = TrainingState(
            theta, layout, copy.deepcopy(self._rng), n_iter=self.n_iter_, t=self.t_
        )
        state.continued = True
        state.loss_curve = list(getattr(self, "loss_curve_", []))
        state.best_loss = getattr(self, "best_loss_", None) or np.inf
        state.no_improvement = getattr(self, "_no_improvement_count", 0)
        # Models saved before the last improvement's J was kept: the best J.
        state.improved_loss = getattr(self, "_improved_loss", state.best_loss)
        state.gradient_scale = getattr(self, "_gradient_scale", None)
        previous_scores = getattr(self, "validation_scores_", None)
        state.previous_validation_scores = previous_scores or []
        state.start_curvature = getattr(self, "_start_curvature", None)
        direction = getattr(self, "_curvature_direction", None)
        if direction is not None and direction.shape == theta.shape:
            state.curvature_direction = direction
        return state

    def _packed_weights(self, objective):
        """The fitted weights as a new vector, in the coordinates of ``objective``
        (its dtype, its output bias less the targets' offset)."""
        theta = objective.layout.pack(
            self.coefs_, self.intercepts_, getattr(self, "prelu_slopes_", []),
            objective.dtype,
        ).copy()
        if objective.target_offset is not None:
            objective.layout.views(theta)[1][-1][...] -= objective.target_offset
        return theta

    # -- fitted state ----------------------------------------------------------

    def _assign_fitted(self, state, encoder, loss):
        coefs, intercepts, slopes = state.layout.views(state.theta)
        if state.target_offset is not None:
            intercepts[-1] += state.target_offset.astype(state.theta.dtype)
        self._target_offset = state.target_offset
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
        # Names, numbers and arrays only, no skreg object: skops.io then loads a
        # fitted model trusting the public estimator classes alone. The
        # properties below rebuild the objects.
        self._layer_sizes = tuple(int(size) for size in state.layout.layer_sizes)
        self._learns_slope = bool(state.layout.learns_slope)
        self._loss_name = loss.name
        self._loss_params = loss.params()
        self._rng = state.rng
        self._preconditioner_statistics = state.preconditioner.statistics
        self._gradient_scale = state.gradient_scale
        self._curvature_direction = state.curvature_direction
        self._start_curvature = state.start_curvature
        self._no_improvement_count = state.no_improvement
        self._improved_loss = state.improved_loss
        if state.optimizer is not None:
            self._optimizer_state = state.optimizer.state()
        self._set_encoder(encoder)

    @property
    def _layout(self):
        """The fitted network's :class:`~skreg._network.Layout`."""
        return Layout(self._layer_sizes, self._learns_slope)

    @property
    def _loss(self):
        """The fitted loss (with the parameters it was fitted with)."""
        return LOSSES[self._loss_name](**self._loss_params)

    @property
    def _optimizer(self):
        """A new optimizer continuing the last stochastic fit (partial_fit)."""
        return optimizer_from_state(self._optimizer_state)

    # -- using the fitted network ------------------------------------------------------

    def _forward(self, X):
        """The checked X and the network's raw output on it (not yet checked)."""
        check_is_fitted(self, "coefs_")
        X = predict_input(self, X)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            raw = predict_raw(
                X,
                self.coefs_,
                self.intercepts_,
                getattr(self, "prelu_slopes_", []),
                ACTIVATIONS[self.activation],
            )
        return X, raw

    def _raw_predict(self, X):
        """The raw output, never NaN (an overflowed hidden layer raises)."""
        X, raw = self._forward(X)
        # Finite weights and inputs give NaN only when a hidden layer overflowed
        # (inf - inf): never return that as a prediction. (An infinite margin
        # is a classifier's limit, not an error.)
        if np.isnan(raw).any():
            raise overflowed_output(X, raw)
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
        Y, encoder = self._encode_targets(y, reset=False)
        # The loss of the current parameters (huber_delta, quantile), as alpha.
        loss = self._output_loss(encoder)
        # Centred as in training when the loss allows (exact: the bias absorbs it).
        offset = None if loss.target_offset(Y, sample_weight) is None else (
            self._target_offset
        )
        Y = targets_as(Y if offset is None else Y - offset, X.dtype)
        check_target_domain(loss, Y)
        objective = Objective(
            self._layout, ACTIVATIONS[self.activation], loss, X, Y, sample_weight,
            self.alpha, offset,
        ).full_batch()
        theta = self._packed_weights(objective)
        with np.errstate(over="ignore", under="ignore"):
            return objective.value_and_grad(theta, np.empty_like(theta))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def __getstate__(self):
        # A copy: object.__getstate__ returns the instance's own __dict__.
        state = dict(super().__getstate__())
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
