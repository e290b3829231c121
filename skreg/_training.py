"""The stochastic training loop: epochs of minibatch steps, stopping, early stopping.

Nothing here sees an estimator. The loop gets the problem (an
:class:`~skreg._objective.Objective`), the training state, the solver's record
(:mod:`skreg._solvers`), the estimator's parameters as ``settings`` (read-only
attributes: ``max_iter``, ``tol``, ...) and, for early stopping, a
:class:`Validation` that knows how the estimator scores held-out data.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import train_test_split

from skreg._faults import (
    DivergenceError,
    divergence,
    not_finite_at_start,
    warn_interrupted,
)
from skreg._network import Workspace, predict_raw
from skreg._progress import Progress
from skreg._stopping import (
    Stationarity,
    at_plateau,
    improved,
    warn_if_worse_than_constant,
    warn_not_stationary,
)
from skreg._warnings import warn

#: Rows on which J is checked at the final weights of a stochastic fit.
FINAL_CHECK_ROWS = 64
#: How often the automatic step is quartered after a blow-up before giving up.
AUTO_STEP_RETRIES = 10
#: ``state.stop_reason`` when early stopping ended training, as it should.
EARLY_STOPPED = "the validation score stopped improving"


class TrainingState:
    """Everything a fit produces, assigned to the estimator only on success."""

    def __init__(self, theta, layout, rng, n_iter=0, t=0):
        self.theta = theta
        self.layout = layout
        self.optimizer = None
        self.rng = rng
        self.n_iter = n_iter
        self.t = t
        self.loss_curve = []
        # False until the first optimizer step of this call: a non-finite J
        # before it is an error in the data, not a divergence.
        self.stepped = False
        self.best_loss = np.inf
        # J at the last epoch that counted as an improvement (see improved).
        self.improved_loss = np.inf
        self.no_improvement = 0
        # Validation scores of the fit this one continues (warm_start).
        self.previous_validation_scores = []
        self.validation_scores = None
        self.best_validation_score = None
        self.loss = None
        self.interrupted = False
        # The coordinates of sgd's automatic step (skreg._preconditioner).
        self.preconditioner = None
        # What the targets were centred by (Objective.target_offset).
        self.target_offset = None
        # The stopping rule (skreg._stopping): the gradient's size at the start,
        # its last ratio to it, and why training stopped short of stationarity.
        self.gradient_scale = None
        self.stationarity = None
        self.converged = False
        self.stop_reason = None
        # The last epoch's estimate of J as (data term, penalty) and its step
        # size in the user's units (user_learning_rate), for verbose.
        self.epoch_parts = (np.nan, np.nan)
        self.epoch_learning_rate = None
        self.progress = Progress(0, 1)
        # The last vector of the step size's power iteration (see
        # Objective.gauss_newton): a warm start begins its estimate there.
        self.curvature_direction = None
        # The largest curvature of J at the first fit's fresh weights (sgd's
        # automatic step): a floor for the step of fits that continue it.
        self.start_curvature = None
        # Training continues from fitted weights (warm_start, partial_fit).
        self.continued = False


class Validation(NamedTuple):
    """How the estimator holds out and scores data for early stopping."""

    #: ``stratify(Y)``: labels to stratify the split by, or None.
    stratify: Callable
    #: ``score(Y_val, raw, sample_weight)``: the held-out score (higher is better).
    score: Callable


def minibatch_rows(settings, n_samples):
    """The minibatch size: ``"auto"`` is ``min(200, n)``; larger ones are clipped."""
    # int(): batch_size=True passes the Integral constraint.
    size = 200 if settings.batch_size == "auto" else int(settings.batch_size)
    return min(size, n_samples)


def batch_size(settings, n_samples):
    """:func:`minibatch_rows`, warning when a batch_size set by hand is clipped."""
    if settings.batch_size != "auto" and settings.batch_size > n_samples:
        warn(
            f"Got batch_size={settings.batch_size} larger than the {n_samples} "
            "samples: clipping it to the number of samples.",
            UserWarning,
        )
    return minibatch_rows(settings, n_samples)


class _MinibatchStep:
    """One optimizer step on a minibatch's estimate of J (built once per fit).

    ``state.theta`` must stay the same vector for as long as the step is used
    (it is changed in place only): the step keeps views of it.
    """

    def __init__(self, objective, state, solver, settings, size):
        layout, theta = objective.layout, state.theta
        self.objective, self.state, self.solver = objective, state, solver
        self.batch_size = size
        self.total_weight = float(objective.sample_weight.sum(dtype=np.float64))
        self.grad = np.empty_like(theta)
        # Split once: on small networks, splitting the two vectors at every
        # step took several percent of it.
        self.views = layout.views(theta), layout.views(self.grad)
        self.workspace = Workspace(layout, size, theta.dtype)
        # Large networks under sgd: the products give the step -lr * g directly
        # (the scaled data gradient; the penalty's share is added before the
        # preconditioner, or else in the step), and the optimizer takes it with
        # BLAS too, on the products' threads.
        self.fused = solver.fused_blas_step and self.workspace.scipy_blas
        # Only the automatic step is taken in the preconditioned coordinates; a
        # step set by hand is plain SGD on J.
        self.precondition = (
            solver.preconditioned
            and settings.learning_rate_init == "auto"
            and not state.preconditioner.is_identity
        )
        # Where the preconditioner follows, the products give the step -lr * g
        # rather than g, as for large networks: T^-1 T^-T multiplies the output
        # layer's gradient by the targets' spread squared, which overflowed
        # float32 from spreads of about 1e10 on unless lr (about 1 / spread^2)
        # had scaled it first.
        self.gives_step = self.fused or self.precondition
        self.weights = theta[: layout.n_weights]
        # The penalty's gradient, added before the preconditioner (not fused).
        self.penalty_grad = (
            np.empty_like(self.weights) if self.precondition and not self.fused
            else None
        )

    def __call__(self, rows, size):
        """Step on ``rows``; returns the minibatch's data term and penalty."""
        objective, state = self.objective, self.state
        theta, optimizer, grad = state.theta, state.optimizer, self.grad
        # n / (batch size * S): the minibatch sum estimates L without bias.
        scale = objective.n_samples / (size * self.total_weight)
        lr = optimizer.learning_rate
        stepping = self.gives_step
        value, _ = objective.data_term_and_grad(
            theta, grad, rows, scale, self.workspace,
            grad_scale=-lr if stepping else 1.0, views=self.views,
        )
        penalty = objective.penalty(theta, scipy_blas=self.workspace.scipy_blas)
        if not np.isfinite(value + penalty):
            if not state.stepped:
                raise not_finite_at_start(objective)
            raise divergence("loss", state.n_iter + 1, self.solver.divergence_advice)
        if not state.stepped and not np.all(np.isfinite(grad)):
            # J is finite but its gradient overflows before any step: the
            # data's doing (float32 X near its range), not the step size's.
            raise not_finite_at_start(objective)
        # T^-1 T^-T applies to the whole gradient of J, penalty included.
        if self.precondition:
            if self.fused:
                objective.add_penalty_gradient(
                    self.weights, grad[: self.weights.size], scale=-lr
                )
            else:
                grad[: self.weights.size] += objective.penalty_gradient(
                    self.weights, scale=-lr, out=self.penalty_grad
                )
            state.preconditioner.apply(grad, self.views[1])
            decay = None
        else:
            # The optimizer adds the penalty's share in its own pass.
            factor = objective.penalty_slope * (-lr if stepping else 1.0)
            decay = (self.weights.size, factor)
        if stepping:
            optimizer.step(theta, grad, decay=decay, scipy_blas=self.fused)
        else:
            optimizer.update(theta, grad, decay=decay)
        state.stepped = True
        return value, penalty


def run_epoch(step, state, solver, settings, interrupt):
    """One pass over the data in minibatches of ``step.batch_size`` rows;
    returns the epoch's estimate of J.

    The weights are left as they were after the last complete minibatch, also
    when a Ctrl-C arrives; a non-finite loss or weight raises DivergenceError.
    """
    n_samples = step.objective.n_samples
    order = state.rng.permutation(n_samples) if settings.shuffle else None
    data_sum, penalty_sum, n_batches = 0.0, 0.0, 0
    for start in range(0, n_samples, step.batch_size):
        stop = start + step.batch_size
        rows = slice(start, stop) if order is None else order[start:stop]
        size = min(stop, n_samples) - start
        value, penalty = step(rows, size)
        data_sum += value * size / n_samples
        penalty_sum += penalty
        n_batches += 1
        state.t += size
        if interrupt.is_set():
            break
    if not np.all(np.isfinite(state.theta)):
        raise divergence("weights", state.n_iter + 1, solver.divergence_advice)
    state.epoch_parts = (data_sum, penalty_sum / n_batches)
    return data_sum + penalty_sum / n_batches


def _check_split_sizes(n, fraction, stratify):
    """Both parts of early stopping's split are large enough for what they do.

    The validation part needs 2 rows for a score (R^2 is undefined on one) and,
    stratified, a row per class; so does the training part per class. The sizes
    are train_test_split's own: ceil(fraction * n) rows are held out. The
    message begins as scikit-learn's.
    """
    n_val = math.ceil(fraction * n)
    n_classes = 0 if stratify is None else len(np.unique(stratify))
    need_val, need_train = max(2, n_classes), max(1, n_classes)
    if n_val >= need_val and n - n_val >= need_train:
        return
    per_class = f" (one per class, {n_classes} classes)" if n_classes else ""
    part = "validation" if n_val < need_val else "training"
    raise ValueError(
        f"The {part} set is too small: early_stopping needs at least {need_val} "
        f"validation and {need_train} training samples{per_class}: "
        f"validation_fraction={fraction} of {n} samples holds out {n_val} and "
        f"leaves {n - n_val} for training. Change validation_fraction, use more "
        "samples, or set early_stopping=False."
    )


class EarlyStopping:
    """A held-out part of the data, its score per epoch and the best weights."""

    def __init__(self, objective, state, settings, validation):
        stratify = validation.stratify(objective.Y)
        _check_split_sizes(objective.n_samples, settings.validation_fraction, stratify)
        X, X_val, Y, Y_val, sw, sw_val = train_test_split(
            objective.X, objective.Y, objective.sample_weight,
            test_size=settings.validation_fraction, random_state=state.rng,
            stratify=stratify,
        )
        if not sw_val.sum(dtype=np.float64) > 0:
            raise ValueError(
                "The sample weights of the early_stopping validation part sum to "
                "zero; give more samples non-zero weight or change "
                "validation_fraction or random_state."
            )
        self.train = objective.with_data(X, Y, sw)
        self.X_val, self.Y_val, self.sw_val = X_val, Y_val, sw_val
        self.score = validation.score
        self.best_theta = state.theta.copy()
        state.validation_scores = list(state.previous_validation_scores)
        state.best_validation_score = -np.inf

    def update(self, state, tol, advice):
        """Score the epoch's weights; True when they improved by more than ``tol``."""
        theta = state.theta
        activation = self.train.activation
        raw = predict_raw(self.X_val, *state.layout.views(theta), activation)
        if not np.all(np.isfinite(raw)):
            # The epoch's last step, not yet checked by a minibatch loss.
            raise divergence("validation output", state.n_iter, advice)
        score = self.score(self.Y_val, raw, self.sw_val)
        state.validation_scores.append(score)
        improved = score > state.best_validation_score + tol
        if score > state.best_validation_score:
            state.best_validation_score = score
            np.copyto(self.best_theta, theta)
        return improved

    def restore(self, state):
        """Keep the best weights seen (the last good ones after a Ctrl-C)."""
        if not state.interrupted:
            np.copyto(state.theta, self.best_theta)
        state.best_loss = None


def fit_stochastic(objective, state, solver, settings, validation, interrupt,
                   incremental):
    """Train ``state.theta`` on J with ``state.optimizer``: ``max_iter`` epochs or one.

    With the automatic step, a blow-up restores the last good weights and
    retries with a quarter of the step; a step set by hand raises instead.
    """
    early = EarlyStopping(objective, state, settings, validation) if (
        settings.early_stopping and not incremental
    ) else None
    train = early.train if early else objective
    if float(train.sample_weight.sum(dtype=np.float64)) <= 0:
        raise ValueError("The sample weights of the training part sum to zero.")
    # J's stationarity decides convergence when J itself is what is watched (and
    # tol > 0: tol=0 asks for every epoch up to max_iter).
    watch_j = not (early or incremental) and settings.tol > 0
    stationarity = Stationarity(train, state) if watch_j else None
    retries_left = AUTO_STEP_RETRIES if settings.learning_rate_init == "auto" else 0
    checkpoint = state.theta.copy()
    # Before the bar is drawn: its warning must not land on the bar's line.
    step = _MinibatchStep(
        train, state, solver, settings, batch_size(settings, train.n_samples)
    )
    # One minibatch of every row: each epoch's estimate of J is J itself.
    exact_estimates = step.batch_size >= train.n_samples
    state.progress.start()
    epochs_left = 1 if incremental else settings.max_iter
    while epochs_left > 0:
        state.epoch_learning_rate = user_learning_rate(state, solver, settings)
        try:
            epoch_loss = run_epoch(step, state, solver, settings, interrupt)
        except DivergenceError:
            if retries_left == 0:
                raise
            retries_left -= 1
            np.copyto(state.theta, checkpoint)
            solver.restart(state.optimizer)
            continue
        epochs_left -= 1
        if interrupt.is_set():
            state.progress.close()
            warn_interrupted(state, solver.unit)
            break
        stop = _end_epoch(state, epoch_loss, checkpoint, early, solver, settings)
        if stop is None:
            stop = at_plateau(state, stationarity, settings.tol, exact_estimates)
        if stop:
            break
    # Warnings follow: the bar's line ends first.
    state.progress.close()
    finished = state.converged or state.stop_reason == EARLY_STOPPED
    if not (incremental or finished or state.interrupted):
        warn_not_stationary(state, stationarity, settings)
    if early:
        early.restore(state)
    _check_final_loss(train, state, solver)
    if not (incremental or state.interrupted):
        _check_against_constant(train, state, stationarity, solver, settings, early)


def _end_epoch(state, epoch_loss, checkpoint, early, solver, settings):
    """Record the epoch; True to stop, None at a plateau of J, False to go on."""
    optimizer = state.optimizer
    state.n_iter += 1
    state.loss_curve.append(epoch_loss)
    state.loss = epoch_loss
    optimizer.end_epoch(state.t)
    if epoch_loss <= state.best_loss:
        np.copyto(checkpoint, state.theta)
    if early:
        better = early.update(state, settings.tol, solver.divergence_advice)
    else:
        better = improved(epoch_loss, state.improved_loss, settings.tol)
        if better:
            state.improved_loss = epoch_loss
    state.best_loss = min(state.best_loss, epoch_loss)
    state.no_improvement = 0 if better else state.no_improvement + 1
    _report_epoch(state)
    if state.no_improvement <= settings.n_iter_no_change:
        return False
    if early:
        # The validation score's plateau: the schedule decides, as in sklearn.
        if optimizer.should_stop():
            state.stop_reason = EARLY_STOPPED
            return True
        state.no_improvement = 0
        return False
    return None


def _check_final_loss(objective, state, solver):
    """Raise DivergenceError if J is not finite at the final weights.

    Every step but the last is checked by the loss of the next minibatch; the
    last one is checked here, on a few rows (finite weights can still overflow
    the forward pass).
    """
    value = objective.final_loss(state.theta, FINAL_CHECK_ROWS)
    if not np.all(np.isfinite(value)):
        raise divergence("loss", state.n_iter, solver.divergence_advice)


def _check_against_constant(train, state, stationarity, solver, settings, early):
    """A fit that ended above the best constant model warns that it failed.

    Also one that ran out of epochs, which has warned already: that warning
    advises more epochs, and a fit heading away from the constant's J (adam's
    fixed step on unscaled X) needs scaled data instead.
    After a stop for stationarity, J at the final weights is the exact data
    term that its last measure computed (the loop stops right after it, at
    those weights) plus the penalty.
    Early stopping picks weights by the validation score, not by J: its best
    epoch often comes early, while the penalty of the starting weights is still
    large (default regressor on scaled diabetes: J = 1.4 on the training part,
    0.47 of data term and 0.94 of penalty, against 1 for the constant model, at
    a validation R^2 of 0.51). So it is the data term alone on the training part
    (one forward pass, in chunks of rows) that must not be above the constant
    model's: a fit that predicts its own training data worse than a constant.
    (Its ``tol`` is in units of the score, not a precision of J.)
    """
    if state.converged:
        value = stationarity.data_term + train.penalty(state.theta)
        what, where, tol = "J =", "", settings.tol
    elif not early:
        # The last epoch's estimate: an exact pass would cost a large fit that
        # ran its max_iter epochs a tenth of an epoch, for a margin of 10%.
        value = state.loss
        what, where, tol = "an estimate of J (its last epoch's) of", "", settings.tol
    else:
        value = train.data_term(state.theta)
        what = "a data term (J without the penalty) of"
        where, tol = " on the training part (early_stopping)", 0.0
    advice = (
        "Scale the data (for example with StandardScaler), lower "
        "learning_rate_init or use learning_rate_init='auto', or change "
        "random_state"
    )
    warn_if_worse_than_constant(
        train, value, tol, solver.name, advice, state.continued, what, where
    )


def _report_epoch(state):
    """Report the epoch just finished (``verbose``): J, its parts, its step size."""
    data, penalty = state.epoch_parts
    state.progress.report(
        state.n_iter, state.loss, data, penalty,
        learning_rate=state.epoch_learning_rate,
        validation=state.validation_scores[-1] if state.validation_scores else None,
    )


def user_learning_rate(state, solver, settings):
    """The optimizer's step size in the units of ``coefs_`` (what verbose shows).

    A step size set by hand (and adam's) applies to J's gradient with respect to
    every weight as it is. sgd's automatic step ``lr`` is taken in the
    preconditioner's coordinates: the output layer's weights then move by ``lr
    * f^2`` per unit of J's gradient with respect to ``coefs_[-1]`` (``f`` their
    largest factor, :meth:`~skreg._preconditioner.Preconditioner.output_step_factor`),
    which is what is shown (the ``verbose`` docstring has the rest).
    """
    rate = state.optimizer.learning_rate
    if solver.preconditioned and settings.learning_rate_init == "auto":
        rate *= state.preconditioner.output_step_factor()
    return rate
