"""Link functions between the network's raw output and the predicted quantity.

In the shape of scikit-learn's ``sklearn/_loss/link.py``: ``link`` maps a mean
``mu`` to the raw scale, ``inverse`` maps raw outputs back (the output activation,
``out_activation_``). Raw outputs have shape ``(n_samples, n_outputs)``.
"""

import numpy as np
from scipy.special import expit, logit, softmax


class IdentityLink:
    """``raw = mu``: the output of the regression losses other than Poisson."""

    name = "identity"

    def link(self, mu):
        return mu

    def inverse(self, raw):
        return raw


class LogLink:
    """``raw = log(mu)``, ``mu = exp(raw)``: Poisson's positive mean."""

    name = "exp"

    def link(self, mu):
        return np.log(mu)

    def inverse(self, raw):
        return np.exp(raw)


class LogitLink:
    """``raw = logit(p)``, ``p = expit(raw)``: one probability per output unit."""

    name = "logistic"

    def link(self, mu):
        return logit(mu)

    def inverse(self, raw):
        return expit(raw)


class SoftmaxLink:
    """``p = softmax(raw)`` across outputs; ``log(p)`` is one of its inverses."""

    name = "softmax"

    def link(self, mu):
        return np.log(mu)

    def inverse(self, raw):
        return softmax(raw, axis=1)
