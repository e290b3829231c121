"""skreg: scikit-learn MLPs trained by SGD on an exactly L2-penalised loss.

The estimators minimise ``J = L + alpha * sum_l ||W_l||^2``: the sample-weighted
mean training loss plus alpha times the squared Frobenius norms of the weights.
"""

from skreg._cv import L2MLPClassifierCV, L2MLPRegressorCV
from skreg._mlp import L2MLPClassifier, L2MLPRegressor
from skreg._version import __version__

# The classes are known by their public names (pickle, skops.io, repr): a model
# saved with skops.io is then loaded trusting "skreg.L2MLPRegressor", not a
# private module's name.
for _cls in (L2MLPClassifier, L2MLPClassifierCV, L2MLPRegressor, L2MLPRegressorCV):
    _cls.__module__ = __name__
del _cls

__all__ = [
    "L2MLPClassifier",
    "L2MLPClassifierCV",
    "L2MLPRegressor",
    "L2MLPRegressorCV",
    "__version__",
]
