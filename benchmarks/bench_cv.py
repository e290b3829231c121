"""The CV lambda path against GridSearchCV over the same alphas and folds.

For each dataset: 5 folds; wall time of ``L2MLP*CV()`` with its default grid (10
alphas from the data), of ``GridSearchCV(L2MLP*(), {"alpha": the same alphas})`` and
of ``GridSearchCV(sklearn MLP*(), {"alpha": converted})`` (scikit-learn's sgd alpha
is ``alpha * batch_size``, times 2 for the classifier), interleaved reps, medians;
the speed-up of the path, the alpha each picks, and the CV score of those alphas as
GridSearchCV measures them (fresh fits), so that the path's choice is judged by the
grid's own yardstick; last, the largest gap between the path's mean score and the
fresh fits' at any alpha (warm starts against cold ones).

The CV estimators refit along the path, so the model they return is a path fit,
which a fresh fit's score at ``alpha_`` does not describe. ``--nested`` measures
what users get from each search: an outer 5-fold CV of the whole search (scaling,
the search, its refit) on raw diabetes, for the CV estimator and for GridSearchCV
over the same alphas.

    python benchmarks/bench_cv.py [--quick] [--reps 3] [--datasets digits ...]
    python benchmarks/bench_cv.py --nested
"""

import argparse
import statistics
import time
import warnings
from functools import partial

import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPClassifier, L2MLPClassifierCV, L2MLPRegressor, L2MLPRegressorCV

BATCH = 200


def datasets(quick):
    """(name, X, y, is regression, extra parameters of every estimator, the
    path's alphas (None: its default grid))."""
    X, y = load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X), (y - y.mean()) / y.std()
    yield "diabetes", X, y, True, {}, None
    # The grid of issue 13: six alphas from 1e-4 to 10.
    yield "diabetes, alphas 1e-4..10", X, y, True, {}, np.logspace(-4, 1, 6)
    yield "diabetes, max_iter=1000", X, y, True, {"max_iter": 1000}, None
    X, y = load_digits(return_X_y=True)
    yield "digits", StandardScaler().fit_transform(X), y, False, {}, None
    if not quick:
        X, y = make_regression(
            n_samples=20000,
            n_features=20,
            n_informative=10,
            noise=10.0,
            random_state=0,
        )
        yield "synthetic 20k", X, y / y.std(), True, {}, None


def timed(fn, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        result = fn(*args)
        return result, time.perf_counter() - started


def main(quick=False, reps=1, only=None):
    print(
        "| dataset | skreg CV path s | skreg GridSearchCV s | speed-up | "
        "sklearn GridSearchCV s | path alpha: path / grid score | "
        "grid alpha: grid score | sklearn best score | max warm - cold |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, X, y, regression, extra, grid_alphas in datasets(quick):
        if only and name not in only:
            continue
        params = dict(random_state=0, **extra)
        if regression:
            cv = KFold(5, shuffle=True, random_state=0)
            path = L2MLPRegressorCV(cv=cv, **params)
            if grid_alphas is not None:
                path.set_params(alphas=grid_alphas)
            ours, theirs, factor = L2MLPRegressor(**params), MLPRegressor, BATCH
        else:
            cv = StratifiedKFold(5, shuffle=True, random_state=0)
            path = L2MLPClassifierCV(cv=cv, **params)
            if grid_alphas is not None:
                path.set_params(alphas=grid_alphas)
            ours, theirs, factor = L2MLPClassifier(**params), MLPClassifier, 2 * BATCH
        walls = {"path": [], "grid": [], "sklearn": []}
        for _ in range(reps):
            path, t = timed(path.fit, X, y)
            walls["path"].append(t)
            alphas = path.alphas_
            grid = GridSearchCV(ours, {"alpha": alphas}, cv=cv)
            grid, t = timed(grid.fit, X, y)
            walls["grid"].append(t)
            sk = GridSearchCV(
                theirs(solver="sgd", **params), {"alpha": alphas * factor}, cv=cv
            )
            sk, t = timed(sk.fit, X, y)
            walls["sklearn"].append(t)
        med = {k: statistics.median(v) for k, v in walls.items()}
        grid_scores = grid.cv_results_["mean_test_score"]
        at_path_alpha = grid_scores[int(np.argmin(np.abs(alphas - path.alpha_)))]
        # cv_results_ follows the order of the alphas given, the path's order.
        gaps = path.scores_.mean(axis=0) - grid_scores
        worst = int(np.argmax(np.abs(gaps)))
        print(
            f"| {name} | {med['path']:.1f} | {med['grid']:.1f} | "
            f"{med['grid'] / med['path']:.2f}x | {med['sklearn']:.1f} | "
            f"{path.alpha_:.3g}: {path.best_score_:.4f} / {at_path_alpha:.4f} | "
            f"{grid.best_params_['alpha']:.3g}: {grid.best_score_:.4f} | "
            f"{sk.best_score_:.4f} | {gaps[worst]:+.4f} at {alphas[worst]:.3g} |",
            flush=True,
        )


def nested():
    """Outer-CV R^2 of the CV estimator and of GridSearchCV (same alphas, folds)."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    X, y = load_diabetes(return_X_y=True)
    outer = KFold(5, shuffle=True, random_state=1)
    inner = KFold(5, shuffle=True, random_state=0)

    def scaled(search):
        return TransformedTargetRegressor(
            make_pipeline(StandardScaler(), search), transformer=StandardScaler()
        )

    print("| alphas | CV estimator: outer R^2, s | GridSearchCV: outer R^2, s |")
    print("|---|---|---|")
    grids = (("default (10)", None), ("1e-4..10 (6)", np.logspace(-4, 1, 6)))
    for label, alphas in grids:
        path = L2MLPRegressorCV(cv=inner, random_state=0)
        if alphas is not None:
            path.set_params(alphas=alphas)
        else:
            # The default grid of the whole (scaled) data, for GridSearchCV.
            X_s, y_s = StandardScaler().fit_transform(X), (y - y.mean()) / y.std()
            alphas = clone(path).fit(X_s, y_s).alphas_
        grid = GridSearchCV(L2MLPRegressor(random_state=0), {"alpha": alphas}, cv=inner)
        row = []
        for search in (path, grid):
            run = partial(cross_val_score, cv=outer)
            scores, seconds = timed(run, scaled(search), X, y)
            row.append(f"{scores.mean():.4f} ({' '.join(f'{v:.3f}' for v in scores)}), "
                       f"{seconds:.1f}")
        print(f"| {label} | {row[0]} | {row[1]} |", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 20k set")
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--datasets", nargs="+", help="names to run (default: all)")
    parser.add_argument("--nested", action="store_true",
                        help="outer CV of the searches on diabetes instead")
    args = parser.parse_args()
    if args.nested:
        nested()
    else:
        main(args.quick, args.reps, args.datasets)
