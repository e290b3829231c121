"""The CV lambda path against GridSearchCV over the same alphas and folds.

For each dataset: 10 alphas, 5 folds; wall time of ``L2MLP*CV`` (warm-started path),
of ``GridSearchCV(L2MLP*(), {"alpha": alphas})`` and of
``GridSearchCV(sklearn MLP*(), {"alpha": converted})`` (scikit-learn's sgd alpha is
``alpha * batch_size``, times 2 for the classifier), interleaved reps, medians; the
speed-up of the path and the CV score of the alpha each picks.

    python benchmarks/bench_cv.py [--quick] [--reps 3]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes, load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPClassifier, L2MLPClassifierCV, L2MLPRegressor, L2MLPRegressorCV

BATCH = 200


def datasets(quick):
    """(name, X, y, is regression, extra parameters of every estimator)."""
    X, y = load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X), (y - y.mean()) / y.std()
    yield "diabetes", X, y, True, {}
    # At the default max_iter=200 the small-alpha points of diabetes stop at
    # max_iter, cold or warm; with room to converge, the tolerance stops them.
    yield "diabetes, max_iter=1000", X, y, True, {"max_iter": 1000}
    X, y = load_digits(return_X_y=True)
    yield "digits", StandardScaler().fit_transform(X), y, False, {}
    if not quick:
        X, y = make_regression(
            n_samples=20000,
            n_features=20,
            n_informative=10,
            noise=10.0,
            random_state=0,
        )
        yield "synthetic 20k", X, y / y.std(), True, {}


def timed(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        result = fn(*args)
        return result, time.perf_counter() - started


def main(quick=False, reps=1):
    alphas = np.logspace(0, -5, 10)
    print(
        "| dataset | skreg CV path s | skreg GridSearchCV s | speed-up | "
        "sklearn GridSearchCV s | path alpha / score | grid alpha / score | "
        "sklearn best score |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, X, y, regression, extra in datasets(quick):
        params = dict(random_state=0, **extra)
        if regression:
            cv = KFold(5, shuffle=True, random_state=0)
            path = L2MLPRegressorCV(alphas=alphas, cv=cv, **params)
            grid = GridSearchCV(L2MLPRegressor(**params), {"alpha": alphas}, cv=cv)
            theirs = GridSearchCV(
                MLPRegressor(solver="sgd", **params),
                {"alpha": alphas * BATCH},
                cv=cv,
            )
        else:
            cv = StratifiedKFold(5, shuffle=True, random_state=0)
            path = L2MLPClassifierCV(alphas=alphas, cv=cv, **params)
            grid = GridSearchCV(L2MLPClassifier(**params), {"alpha": alphas}, cv=cv)
            theirs = GridSearchCV(
                MLPClassifier(solver="sgd", **params),
                {"alpha": alphas * 2 * BATCH},
                cv=cv,
            )
        walls = {"path": [], "grid": [], "sklearn": []}
        for _ in range(reps):
            path, t = timed(path.fit, X, y)
            walls["path"].append(t)
            grid, t = timed(grid.fit, X, y)
            walls["grid"].append(t)
            theirs, t = timed(theirs.fit, X, y)
            walls["sklearn"].append(t)
        med = {k: statistics.median(v) for k, v in walls.items()}
        grid_alpha = grid.best_params_["alpha"]
        print(
            f"| {name} | {med['path']:.1f} | {med['grid']:.1f} | "
            f"{med['grid'] / med['path']:.2f}x | {med['sklearn']:.1f} | "
            f"{path.alpha_:.3g} / {path.best_score_:.4f} | "
            f"{grid_alpha:.3g} / {grid.best_score_:.4f} | {theirs.best_score_:.4f} |",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 20k set")
    parser.add_argument("--reps", type=int, default=1)
    args = parser.parse_args()
    main(args.quick, args.reps)
