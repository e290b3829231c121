"""When the stochastic solvers stop, and what they say when J is not stationary.

``tol`` is a relative precision of J. An epoch improves when its estimate of J
falls below the J of the last epoch that improved by more than ``tol`` times
that J. The reference is not the best J so far (as in scikit-learn): against
it, a J that falls steadily by a little less than ``tol`` per epoch never
improves, and ``n_iter_no_change`` such epochs made a plateau of a J still
falling by 1% every 10 epochs, 20-28% above its minimum (wine, logistic
regression at alpha=1e-4: ill-conditioned, as J often is at a small alpha or
on features on very different scales). Against the last improvement, a
plateau is ``n_iter_no_change`` epochs that together gained less than ``tol``.
After such a plateau (also what momentum's oscillation looks like), the
full-batch gradient of J is measured in the
preconditioner's coordinates: J is stationary when that gradient is at most
``sqrt(tol)`` times its size at the starting weights (near a minimum, the gap of
J shrinks with the square of the gradient), and, where an epoch's estimate of
J is exact (one step on every row), J did not rise on the plateau (its last
epoch within ``tol`` of its best). Then training stops. Both must hold:
a small gradient alone does not show that J is near its minimum in a flat valley
(at a small alpha J can still fall by several times while its gradient is 1% of
its size at the start), and a plateau alone may be momentum's oscillation or a
step too large for the last digits of J. Otherwise the
``adaptive`` schedule divides the step by 5 and goes on, and the other schedules
stop with a ConvergenceWarning, as does running out of ``max_iter``.

A fit that would end silently (stationary, lbfgs's success, early stopping
done) but whose J (for early stopping: its data term on the training part) is
clearly above the J of the best constant model (all weights zero:
:meth:`~skreg._objective.Objective.constant_value`) has failed all the same, and
warns (:func:`warn_if_worse_than_constant`).
"""

import math

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skreg._warnings import warn

#: A fit ends worse than the best constant model when its J exceeds the
#: constant's J by more than this fraction of it (plus CONSTANT_FLOOR, and at
#: least ``tol`` times J: see warn_if_worse_than_constant). Zero weights are a
#: stationary point of J, so no fit should end above it; but a network collapsed
#: by a large alpha ends a little above, never on it: the minibatch steps keep
#: its weights jittering around zero. Measured on the bundled datasets, scaled,
#: at alpha from 0.3 to 1e4: sgd ends up to 0.4% above (relative), adam up to
#: 0.9% (diabetes, breast_cancer) and 1.5% (20-row subsets, batch_size=8). 1e-2
#: would warn on those; 0.1 is well clear of them and still far below the
#: failures this check is for (a digits fold ended at J 4.3 against 2.3, 87%
#: above; sgd with softplus and poisson on scikit-learn's check data, scaled or
#: not, stops at 0.48 against 0.26).
WORSE_THAN_CONSTANT = 0.1
#: ...plus this many units of J, a unit being the loss of one residual of one
#: target spread (``loss.value`` at ``y = 0``, ``raw = output_scale``: the
#: variance for squared_error, about one nat for the log-loss). It matters only
#: where the constant's J is (nearly) zero, constant targets, where the relative
#: margin vanishes: there the leftovers of the starting weights keep a fit a
#: little above zero (lbfgs stops at J ~ 2e-4 at alpha=1e-4, in units of 1).
CONSTANT_FLOOR = 1e-2


def improved(epoch_loss, improved_loss, tol):
    """Did this epoch's J beat the last improvement's, ``improved_loss``, by more
    than ``tol`` of its size?"""
    return math.isinf(improved_loss) or (
        epoch_loss < improved_loss - tol * abs(improved_loss)
    )


def stationary_level(tol):
    return math.sqrt(tol)


class Stationarity:
    """The size of J's gradient relative to its size at the start of training.

    ``data_term`` is the exact data term of J at the weights of the last
    measure (computed on the way): after a stop for stationarity, the final J
    is that plus the penalty, at no extra pass over the data.
    """

    def __init__(self, objective, state):
        self.objective, self.state = objective, state
        self.data_term = None
        if state.gradient_scale is None:
            state.gradient_scale = self.gradient_size()

    def gradient_size(self):
        self.data_term, size = self.objective.data_term_and_gradient_size(
            self.state.theta, self.state.preconditioner
        )
        return size

    def ratio(self):
        scale = self.state.gradient_scale
        return self.gradient_size() / scale if scale > 0 else 0.0


def at_plateau(state, stationarity, tol, exact_estimates=False):
    """J stopped improving: True to stop (stationary, or the schedule gives up).

    ``exact_estimates``: each epoch is one step on every row, so its estimate
    of J is J itself at the epoch's starting weights, with no sampling noise.
    """
    if stationarity is not None:
        state.stationarity = stationarity.ratio()
        # A J that rose on the plateau is no minimum, however small its
        # gradient (see warn_small_gradient). Only exact estimates tell: the
        # noise of minibatch estimates puts the last above the best at almost
        # every plateau (tried: it changed the alpha that the CV path picks on
        # diabetes, 353 rows per fold, and slowed the path by a quarter).
        rising = exact_estimates and (
            state.loss > state.best_loss + tol * abs(state.best_loss)
        )
        if state.stationarity <= stationary_level(tol) and not rising:
            state.converged = True
            return True
    # tol=0 asks for every epoch up to max_iter: the schedule may still react.
    if state.optimizer.should_stop() and tol > 0:
        state.stop_reason = "J stopped improving"
        return True
    state.no_improvement = 0
    return False


def warn_not_stationary(state, stationarity, settings):
    """ConvergenceWarning: how far from stationary J ended, and what to change."""
    if stationarity is None:
        warn(
            f"Stochastic optimizer: maximum iterations ({settings.max_iter}) "
            "reached and the optimization hasn't converged yet.",
            ConvergenceWarning,
        )
        return
    if state.stationarity is None:
        state.stationarity = stationarity.ratio()
    reason = state.stop_reason or f"maximum iterations ({settings.max_iter}) reached"
    if state.stop_reason and settings.learning_rate == "adaptive":
        reason += " and the adaptive step reached its floor"
    if state.stationarity <= stationary_level(settings.tol):
        warn_small_gradient(state, settings, reason)
        return
    if not state.stop_reason:
        advice = ["increase max_iter"]
    elif settings.learning_rate != "adaptive":
        advice = ["use learning_rate='adaptive'"]
    else:
        # The adaptive step fell to its floor: the noise of J's estimates (or the
        # precision of the dtype) is what keeps it from falling further.
        advice = ["raise tol", "use a larger batch_size"]
    spread = float(max(state.preconditioner.output_scale.max(), 1.0))
    if spread > 10:
        advice.append(
            "scale y (for example with TransformedTargetRegressor and "
            f"StandardScaler: its spread is {spread:.3g}, and how strongly alpha "
            "regularises depends on it)"
        )
    warn(
        f"Stochastic optimizer: {reason} before J was stationary: the gradient "
        f"of J is {state.stationarity:.3g} times its size at the start "
        f"(tol={settings.tol:g} asks for at most "
        f"{stationary_level(settings.tol):.3g}). To get closer, "
        f"{', or '.join(advice)}.",
        ConvergenceWarning,
    )


def warn_small_gradient(state, settings, reason):
    """ConvergenceWarning for a fit that stopped short although J's gradient
    was small: the slow directions of an ill-conditioned J, where the gap to
    the minimum is large for the gradient.

    Either J was still falling when ``max_iter`` ran out (wine, logistic
    regression at alpha=1e-4: 20% above the minimum with a gradient 1% of its
    size at the start), or J rose on its last plateau (:func:`at_plateau`
    does not take that for stationary) until the schedule gave up: momentum
    carried the weights of a (20,) network on scaled wine at alpha=1e-4 past
    a J three times its minimum (without momentum J kept falling).
    """
    curve = state.loss_curve
    if state.stop_reason:
        rise = state.loss / state.best_loss - 1 if state.best_loss > 0 else 0.0
        what = f"while J was rising ({rise:.2%} above its best epoch's)"
        advice = "use solver='lbfgs', raise alpha, or lower momentum"
    else:
        window = int(min(settings.n_iter_no_change, len(curve) - 1))
        fall = (curve[-1 - window] - curve[-1]) / abs(curve[-1]) if window else 0.0
        # The epochs' estimates of J are noisy: a window may end above its
        # start while an epoch in it still improved by more than tol.
        what = "while J was still falling ({})".format(
            f"by {fall:.2%} over the last {window} epochs" if fall > 0
            else f"by more than tol={settings.tol:g} within the last {window} epochs"
        )
        advice = (
            "increase max_iter, scale X (for example with StandardScaler), "
            "raise alpha, or use solver='lbfgs'"
        )
    warn(
        f"Stochastic optimizer: {reason} {what}, although its gradient is only "
        f"{state.stationarity:.3g} times its size at the start: J is "
        "ill-conditioned (features on very different scales, nearly collinear "
        "features, or a small alpha) and may still be well above its minimum. "
        f"To get closer, {advice}.",
        ConvergenceWarning,
    )


def constant_margin(objective, constant):
    """How far above the constant model's J (``constant``) a fit may end."""
    spread = objective.output_scale()[None, :]  # in X's dtype, as the loop's J
    unit = float(objective.loss.value(np.zeros_like(spread), spread)[0])
    return WORSE_THAN_CONSTANT * abs(constant) + CONSTANT_FLOOR * unit


def warn_if_worse_than_constant(
    objective, value, tol, solver, advice, continued, what="J =", where=""
):
    """ConvergenceWarning when the fit's final ``value`` (exact, of ``objective``)
    is above the best constant model's J by more than :func:`constant_margin`,
    and by more than ``tol`` times itself.

    ``value`` is J, or the data term alone (``what`` says which): the constant
    model's penalty is zero, so its J is its data term. ``tol`` is the relative
    precision of J that the fit was asked for (0 where its stop does not watch
    J): within it, as :func:`improved` measures it, the two cannot be told
    apart. A deliberately loose fit (``tol=0.5`` stops at its first plateau)
    may still be well above the constant model, and that is what it asked for.
    A fit that ``continued`` from earlier weights (warm start) is also told to
    start afresh.
    """
    constant = objective.constant_value()
    margin = max(constant_margin(objective, constant), tol * abs(value))
    if not value - constant > margin:
        return
    if continued:
        advice += ", or start from new weights (warm_start=False)"
    warn(
        f"{solver} ended at {what} {value:.4g}{where}, worse than the best constant "
        "prediction (all weights zero, the output bias at the best constant: J "
        f"= {constant:.4g}). The fit has failed. {advice}.",
        ConvergenceWarning,
    )
