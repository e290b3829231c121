"""skreg: scikit-learn MLPs trained by SGD on an exactly L2-penalised loss.

The estimators minimise ``J = L + alpha * sum_l ||W_l||^2``: the sample-weighted
mean training loss plus alpha times the squared Frobenius norms of the weights.
"""

from skreg._cv import L2MLPClassifierCV, L2MLPRegressorCV
from skreg._mlp import L2MLPClassifier, L2MLPRegressor
from skreg._version import __version__

__all__ = [
    "L2MLPClassifier",
    "L2MLPClassifierCV",
    "L2MLPRegressor",
    "L2MLPRegressorCV",
    "__version__",
]
