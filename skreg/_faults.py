"""Faults during training: divergence, data too large to start, Ctrl-C."""

import signal
import threading
from contextlib import contextmanager

import numpy as np

from skreg._warnings import warn


class DivergenceError(ValueError):
    """Training produced a non-finite loss or non-finite weights."""


class Interrupted(Exception):
    """Raised inside the lbfgs objective after a deferred Ctrl-C."""


#: In a worker thread of a CV search: the search's Ctrl-C flag (see
#: :func:`sharing_interrupt`).
_worker = threading.local()


@contextmanager
def deferred_interrupt():
    """Turn Ctrl-C into a flag that the training loops check between steps.

    Outside the main thread signals cannot be caught; the flag is then the one a
    search shared with this thread (:func:`sharing_interrupt`), or one that stays
    False, and a KeyboardInterrupt is handled where it surfaces. Nested uses all
    see the signal: a fit inside a CV search sets the search's flag too, so that
    the search stops rather than going on to the next fit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield getattr(_worker, "hit", None) or threading.Event()
        return
    hit = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        hit.set()
        if getattr(previous, "defers_interrupt", False):
            previous(signum, frame)

    handler.defers_interrupt = True
    signal.signal(signal.SIGINT, handler)
    try:
        yield hit
    finally:
        signal.signal(signal.SIGINT, previous)


def warn_interrupted(state, unit):
    """Mark the fit as interrupted and say what the model keeps."""
    state.interrupted = True
    warn(
        "Training interrupted by KeyboardInterrupt after "
        f"{state.n_iter} complete {unit}(s); the model keeps the last good "
        "weights.",
        UserWarning,
    )


def divergence(what, epoch, advice):
    """The DivergenceError of a non-finite ``what`` at ``epoch``."""
    return DivergenceError(
        f"Training diverged: the {what} became non-finite at epoch {epoch}. {advice}"
    )


def max_abs(A):
    """Largest absolute entry of a dense or sparse array (0 when empty)."""
    A = abs(A)
    return float(A.max()) if A.shape[0] * A.shape[1] else 0.0


def data_scale(objective):
    """``max |X| = ..., max |y| = ...`` of the problem: what the data errors name."""
    return (
        f"max |X| = {max_abs(objective.X):.3g}, max |y| = {max_abs(objective.Y):.3g}"
    )


def overflowed_output(X, raw, predicted=None):
    """The error for outputs that are not finite on the (finite) ``X``.

    NaN and inf in the raw output come from the network's arithmetic
    overflowing; inf in ``predicted`` from a finite raw output is the inverse
    link's (Poisson's ``exp``) overflow.
    """
    dtype = raw.dtype
    if np.isnan(raw).any():
        what, bad = "The network's output overflowed to NaN", np.isnan(raw)
    elif not np.all(np.isfinite(raw)):
        what, bad = "The network's output overflowed to inf", ~np.isfinite(raw)
    else:
        top = np.log(np.finfo(dtype).max)
        what = f"The predicted mean exp(f) overflowed (f above {top:.4g})"
        bad = ~np.isfinite(predicted)
    rows = int(bad.any(axis=1).sum())
    wider = ", or pass X as float64" if dtype == np.float32 else ""
    return ValueError(
        f"{what} for {rows} of {X.shape[0]} sample(s): X is too large for this "
        f"model in {dtype} arithmetic (max |X| = {max_abs(X):.3g}). Scale X as "
        f"it was scaled for training{wider}."
    )


def not_finite_at_start(objective):
    """A data error: J or its gradient is not finite at the starting weights,
    before any step."""
    return ValueError(
        "The objective J or its gradient is not finite at the starting weights, "
        "before any training step: the data are too large for "
        f"{objective.X.dtype} arithmetic ({data_scale(objective)}, "
        f"alpha = {objective.alpha:.3g}). Scale X and y (for example with "
        "StandardScaler) or lower alpha."
    )


def too_large_for_lbfgs(objective, theta, value, grad):
    """A data error: L-BFGS-B's own float64 arithmetic overflowed on the size of
    J and of its gradient ``grad`` (at the weights ``theta``, J = ``value``).

    Its squared norms of the gradient overflow long before J itself does (from
    ``|grad J|`` near 1e154, targets near 1e77 under the squared error): the
    iterate it proposes is then NaN. Whichever term of J dominates is named.
    """
    penalty = objective.penalty(theta)
    if penalty > value - penalty:
        culprit, advice = "alpha is", "Lower alpha."
    else:
        culprit = "the data are"
        advice = "Scale X and y (for example with StandardScaler)."
    top = float(np.max(np.abs(grad), initial=0.0))
    return ValueError(
        "L-BFGS-B's float64 arithmetic overflowed on the size of J "
        f"({value:.3g}) and of its gradient (max |grad J| = {top:.3g}): "
        f"{culprit} too large for solver='lbfgs' ({data_scale(objective)}, "
        f"alpha = {objective.alpha:.3g}). {advice}"
    )


@contextmanager
def sharing_interrupt(hit):
    """In a worker thread: the fits run here stop when ``hit`` is set.

    The main thread's Ctrl-C handler sets it; without it, a thread worker would
    run its fits to the end after the search had already raised.
    """
    previous = getattr(_worker, "hit", None)
    _worker.hit = hit
    try:
        yield
    finally:
        _worker.hit = previous


@contextmanager
def raising_interrupt(hit):
    """Let Ctrl-C raise KeyboardInterrupt (and set ``hit``): for waits like joblib's."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        hit.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
