"""Default parameters against scikit-learn's default MLP on its bundled datasets.

Both sides run inside ``Pipeline(StandardScaler(), estimator)`` on the same shuffled
5-fold splits (stratified for the classifiers), in the same process. The
"diabetes, y std" row also standardises y (``TransformedTargetRegressor`` with a
``StandardScaler``), the recommended setup for the regressor. Prints the mean CV
score of each, the difference, the targets of the estimators issue, the wall time
of the 5 fits (the time to reach that score) and how many of the fits raised a
ConvergenceWarning (recorded, not hidden).

    python benchmarks/bench_defaults.py [--seeds 0 1 2]
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPClassifier, L2MLPRegressor

# name, loader, is_regression, the absolute floor of the estimators issue
DATASETS = [
    ("digits", load_digits, False, 0.96),
    ("breast_cancer", load_breast_cancer, False, 0.95),
    ("wine", load_wine, False, 0.95),
    ("iris", load_iris, False, 0.90),
    ("diabetes", load_diabetes, True, 0.40),
    ("diabetes, y std", load_diabetes, True, 0.40),
]


def cv_score(estimator, X, y, cv, scale_y=False):
    """Mean CV score, seconds, and the number of fits that warned of convergence."""
    model = make_pipeline(StandardScaler(), estimator)
    if scale_y:
        model = TransformedTargetRegressor(
            regressor=model, transformer=StandardScaler()
        )
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        scores = cross_val_score(model, X, y, cv=cv)
    warned = sum(issubclass(w.category, ConvergenceWarning) for w in caught)
    return scores.mean(), time.perf_counter() - started, warned


def main(seeds=(0,)):
    print(
        "| dataset | metric | sklearn default | skreg default | skreg - sklearn "
        "| floor | pass | sklearn s | skreg s | warned fits sklearn / skreg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    all_pass = True
    for name, load, regression, floor in DATASETS:
        X, y = load(return_X_y=True)
        theirs, ours, t_theirs, t_ours = [], [], 0.0, 0.0
        warned = [0, 0]
        scale_y = name.endswith("y std")
        for seed in seeds:
            if regression:
                cv = KFold(5, shuffle=True, random_state=seed)
                pair = (
                    MLPRegressor(random_state=seed),
                    L2MLPRegressor(random_state=seed),
                )
            else:
                cv = StratifiedKFold(5, shuffle=True, random_state=seed)
                pair = (
                    MLPClassifier(random_state=seed),
                    L2MLPClassifier(random_state=seed),
                )
            # Interleaved: sklearn then skreg on the same splits.
            score, seconds, n_warned = cv_score(pair[0], X, y, cv, scale_y)
            theirs.append(score)
            t_theirs += seconds
            warned[0] += n_warned
            score, seconds, n_warned = cv_score(pair[1], X, y, cv, scale_y)
            ours.append(score)
            t_ours += seconds
            warned[1] += n_warned
        theirs, ours = float(np.mean(theirs)), float(np.mean(ours))
        ok = ours >= theirs - 0.01 and ours >= floor
        all_pass &= ok
        metric = "R^2" if regression else "accuracy"
        print(
            f"| {name} | {metric} | {theirs:.4f} | {ours:.4f} | {ours - theirs:+.4f} "
            f"| {floor} | {'yes' if ok else 'NO'} | {t_theirs:.2f} | {t_ours:.2f} "
            f"| {warned[0]} / {warned[1]} of {5 * len(seeds)} |"
        )
    print(f"\nall targets met: {all_pass} (seeds {list(seeds)})")
    return all_pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    main(parser.parse_args().seeds)
