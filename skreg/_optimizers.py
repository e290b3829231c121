"""Stochastic optimizers that update one flat parameter vector in place.

The gradient they receive is the minibatch estimate of the gradient of the whole
objective J, penalty included, so that their fixed point is a stationary point of J
(decoupled weight decay under momentum would minimise a different objective).
The penalty's gradient ``2 alpha W`` can be handed over separately (``decay``): it
is added to the gradient inside the update, before momentum, which saves a pass
over the parameters and changes no number.
"""

import math

import numpy as np
from scipy.linalg import blas

#: Elements per block of SGD's update. The update makes several passes; done block
#: by block, the blocks of all its vectors (5 x 256 KiB) stay in the L2 cache and
#: memory is read and written once instead of once per pass.
_BLOCK = 1 << 15
#: Elements per block of SGD's BLAS step (:meth:`SGD.step`): its passes over a
#: block of three vectors then read the cache, not memory (measured best from
#: 2**16 to 2**17 on a 1.6 M-weight network, float32 and float64).
_BLAS_BLOCK = 1 << 16
#: The schedule's state, kept by every optimizer's :meth:`state`.
_SCHEDULE_FIELDS = ("learning_rate_init", "learning_rate", "schedule", "power_t")


def _blocks(size, block_size, decayed):
    """``(block, n)`` over ``range(size)`` by ``block_size``: a block's slice and
    how many of its leading elements lie in the first ``decayed`` (the weights,
    which the penalty's share of a step covers)."""
    for start in range(0, size, block_size):
        yield slice(start, start + block_size), max(0, min(decayed - start, block_size))


def _add_decay(params, grads, decay, buffer):
    """``grads[:stop] += factor * params[:stop]`` for ``decay = (stop, factor)``."""
    if decay is None:
        return
    stop, factor = decay
    stop = min(stop, grads.shape[0])
    if stop > 0:
        grads[:stop] += np.multiply(params[:stop], factor, out=buffer[:stop])


class _StochasticOptimizer:
    """Learning-rate schedule shared by the stochastic optimizers.

    Parameters
    ----------
    learning_rate_init : float
        Initial step size.
    schedule : {"constant", "invscaling", "adaptive"}
        scikit-learn's semantics: ``invscaling`` divides by ``(t + 1) ** power_t``
        with ``t`` the number of samples seen, ``adaptive`` divides by 5 each time
        training stops improving.
    power_t : float
        Exponent of ``invscaling``.
    """

    stochastic = True
    #: The key of :data:`OPTIMIZERS`, kept in :meth:`state`.
    name: str
    #: What :meth:`state` keeps: the schedule, the hyperparameters and the
    #: moment arrays (scratch buffers are rebuilt by the constructor).
    _state_fields: tuple = _SCHEDULE_FIELDS
    #: ``adaptive`` stops training once the step size falls below this value.
    min_learning_rate = 1e-6

    def __init__(self, learning_rate_init, schedule="constant", power_t=0.5):
        # Python floats throughout: a np.float64 hyperparameter (a grid search
        # over np.logspace) would turn float32 updates into float64 ones.
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = self.learning_rate_init
        self.schedule = schedule
        self.power_t = float(power_t)

    def state(self):
        """Everything needed to continue training, as plain values and arrays.

        A fitted estimator keeps this dictionary rather than the optimizer, so
        that it holds no skreg object (``skops.io`` then loads it trusting public
        names only). The arrays are the optimizer's own, not copies.
        """
        return {"name": self.name, **{f: getattr(self, f) for f in self._state_fields}}

    def _continue_from(self, state):
        """Take over the values of :meth:`state` (copies of its arrays)."""
        for field in self._state_fields:
            value = state[field]
            if isinstance(value, np.ndarray):
                value = value.copy()
            setattr(self, field, value)
        return self

    def end_epoch(self, t):
        """Apply the schedule after an epoch; ``t`` counts the samples seen."""
        if self.schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (t + 1) ** self.power_t

    def should_stop(self):
        """Called when training stopped improving: True to stop, False to go on."""
        if self.schedule != "adaptive":
            return True
        if self.learning_rate <= self.min_learning_rate * self.learning_rate_init:
            return True
        self.learning_rate /= 5.0
        return False


class SGD(_StochasticOptimizer):
    """Stochastic gradient descent with (Nesterov) momentum.

    :meth:`update` works in place on the flat vectors, block by block with two
    block-sized buffers (numpy ufuncs, not scipy's BLAS: scipy ships its own
    OpenBLAS, whose threads would fight numpy's for the cores between every two
    products). :meth:`step` is its BLAS counterpart, for loops whose products
    run on scipy's BLAS (large networks).
    """

    name = "sgd"
    _state_fields = (*_SCHEDULE_FIELDS, "momentum", "nesterov", "velocity")

    def __init__(
        self,
        params,
        learning_rate_init,
        schedule="constant",
        power_t=0.5,
        momentum=0.9,
        nesterov=True,
    ):
        super().__init__(learning_rate_init, schedule, power_t)
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.velocity = np.zeros_like(params)
        size = min(_BLOCK, params.shape[0])
        self._buffers = np.empty((2, size), dtype=params.dtype)

    @classmethod
    def from_state(cls, state):
        """A new optimizer continuing from :meth:`state`."""
        optimizer = cls(
            state["velocity"], state["learning_rate_init"], state["schedule"],
            state["power_t"], momentum=state["momentum"], nesterov=state["nesterov"],
        )
        return optimizer._continue_from(state)

    @property
    def dtype(self):
        return self.velocity.dtype

    def restart(self, learning_rate):
        """Forget the velocity and continue with another step size."""
        self.velocity[...] = 0
        self.learning_rate = self.learning_rate_init = learning_rate

    def update(self, params, grads, decay=None):
        """One step on ``params`` (changed in place) along ``grads``.

        ``decay = (stop, factor)`` adds ``factor * params[:stop]`` to ``grads``
        first (the penalty's gradient); ``grads`` is used as scratch.
        """
        self._numpy_step(params, grads, decay, scale=-self.learning_rate)

    def step(self, params, step, decay=None, scipy_blas=True):
        """One step on ``params`` (changed in place) given ``step = -lr * g``,
        with scipy's BLAS (``scipy_blas=False``: numpy's ufuncs, as :meth:`update`).

        For the stochastic loop of large networks, whose products run on scipy's
        BLAS and give the scaled data gradient directly: OpenBLAS runs these
        passes on the threads the products just used, where :meth:`update`'s
        ufuncs use one core. ``decay = (stop, factor)`` adds ``factor *
        params[:stop]`` to ``step`` first (the penalty's share of the step);
        ``step`` is used as scratch. Done by blocks of :data:`_BLAS_BLOCK`, so
        that the passes over a block read it from the cache: on a 1.6 M-weight
        network this takes 60% of the time of whole-vector passes. The numbers
        differ from :meth:`update`'s by rounding only (fused multiply-adds).
        """
        if not scipy_blas:
            self._numpy_step(params, step, decay)
            return
        stop, factor = decay if decay is not None else (0, 0.0)
        # Looked up once, not per block as _network.axpy would.
        scal = blas.get_blas_funcs("scal", (params,))
        add = blas.get_blas_funcs("axpy", (params,))
        momentum, nesterov = self.momentum, self.nesterov
        for block, n_decayed in _blocks(params.shape[0], _BLAS_BLOCK, stop):
            p, s, v = params[block], step[block], self.velocity[block]
            if n_decayed:
                add(p[:n_decayed], s[:n_decayed], a=factor)
            # velocity = momentum * velocity - lr * grads
            scal(momentum, v)
            add(s, v)
            if nesterov:
                # params += momentum * velocity - lr * grads
                add(v, p, a=momentum)
                add(s, p)
            else:
                add(v, p)

    def _step_block(self, params, step, velocity):
        # velocity = momentum * velocity - lr * grads
        velocity *= self.momentum
        velocity += step
        if self.nesterov:
            # params += momentum * velocity - lr * grads
            params += step
            scratch = self._buffers[1, : params.shape[0]]
            params += np.multiply(velocity, self.momentum, out=scratch)
        else:
            params += velocity

    def _numpy_step(self, params, vector, decay, scale=None):
        """:meth:`update` (``scale = -lr``: ``vector`` is the gradient) and
        :meth:`step` with numpy (no scale: ``vector`` is the step), by blocks."""
        stop, factor = decay if decay is not None else (0, 0.0)
        for block, n_decayed in _blocks(params.shape[0], _BLOCK, stop):
            p, v = params[block], vector[block]
            n = p.shape[0]
            local = (n_decayed, factor) if n_decayed else None
            _add_decay(p, v, local, self._buffers[1, :n])
            if scale is not None:
                v = np.multiply(v, scale, out=self._buffers[0, :n])
            self._step_block(p, v, self.velocity[block])


class Adam(_StochasticOptimizer):
    """Adam (Kingma and Ba, 2015) with bias correction."""

    name = "adam"
    _state_fields = (
        *_SCHEDULE_FIELDS, "beta_1", "beta_2", "epsilon", "n_steps",
        "first_moment", "second_moment",
    )

    def __init__(
        self,
        params,
        learning_rate_init,
        schedule="constant",
        power_t=0.5,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
    ):
        super().__init__(learning_rate_init, schedule, power_t)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.n_steps = 0
        self.first_moment = np.zeros_like(params)
        self.second_moment = np.zeros_like(params)
        self._step = np.empty_like(params)

    @classmethod
    def from_state(cls, state):
        """A new optimizer continuing from :meth:`state`."""
        optimizer = cls(
            state["first_moment"], state["learning_rate_init"], state["schedule"],
            state["power_t"], beta_1=state["beta_1"], beta_2=state["beta_2"],
            epsilon=state["epsilon"],
        )
        return optimizer._continue_from(state)

    @property
    def dtype(self):
        return self.first_moment.dtype

    def restart(self, learning_rate):
        """Forget the moment estimates and continue with another step size."""
        self.n_steps = 0
        self.first_moment[...] = 0
        self.second_moment[...] = 0
        self.learning_rate = self.learning_rate_init = learning_rate

    def update(self, params, grads, decay=None):
        """One step on ``params`` (changed in place) along ``grads``.

        ``decay`` as for :meth:`SGD.update`.
        """
        _add_decay(params, grads, decay, self._step)
        self.n_steps += 1
        b1, b2 = self.beta_1, self.beta_2
        self.first_moment *= b1
        self.first_moment += (1 - b1) * grads
        self.second_moment *= b2
        step = np.multiply(grads, grads, out=self._step)
        step *= 1 - b2
        self.second_moment += step
        # A Python float, so that ``step *= -lr`` stays in the parameters' dtype.
        lr = self.learning_rate * math.sqrt(1 - b2**self.n_steps) / (
            1 - b1**self.n_steps
        )
        np.sqrt(self.second_moment, out=step)
        step += self.epsilon
        np.divide(self.first_moment, step, out=step)
        step *= -lr
        params += step


#: The stochastic optimizers by :attr:`name`, to rebuild one from its state.
OPTIMIZERS = {cls.name: cls for cls in (SGD, Adam)}


def optimizer_from_state(state):
    """The optimizer that :meth:`~_StochasticOptimizer.state` describes."""
    return OPTIMIZERS[state["name"]].from_state(state)
