"""Full-batch training with scipy's L-BFGS-B on the exact J and its gradient."""

import time
import warnings

import numpy as np
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning

from skreg._faults import Interrupted, divergence, not_finite_at_start, warn_interrupted


class _Evaluations:
    """The objective and callback handed to scipy, and the last accepted iterate."""

    def __init__(self, objective, state, settings, interrupt):
        self.objective, self.state = objective, state
        self.verbose, self.interrupt = settings.verbose, interrupt
        self.grad = np.empty(objective.layout.n_params, dtype=objective.dtype)
        self.last_x = state.theta.astype(np.float64)
        self.last_time = time.perf_counter()

    def fun(self, x):
        """J and its gradient in float64; inf past a non-finite point."""
        if self.interrupt.is_set():
            raise Interrupted
        objective, grad = self.objective, self.grad
        value = objective.value_and_grad(x.astype(objective.dtype, copy=False), grad)
        if not np.isfinite(value) or not np.all(np.isfinite(grad)):
            if not self.state.stepped:
                raise not_finite_at_start(objective)
            # Tell the line search to step back; a finite point was seen before.
            return np.inf, np.zeros(objective.layout.n_params)
        self.state.stepped = True
        return value, grad.astype(np.float64)

    def callback(self, intermediate_result):
        """Record an accepted iterate (J per iteration, verbose report)."""
        state = self.state
        self.last_x = intermediate_result.x.copy()
        J = float(intermediate_result.fun)
        state.loss_curve.append(J)
        state.n_iter += 1
        if self.verbose:
            penalty = self.objective.penalty(self.last_x)
            now = time.perf_counter()
            state.progress.report(
                state.n_iter, J, J - penalty, penalty, now - self.last_time
            )
            self.last_time = now


def fit_lbfgs(objective, state, solver, settings, interrupt):
    """Minimise J from ``state.theta`` with L-BFGS-B; ``max_iter`` iterations.

    ``tol`` is scipy's ``gtol``; a Ctrl-C keeps the last accepted iterate.
    """
    objective = objective.full_batch()  # every row, every evaluation
    evaluations = _Evaluations(objective, state, settings, interrupt)
    try:
        result = minimize(
            evaluations.fun,
            evaluations.last_x,
            jac=True,
            method="L-BFGS-B",
            callback=evaluations.callback,
            options={
                "maxiter": settings.max_iter,
                "maxfun": settings.max_fun,
                "gtol": settings.tol,
            },
        )
        x_final = result.x
        if result.status == 1:
            warnings.warn(
                "lbfgs failed to converge after "
                f"{result.nit} iteration(s) ({result.message}). Increase "
                "max_iter or max_fun, or scale the data.",
                ConvergenceWarning,
                stacklevel=5,
            )
    except (Interrupted, KeyboardInterrupt):
        warn_interrupted(state, solver.unit)
        x_final = evaluations.last_x
    theta = x_final.astype(objective.dtype)
    value = objective.value_and_grad(theta, evaluations.grad)
    if not np.isfinite(value) or not np.all(np.isfinite(theta)):
        raise divergence("loss", state.n_iter, solver.divergence_advice)
    state.theta = theta
    state.loss = value
    state.best_loss = value
    state.t += objective.n_samples * max(state.n_iter, 1)
