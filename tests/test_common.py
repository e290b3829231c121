"""scikit-learn's estimator checks over a matrix of configurations.

No expected failures: a check that fails is a bug in the estimator.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skreg import L2MLPClassifier, L2MLPRegressor

_SMALL = {"hidden_layer_sizes": (8,), "random_state": 0}
# lbfgs converges to a point of the objective's valley that depends on rounding
# when the valley is flat (15 samples, 30 features in the sample-weight checks);
# a larger alpha makes the minimum well defined, so weighted and repeated data
# must meet (the objectives themselves agree to rounding: tests/test_objective.py).
_LBFGS = {**_SMALL, "solver": "lbfgs"}

ESTIMATORS = [
    L2MLPRegressor(**_SMALL),
    L2MLPRegressor(**_SMALL, solver="adam", activation="tanh"),
    L2MLPRegressor(**_LBFGS, alpha=1.0, activation="gelu"),
    L2MLPRegressor(**_SMALL, loss="absolute_error", activation="elu"),
    L2MLPRegressor(**_SMALL, loss="huber", activation="silu"),
    L2MLPRegressor(**_SMALL, loss="poisson", activation="softplus"),
    L2MLPRegressor((8, 4), activation="prelu", random_state=0),
    L2MLPRegressor(hidden_layer_sizes=(), random_state=0),
    L2MLPClassifier(**_SMALL),
    L2MLPClassifier(**_SMALL, solver="adam", activation="tanh"),
    L2MLPClassifier(**_SMALL, activation="logistic"),
    L2MLPClassifier(**_LBFGS, alpha=0.1, activation="leaky_relu"),
    L2MLPClassifier(**_SMALL, activation="prelu"),
    L2MLPClassifier(random_state=0),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
