"""
Tune alpha (lambda) with GridSearchCV on load_diabetes
======================================================

Too large an alpha shrinks the weights until the network underfits; too small lets
it fit noise. Cross-validation picks the balance. Prints the mean CV R^2 of every
alpha and the winner, and saves the curve as tune_alpha.png if matplotlib is
installed (``pip install -e ".[examples]"``); without it the picture is skipped.

Run it as a script (``--small`` is the quick version that the tests run)::

    python examples/tune_alpha.py [--outdir DIR] [--small]
"""

import argparse
from pathlib import Path

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPRegressor

#: The network's alpha inside the target transform and the pipeline.
PARAM = "regressor__l2mlpregressor__alpha"

# %%
# The search
# ----------
# The recommended setup: a (100,) network behind a ``StandardScaler``, with y
# standardised too (``TransformedTargetRegressor``: only the output layer's
# penalty scales with y, so one alpha grid suits every target), 5 shuffled
# folds, alphas on a log grid from 1e-2 to 10, where every fit runs to the
# minimum of J. ``main`` prints the mean CV R^2 of every alpha and the winner.


def main(outdir=".", small=False):
    """Run the grid search, print and plot it; returns the fitted GridSearchCV."""
    X, y = load_diabetes(return_X_y=True)
    alphas = np.logspace(-2, 1, 4 if small else 10)
    model = TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), L2MLPRegressor(random_state=0)),
        transformer=StandardScaler(),
    )
    search = GridSearchCV(
        model,
        {PARAM: alphas},
        cv=KFold(5, shuffle=True, random_state=0),
    )
    search.fit(X, y)
    print("alpha        mean CV R^2   (std)")
    results = search.cv_results_
    for alpha, mean, std in zip(
        results[f"param_{PARAM}"],
        results["mean_test_score"],
        results["std_test_score"],
    ):
        print(f"{alpha:<12.4g} {mean:10.4f}   ({std:.4f})")
    best = search.best_params_[PARAM]
    print(f"best alpha: {best:.4g} (mean CV R^2 {search.best_score_:.4f})")
    _plot(search, alphas, best, Path(outdir))
    return search


# %%
# The picture
# -----------
# The mean CV R^2 against alpha with its spread over the folds. Without
# matplotlib the picture is skipped, so the README's first command runs on a bare
# install.


def _plot(search, alphas, best, outdir):
    try:
        from matplotlib.figure import Figure  # Agg-rendered, no pyplot, no display
    except ImportError:
        print(
            "matplotlib not installed: skipped tune_alpha.png "
            '(pip install -e ".[examples]" to save it)'
        )
        return
    mean = search.cv_results_["mean_test_score"]
    std = search.cv_results_["std_test_score"]
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.semilogx(alphas, mean, "o-", label="mean CV $R^2$")
    ax.fill_between(alphas, mean - std, mean + std, alpha=0.2, label="+/- 1 std")
    ax.axvline(best, color="k", ls="--", label=f"best alpha = {best:.3g}")
    ax.set_xlabel("alpha (lambda in J = L + alpha * sum ||W||^2)")
    ax.set_ylabel("$R^2$")
    ax.set_title("load_diabetes: 5-fold CV over alpha")
    ax.legend()
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(outdir / "tune_alpha.png", dpi=100)
    print(f"saved {outdir / 'tune_alpha.png'}")


# %%
# Run it
# ------
# Prints what the example shows and saves its picture (shown below on the web
# page) into ``--outdir``.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--outdir", default=".", help="folder for the PNG")
    parser.add_argument("--small", action="store_true", help="fewer alphas")
    args = parser.parse_args()
    main(args.outdir, args.small)
