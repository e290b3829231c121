"""Tune alpha (lambda) with GridSearchCV on load_diabetes.

Too large an alpha shrinks the weights until the network underfits; too small lets
it fit noise. Cross-validation picks the balance. Prints the mean CV R^2 of every
alpha and the winner.

    python examples/tune_alpha.py [--small]
"""

import argparse
import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPRegressor


def main(small=False):
    """Run the grid search; returns the fitted GridSearchCV."""
    X, y = load_diabetes(return_X_y=True)
    alphas = np.logspace(-4, 1, 4 if small else 11)
    model = make_pipeline(StandardScaler(), L2MLPRegressor(random_state=0))
    search = GridSearchCV(
        model,
        {"l2mlpregressor__alpha": alphas},
        cv=KFold(5, shuffle=True, random_state=0),
    )
    with warnings.catch_warnings():
        # Diabetes targets are around 150: the absolute tol on J rarely triggers.
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    print("alpha        mean CV R^2   (std)")
    results = search.cv_results_
    for alpha, mean, std in zip(
        results["param_l2mlpregressor__alpha"],
        results["mean_test_score"],
        results["std_test_score"],
    ):
        print(f"{alpha:<12.4g} {mean:10.4f}   ({std:.4f})")
    best = search.best_params_["l2mlpregressor__alpha"]
    print(f"best alpha: {best:.4g} (mean CV R^2 {search.best_score_:.4f})")
    return search


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="fewer alphas")
    main(parser.parse_args().small)
