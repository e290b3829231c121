"""Full-batch training with scipy's L-BFGS-B on the exact J and its gradient.

L-BFGS-B works in the preconditioner's coordinates ``u`` (:mod:`skreg._preconditioner`):
``J(T^-1 u)`` has the gradient ``T^-T grad J``, so that features on any scale
and far from zero (a badly conditioned problem in the weights themselves) look
standardised to it, and its gradient test means the same for every scaling.
"""


import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from skreg._faults import (
    Interrupted,
    divergence,
    not_finite_at_start,
    too_large_for_lbfgs,
    warn_interrupted,
)
from skreg._stopping import warn_if_worse_than_constant
from skreg._warnings import warn


class _Evaluations:
    """The objective and callback handed to scipy, and the last accepted iterate."""

    def __init__(self, objective, state, settings, interrupt):
        self.objective, self.state = objective, state
        self.verbose, self.interrupt = settings.verbose, interrupt
        self.grad = np.empty(objective.layout.n_params, dtype=objective.dtype)
        self.preconditioner = state.preconditioner
        self.last_x = self.to_u(state.theta)
        # The last finite evaluation (x, J, gradient): scipy evaluates the
        # starting point again, and a non-finite trial point steps back to it.
        self.finite = None

    def fun(self, x):
        """J and its gradient in float64; a steep wall past a non-finite point."""
        if self.interrupt.is_set():
            raise Interrupted
        if self.finite is not None:
            if np.array_equal(x, self.finite[0]):
                return self.finite[1], self.finite[2].copy()
            if not np.all(np.isfinite(x)):
                # scipy's own arithmetic overflowed on J's size (it is handed
                # finite values only): the data's or alpha's doing, no step's.
                x_good, value_good, grad_good = self.finite
                raise too_large_for_lbfgs(
                    self.objective, self.to_theta(x_good), value_good, grad_good
                )
        objective, grad = self.objective, self.grad
        value = objective.value_and_grad(self.to_theta(x), grad)
        if np.isfinite(value) and np.all(np.isfinite(grad)):
            self.state.stepped = True
            self.preconditioner.to_u(grad)
            self.finite = (x.copy(), value, grad.astype(np.float64))
            return value, self.finite[2].copy()
        if not self.state.stepped:
            raise not_finite_at_start(objective)
        return self._wall(x)

    def to_theta(self, u):
        """The weights (X's dtype) at the point ``u`` of scipy's iteration."""
        return self.preconditioner.to_theta(u.astype(self.objective.dtype))

    def to_u(self, theta):
        """scipy's coordinates (float64) of the weights ``theta``."""
        return self.preconditioner.from_theta(theta.copy()).astype(np.float64)

    def _wall(self, x):
        """J and gradient of a steep bowl around the last finite point.

        The line search then sees a huge increase along its direction and
        shrinks the step, instead of reading inf (or a zero gradient) as the end.
        """
        x_good, value_good, _ = self.finite
        d = x - x_good
        height = (abs(value_good) + 1.0) * 1e6
        return value_good + height, (2 * height / max(float(d @ d), 1e-300)) * d

    def callback(self, intermediate_result):
        """Record an accepted iterate (J per iteration, verbose report)."""
        state = self.state
        self.last_x = intermediate_result.x.copy()
        J = float(intermediate_result.fun)
        state.loss_curve.append(J)
        state.n_iter += 1
        if self.verbose:
            penalty = self.objective.penalty(self.to_theta(self.last_x))
            state.progress.report(state.n_iter, J, J - penalty, penalty)


def fit_lbfgs(objective, state, solver, settings, interrupt):
    """Minimise J from ``state.theta`` with L-BFGS-B; ``max_iter`` iterations.

    ``tol`` is relative to the gradient at the start: L-BFGS-B stops once
    ``max |grad J| <= tol * max |grad J(start)|`` (scipy's ``gtol``; its test on
    the change of J is off, so that it cannot stop first). Any other end warns
    with how far from stationary J is. A Ctrl-C keeps the last accepted iterate.
    """
    objective = objective.full_batch()  # every row, every evaluation
    evaluations = _Evaluations(objective, state, settings, interrupt)
    start_grad = 0.0
    state.progress.start()
    try:
        _, grad0 = evaluations.fun(evaluations.last_x)
        start_grad = float(np.max(np.abs(grad0), initial=0.0))
        result = minimize(
            evaluations.fun,
            evaluations.last_x,
            jac=True,
            method="L-BFGS-B",
            callback=evaluations.callback,
            options={
                "maxiter": settings.max_iter,
                "maxfun": settings.max_fun,
                "gtol": settings.tol * start_grad,
                "ftol": 0.0,
            },
        )
        x_final = result.x
    except (Interrupted, KeyboardInterrupt):
        state.progress.close()
        warn_interrupted(state, solver.unit)
        x_final, result = evaluations.last_x, None
    # Warnings follow: the bar's line ends first.
    state.progress.close()
    theta = evaluations.to_theta(x_final)
    value = objective.value_and_grad(theta, evaluations.grad)
    evaluations.preconditioner.to_u(evaluations.grad)
    if not np.isfinite(value) or not np.all(np.isfinite(theta)):
        raise divergence("loss", state.n_iter, solver.divergence_advice)
    if result is not None and _stationary_or_warn(
        result, evaluations.grad, start_grad, settings.tol
    ):
        _check_against_constant(objective, state, value, solver, settings.tol)
    state.theta = theta
    state.loss = value
    state.best_loss = value
    state.t += objective.n_samples * max(state.n_iter, 1)


def _check_against_constant(objective, state, value, solver, tol):
    """A success that ended above the best constant model warns all the same.

    ``value`` is the exact J at the returned weights: the check costs nothing.
    ``tol`` (a gradient's, here) stands for J's precision as it does for the
    stochastic solvers: the gap it leaves in J is smaller, so this is lenient.
    """
    advice = "Scale the data (for example with StandardScaler) or change random_state"
    warn_if_worse_than_constant(
        objective, value, tol, solver.name, advice, state.continued
    )


def _stationary_or_warn(result, grad, start_grad, tol):
    """True at a small enough gradient; a ConvergenceWarning for every other end."""
    top = float(np.max(np.abs(grad), initial=0.0))
    ratio = top / start_grad if start_grad > 0 else 0.0
    if result.status == 0 and ratio <= tol:
        return True
    if result.status == 1:
        advice = "Increase max_iter or max_fun"
    else:
        advice = "Scale the data (for example with StandardScaler), fit in float64"
    warn(
        f"lbfgs stopped after {result.nit} iteration(s) ({result.message}) with "
        f"max |grad J| = {top:.3g}, {ratio:.3g} times its value at the start "
        f"(tol={tol:g} asks for at most {tol:g}). {advice}, or raise tol.",
        ConvergenceWarning,
    )
    return False
