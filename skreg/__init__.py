"""skreg: scikit-learn MLPs trained by SGD on an exactly L2-penalised loss.

The estimators minimise ``J = L + alpha * sum_l ||W_l||^2``: the sample-weighted
mean training loss plus alpha times the squared Frobenius norms of the weights.
"""

from skreg._mlp import L2MLPClassifier, L2MLPRegressor

__version__ = "0.1.0"

__all__ = ["L2MLPClassifier", "L2MLPRegressor", "__version__"]
