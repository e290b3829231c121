"""When the stochastic solvers stop, and what they say when J is not stationary.

``tol`` is a relative precision of J. An epoch improves when its estimate of J
falls below the best so far by more than ``tol * |best J|``. After
``n_iter_no_change`` epochs without improvement (a plateau, also what momentum's
oscillation looks like), the full-batch gradient of J is measured in the
preconditioner's coordinates: J is stationary when that gradient is at most
``sqrt(tol)`` times its size at the starting weights (near a minimum, the gap of
J shrinks with the square of the gradient). Then training stops. Both must hold:
a small gradient alone does not show that J is near its minimum in a flat valley
(at a small alpha J can still fall by several times while its gradient is 1% of
its size at the start), and a plateau alone may be momentum's oscillation or a
step too large for the last digits of J. Otherwise the
``adaptive`` schedule divides the step by 5 and goes on, and the other schedules
stop with a ConvergenceWarning, as does running out of ``max_iter``.
"""

import math

from sklearn.exceptions import ConvergenceWarning

from skreg._warnings import warn


def improved(epoch_loss, best_loss, tol):
    """Did this epoch's J beat the best one by more than ``tol`` of its size?"""
    return math.isinf(best_loss) or epoch_loss < best_loss - tol * abs(best_loss)


def stationary_level(tol):
    return math.sqrt(tol)


class Stationarity:
    """The size of J's gradient relative to its size at the start of training."""

    def __init__(self, objective, state):
        self.objective, self.state = objective, state
        if state.gradient_scale is None:
            state.gradient_scale = self.gradient_size()

    def gradient_size(self):
        return self.objective.gradient_size(
            self.state.theta, self.state.preconditioner
        )

    def ratio(self):
        scale = self.state.gradient_scale
        return self.gradient_size() / scale if scale > 0 else 0.0


def at_plateau(state, stationarity, tol):
    """J stopped improving: True to stop (stationary, or the schedule gives up)."""
    if stationarity is not None:
        state.stationarity = stationarity.ratio()
        if state.stationarity <= stationary_level(tol):
            state.converged = True
            return True
    if state.optimizer.should_stop():
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
    if not state.stop_reason:
        advice = ["increase max_iter"]
    elif settings.learning_rate != "adaptive":
        advice = ["use learning_rate='adaptive'"]
    else:
        # The adaptive step fell to its floor: the noise of J's estimates (or the
        # precision of the dtype) is what keeps it from falling further.
        reason += " and the adaptive step reached its floor"
        advice = ["raise tol", "use a larger batch_size"]
    spread = float(max(state.preconditioner.output_scale.max(), 1.0))
    if spread > 10:
        advice.append(
            "scale y (for example with TransformedTargetRegressor and "
            f"StandardScaler: its spread is {spread:.3g}, and alpha acts on the "
            "weights that carry it)"
        )
    warn(
        f"Stochastic optimizer: {reason} before J was stationary: the gradient "
        f"of J is {state.stationarity:.3g} times its size at the start "
        f"(tol={settings.tol:g} asks for at most "
        f"{stationary_level(settings.tol):.3g}). To get closer, "
        f"{', or '.join(advice)}.",
        ConvergenceWarning,
    )
