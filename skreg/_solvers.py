"""The solvers: one record per ``solver=`` value, behind one contract.

A solver says how its optimizer is built from the estimator's parameters
(``settings``), what its automatic learning rate is, whether the fused BLAS step
and the preconditioner (:mod:`skreg._preconditioner`) apply to it, how it
restarts after a blow-up, and which training loop runs it. The estimator looks
a solver up in :data:`SOLVERS` and never branches on its name. Adding one is a
class here and a row in the table.
"""

import numpy as np

from skreg._faults import data_scale
from skreg._lbfgs import fit_lbfgs
from skreg._optimizers import SGD, Adam
from skreg._training import fit_stochastic, minibatch_rows

#: At most this many rows are used to estimate the automatic SGD step size.
STEP_SIZE_ROWS = 1000
#: Power iterations for the automatic step: from a random vector, and from the
#: previous fit's last vector when ``warm_start`` continues from nearby weights.
POWER_ITERATIONS, WARM_POWER_ITERATIONS = 10, 3

#: The automatic sgd step as a fraction of the largest stable one at the start.
#: Measured on the bundled datasets (issue 12): the former step, about 0.07 of
#: it, needed 2-4 times the epochs to reach J's minimum; 0.6 and above let the
#: curvature's growth make some paths chaotic (rounding grew to 1e-6 in
#: scikit-learn's sample-weight check) or throw relu networks out of a basin.
STEP_SAFETY = 0.5
#: A warm start without a recorded starting curvature (a fit from before it was
#: kept) takes this fraction instead: its weights may sit near a collapse (the
#: CV path's large alphas), where the curvature is far below what training grows
#: it to, and at STEP_SAFETY such fits blew up and lost their relu units.
WARM_STEP_SAFETY = 0.1

_STOCHASTIC_ADVICE = (
    "Scale the data (for example with StandardScaler), lower "
    "learning_rate_init, or use learning_rate_init='auto'."
)


class Solver:
    """The contract every solver fulfils (see the module docstring)."""

    name: str
    #: What ``n_iter_`` counts and progress lines start with.
    unit = "epoch"
    #: Trains on minibatches: ``partial_fit`` is available.
    stochastic = True
    #: The products give the step ``-lr * g`` and the optimizer takes it with
    #: BLAS (large networks, see ``SGD.step``).
    fused_blas_step = False
    #: The automatic step is taken in the preconditioner's coordinates.
    preconditioned = False
    #: Needs a differentiable loss to converge (warns otherwise).
    needs_smooth_loss = False
    #: What a divergence error tells the user to change.
    divergence_advice = _STOCHASTIC_ADVICE

    def make_optimizer(self, objective, state, settings):
        """The optimizer that steps ``state.theta`` (None for full-batch solvers)."""
        return None

    def floors_its_inputs(self, settings):
        """Whether the automatic step floors the inputs' spreads itself (sgd's
        does, from the curvature it measures: :func:`_floor_the_inputs`)."""
        return self.preconditioned and settings.learning_rate_init == "auto"

    def restart(self, optimizer):
        """After a blow-up: forget the optimizer's state, quarter the step."""
        optimizer.restart(optimizer.learning_rate / 4)

    def train(self, objective, state, settings, validation, interrupt, incremental):
        """Run the solver's training loop on ``state`` (changed in place)."""
        fit_stochastic(
            objective, state, self, settings, validation, interrupt, incremental
        )


class _MinibatchSolver(Solver):
    """A stochastic optimizer class, its options and its automatic step."""

    optimizer_class: type

    def optimizer_options(self, settings):
        return {}

    def auto_learning_rate(self, objective, state, settings):
        raise NotImplementedError

    def make_optimizer(self, objective, state, settings):
        learning_rate = settings.learning_rate_init
        if learning_rate == "auto":
            learning_rate = self.auto_learning_rate(objective, state, settings)
        return self.optimizer_class(
            state.theta,
            learning_rate,
            schedule=settings.learning_rate,
            power_t=settings.power_t,
            **self.optimizer_options(settings),
        )


class SGDSolver(_MinibatchSolver):
    """Minibatch SGD with (Nesterov) momentum; automatic step from the curvature."""

    name = "sgd"
    optimizer_class = SGD
    fused_blas_step = True
    preconditioned = True

    def optimizer_options(self, settings):
        return {
            "momentum": settings.momentum,
            "nesterov": settings.nesterovs_momentum,
        }

    def auto_learning_rate(self, objective, state, settings):
        """A fixed fraction (``STEP_SAFETY``) of the largest stable step.

        ``c`` is the largest eigenvalue of ``T^-T (G + 2 alpha I_W) T^-1`` at the
        starting weights: ``G`` the Gauss-Newton matrix of the data term, ``2
        alpha`` the curvature of the penalty and ``T`` the preconditioner, so
        the step does not depend on the scale of X, y or alpha. A minibatch's
        curvature is ``c`` times a part that is the full batch's
        (``deterministic``) plus a part that is sampling noise (``noise``; see
        :func:`_minibatch_curvature`). Momentum tolerates
        ``momentum_stability_limit(m) / c`` on the first, but amplifies noise by
        ``1 / (1 - m)`` and tolerates only ``2 (1 - m) / c`` on the second: the
        step is stable for the sum of both. Full-batch training takes
        momentum's whole gain; ``batch_size=1`` the step of plain SGD. The
        margin absorbs the curvature's growth as the weights grow.
        """
        m = settings.momentum
        curvature, (deterministic, noise) = _starting_curvature(
            objective, state, settings
        )
        load = deterministic / momentum_stability_limit(m) + noise / (2 * (1 - m))
        return _safety(state) / (_step_curvature(state, curvature) * load)


class AdamSolver(_MinibatchSolver):
    """Adam; its automatic step is the usual 1e-3 (Adam normalises the gradient)."""

    name = "adam"
    optimizer_class = Adam

    def optimizer_options(self, settings):
        return {
            "beta_1": settings.beta_1,
            "beta_2": settings.beta_2,
            "epsilon": settings.epsilon,
        }

    def auto_learning_rate(self, objective, state, settings):
        return 1e-3


class LBFGSSolver(Solver):
    """scipy's L-BFGS-B on the full-batch J with its exact gradient."""

    name = "lbfgs"
    unit = "iteration"
    stochastic = False
    needs_smooth_loss = True
    divergence_advice = (
        "Scale the data (for example with StandardScaler) or lower alpha."
    )

    def train(self, objective, state, settings, validation, interrupt, incremental):
        fit_lbfgs(objective, state, self, settings, interrupt)


#: Every solver by its ``solver=`` name.
SOLVERS = {solver.name: solver for solver in (SGDSolver(), AdamSolver(), LBFGSSolver())}


def _step_curvature(state, curvature):
    """The curvature the step is built on: at a warm start, at least the first
    fit's starting curvature.

    A warm start near a collapse (the CV path after a large alpha) measures a
    curvature far below what training grows it back to as the weights regrow;
    the curvature at the first fit's fresh (Glorot) weights is a scale training
    does reach. A fresh fit records its own.
    """
    if not state.continued:
        state.start_curvature = curvature
        return curvature
    if state.start_curvature is None:
        return curvature
    return max(curvature, state.start_curvature)


def _safety(state):
    """``STEP_SAFETY``, or ``WARM_STEP_SAFETY`` for a warm start with no recorded
    starting curvature (see :func:`_step_curvature`)."""
    if state.continued and state.start_curvature is None:
        return WARM_STEP_SAFETY
    return STEP_SAFETY


def momentum_stability_limit(momentum):
    """Largest ``step * curvature`` for which Nesterov momentum is stable.

    On a quadratic of curvature ``c``, Nesterov's iteration with momentum ``m``
    converges iff ``step * c < 2 (1 + m) / (1 + 2 m)`` (2 without momentum, 4/3
    as ``m`` nears 1). Heavy-ball momentum tolerates more (``2 (1 + m)``), so the
    same step is stable for both.
    """
    return 2 * (1 + momentum) / (1 + 2 * momentum)


def _minibatch_curvature(sample, n, state, settings):
    """A minibatch's curvature over the full batch's: ``(deterministic, noise)``.

    The curvature of a b-row average lies between the full-batch ``L`` and the
    largest single row's ``L_max`` (expected smoothness of minibatch SGD):
    ``L_b = L n (b - 1) / (b (n - 1)) + L_max (n - b) / (b (n - 1))``. The first
    term is the full batch's curvature, the second sampling noise (0 at
    ``b = n``). ``L_max / L`` is estimated on the rows of ``sample`` (out of
    ``n``) by the largest weighted row norm over the mean one, in the
    preconditioner's coordinates (``+ 1`` for the bias).
    """
    batch = minibatch_rows(settings, n)
    if batch >= n:
        return 1.0, 0.0
    weights = sample.sample_weight / sample.sample_weight.mean()
    load = weights * (state.preconditioner.input_norms(sample.X) + 1.0)
    ratio = float(load.max() / load.mean()) if load.mean() > 0 else 1.0
    denominator = batch * (n - 1)
    return n * (batch - 1) / denominator, ratio * (n - batch) / denominator


def _floor_the_inputs(sample, state, curvature):
    """Floor the inputs' spreads where the penalty's curvature would exceed the
    data term's (see :mod:`skreg._preconditioner`); True if any was.

    A fresh fit keeps its starting weights' coordinates (Glorot's weights in the
    new ``u``); a warm start keeps its weights. The data term's curvature is
    what ``curvature`` (J's, at the starting weights) has beyond the penalty's,
    and at a warm start at least the first fit's starting curvature: near a
    collapse the data term's is far below what training grows it back to.
    """
    preconditioner = state.preconditioner
    data = curvature - sample.penalty_slope * preconditioner.max_weight_factor() ** 2
    if state.continued and state.start_curvature is not None:
        data = max(data, state.start_curvature)
    floor = preconditioner.penalty_input_floor(sample.alpha, data)
    if not floor:
        return False
    floored = preconditioner.with_input_floor(floor)
    if not state.continued:
        preconditioner.rebase(state.theta, floored)
    state.preconditioner = floored
    return True


#: Rows and power iterations of :func:`floor_a_fresh_start`'s curvature estimate:
#: a rough one, taken with a random stream of its own.
FLOOR_ROWS, FLOOR_POWER_ITERATIONS = 200, 3


def floor_a_fresh_start(objective, state):
    """Floor the inputs' spreads of a fresh start (see :func:`_floor_the_inputs`)
    for the solvers without sgd's automatic step (adam, lbfgs, a step set by
    hand; see :meth:`Solver.floors_its_inputs`).

    Their starting weights are Glorot's in the preconditioner's coordinates, and
    lbfgs iterates in them: on a feature of tiny spread the weights would start
    with a huge penalty (adam on ``load_digits / 16`` ended at J 1.2e4, lbfgs at
    8, against 0.52 for sgd). The data term's curvature is estimated on a few
    rows and iterations, from a random stream of its own: the fit's own, which
    draws the minibatches, is left as it was, so fits whose spreads need no
    floor (standardised data) do not change.
    """
    if state.continued:
        return
    rng = np.random.RandomState(0)
    rows = slice(None)
    if objective.n_samples > FLOOR_ROWS:
        rows = np.sort(rng.choice(objective.n_samples, FLOOR_ROWS, replace=False))
    sample = objective.rows(rows)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        curvature, _ = sample.max_curvature(
            state.theta, rng, state.preconditioner, FLOOR_POWER_ITERATIONS
        )
        _floor_the_inputs(sample, state, curvature)


def _starting_curvature(objective, state, settings):
    """Largest curvature of J at the starting weights, on up to 1000 rows, and
    the minibatch's parts of it (:func:`_minibatch_curvature`)."""
    theta, rng = state.theta, state.rng
    rows = slice(None)
    if objective.n_samples > STEP_SIZE_ROWS:
        rows = np.sort(rng.choice(objective.n_samples, STEP_SIZE_ROWS, replace=False))
    start = state.curvature_direction
    n_iter = POWER_ITERATIONS if start is None else WARM_POWER_ITERATIONS
    sample = objective.rows(rows)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        # In the coordinates of the inputs' own spreads first (a warm start's
        # come with the floor of the fit it continues).
        state.preconditioner = state.preconditioner.with_input_floor(0.0)
        curvature, state.curvature_direction = sample.max_curvature(
            theta, rng, state.preconditioner, n_iter, start
        )
        if _floor_the_inputs(sample, state, curvature):
            curvature, state.curvature_direction = sample.max_curvature(
                theta, rng, state.preconditioner, WARM_POWER_ITERATIONS,
                state.curvature_direction,
            )
        parts = _minibatch_curvature(sample, objective.n_samples, state, settings)
    if not np.isfinite(curvature) or curvature <= 0:
        raise ValueError(
            "Could not choose a step size: the curvature of the objective at "
            f"the initial weights is {curvature:.3g} (saturated outputs or "
            f"overflow: the data are badly scaled, {data_scale(objective)}). "
            "Scale the data (for example with StandardScaler) or set "
            "learning_rate_init."
        )
    return curvature, parts
