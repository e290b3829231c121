"""
The cross-validated lambda path: CV score and weight norm against alpha
=======================================================================

``L2MLPRegressorCV`` trains each fold from the largest alpha to the smallest, every
point warm-started from the previous one, and picks the alpha with the best mean
held-out score. The picture is the one the whole library is about: on the right
(large alpha) the weights are shrunk towards zero and the network underfits; on
the left (small alpha) the weights grow and the held-out score falls as the
network fits noise. Prints the path and saves it as cv_path.png.

Run it as a script (``--small`` is the quick version that the tests run)::

    python examples/plot_cv_path.py [--outdir DIR] [--small]
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure  # Agg-rendered, no pyplot, no display
from sklearn.datasets import load_diabetes
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPRegressor, L2MLPRegressorCV

# %%
# The weight norm at each alpha
# -----------------------------
# The squared weight norm of a network fitted on all the data, for the lower
# panel.


def squared_weight_norms(X, y, alphas, **params):
    """sum_l ||W_l||^2 of a network fitted afresh on all data at each alpha."""
    norms = []
    for alpha in alphas:
        model = L2MLPRegressor(alpha=alpha, **params).fit(X, y)
        norms.append(sum(float(np.sum(W**2)) for W in model.coefs_))
    return np.array(norms)


# %%
# The path
# --------
# ``L2MLPRegressorCV`` on the standardised ``load_diabetes``: one warm-started
# path per fold from the largest alpha to the smallest, then a refit at
# ``alpha_``. ``max_iter=1000``: the networks fitted afresh at the smallest
# alphas need more than the default 300 epochs to reach a stationary J (the
# warm-started path points need far fewer).


def main(outdir=".", small=False):
    """Fit the CV path, print and plot it; returns the fitted L2MLPRegressorCV."""
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()  # a target of unit spread: alpha's scale is J's
    params = dict(hidden_layer_sizes=(64,), max_iter=1000, random_state=0)
    if small:
        params["max_iter"] = 60
    cv = KFold(3 if small else 5, shuffle=True, random_state=0)
    search = L2MLPRegressorCV(alphas=6 if small else 12, cv=cv, **params)
    search.fit(X, y)
    norms = squared_weight_norms(X, y, search.alphas_, **params)
    mean, std = search.scores_.mean(axis=0), search.scores_.std(axis=0)
    print(f"{'alpha':<12} {'mean CV R^2':>12} {'(std)':>8} {'sum ||W||^2':>12}")
    for alpha, m, s, norm in zip(search.alphas_, mean, std, norms):
        mark = "    <- alpha_" if alpha == search.alpha_ else ""
        print(f"{alpha:<12.4g} {m:12.4f} {s:8.4f} {norm:12.4g}{mark}")
    print(
        f"alpha_ = {search.alpha_:.4g}, best mean CV R^2 = {search.best_score_:.4f}, "
        f"epochs along the path per fold: {search.n_iter_path_.sum(axis=1).tolist()}"
    )
    _plot(search, mean, std, norms, Path(outdir))
    return search


# %%
# The picture
# -----------
# Held-out R^2 (mean and spread over the folds) and the weight norm against
# alpha, ``alpha_`` marked.


def _plot(search, mean, std, norms, outdir):
    alphas = search.alphas_
    fig = Figure(figsize=(6, 6))
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.semilogx(alphas, mean, "o-", label="mean held-out $R^2$")
    top.fill_between(alphas, mean - std, mean + std, alpha=0.2, label="+/- 1 std")
    top.set_ylabel("$R^2$")
    top.set_title("L2MLPRegressorCV on load_diabetes")
    bottom.loglog(alphas, norms, "s-", color="C1")
    bottom.set_ylabel("sum of ||W_l||^2 (all data)")
    bottom.set_xlabel("alpha (lambda in J = L + alpha * sum ||W||^2)")
    for ax in (top, bottom):
        ax.axvline(
            search.alpha_, color="k", ls="--", label=f"alpha_ = {search.alpha_:.3g}"
        )
    top.legend()
    # Large alpha underfits on the right, small alpha overfits on the left.
    top.annotate("overfits", xy=(0.02, 0.05), xycoords="axes fraction")
    top.annotate("underfits", xy=(0.98, 0.05), xycoords="axes fraction", ha="right")
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(outdir / "cv_path.png", dpi=100)
    print(f"saved {outdir / 'cv_path.png'}")


# %%
# Run it
# ------
# Prints what the example shows and saves its picture (shown below on the web
# page) into ``--outdir``.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--outdir", default=".", help="folder for the PNG")
    parser.add_argument("--small", action="store_true", help="fewer alphas and folds")
    args = parser.parse_args()
    main(args.outdir, args.small)
