"""
Weight shrinkage: how alpha pulls the weights towards zero
==========================================================

The penalty alpha * sum_l ||W_l||_F^2 in J trades fit for small weights. A network
with 64 hidden units is fitted to the standardised load_diabetes at every alpha of
a log grid from 1e-4 to 1 (lbfgs, same initial weights, tanh: lbfgs wants a
smooth J), and the total squared weight norm sum_l ||W_l||^2 is recorded: it
falls steadily as alpha grows, and towards alpha ~ 1 the network collapses to
zero weights (a constant prediction). Prints the norms and
saves them, with histograms of all the weights at alpha = 1e-4, 1e-2 and 1, as
weight_shrinkage.png.

Run it as a script (``--small`` is the quick version that the tests run)::

    python examples/weight_shrinkage.py [--outdir DIR] [--small]
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure  # Agg-rendered, no pyplot, no display
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skreg import L2MLPRegressor

HIST_ALPHAS = (1e-4, 1e-2, 1.0)


# %%
# The fits
# --------
# One network per alpha, all from the same initial weights (``random_state=0``),
# trained by lbfgs on the full J to its gradient tolerance. The activation is
# tanh: relu's kinks make J's gradient jump, and lbfgs then stalls short of the
# tolerance. The smallest alphas, where the network nearly interpolates, take a
# few thousand iterations.


def main(outdir=".", small=False):
    """Fit one network per alpha, print and plot the weight norms.

    Returns
    -------
    result : dict
        ``alphas`` (increasing), ``norms`` (sum_l ||W_l||^2 at each alpha) and
        ``weights`` (alpha -> all weights ravelled, for the histogram alphas).
    """
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()  # a target of unit spread: alpha's scale is J's
    # Both grids contain HIST_ALPHAS (exactly, up to rounding).
    alphas = np.logspace(-4, 0, 5) if small else np.logspace(-4, 0, 9)
    norms, max_abs, r2, weights = [], [], [], {}
    # Small matrices: extra BLAS threads only add overhead (and oversubscribe).
    with threadpool_limits(1):
        for alpha in alphas:
            model = L2MLPRegressor(
                hidden_layer_sizes=(64,),
                solver="lbfgs",
                activation="tanh",
                alpha=alpha,
                max_iter=5000,
                random_state=0,  # the same initial weights for every alpha
            ).fit(X, y)
            w = np.concatenate([W.ravel() for W in model.coefs_])
            norms.append(float(np.sum(w**2)))
            max_abs.append(float(np.abs(w).max()))
            r2.append(model.score(X, y))
            for a in HIST_ALPHAS:
                if np.isclose(alpha, a):
                    weights[a] = w
    result = {"alphas": alphas, "norms": np.array(norms), "weights": weights}
    print(f"{'alpha':<10} {'sum ||W||^2':>12} {'max |w|':>10} {'train R^2':>10}")
    for alpha, norm, m, score in zip(alphas, norms, max_abs, r2):
        print(f"{alpha:<10.4g} {norm:12.4g} {m:10.4g} {score:10.4f}")
    print(
        f"sum ||W||^2 falls from {norms[0]:.4g} at alpha {alphas[0]:.3g} to "
        f"{norms[-1]:.3g} at alpha {alphas[-1]:.3g}"
    )
    _plot(result, Path(outdir))
    return result


# %%
# The picture
# -----------
# The squared weight norm against alpha, and histograms of the weights at three
# alphas.


def _plot(result, outdir):
    fig = Figure(figsize=(11, 4))
    ax, ax_hist = fig.subplots(1, 2)
    ax.loglog(result["alphas"], result["norms"], "o-")
    for alpha in result["weights"]:
        ax.axvline(alpha, color="0.7", ls=":")
    ax.set_xlabel("alpha (lambda in J = L + alpha * sum ||W||^2)")
    ax.set_ylabel("sum_l ||W_l||_F^2")
    ax.set_title("load_diabetes, 64 hidden units: total squared weight norm")

    everything = np.concatenate(list(result["weights"].values()))
    bins = np.linspace(everything.min(), everything.max(), 80)
    for alpha, w in result["weights"].items():
        ax_hist.hist(w, bins=bins, histtype="step", lw=1.5, label=f"alpha = {alpha:g}")
    ax_hist.set_yscale("log")
    ax_hist.set_xlabel("weight value (all entries of coefs_)")
    ax_hist.set_ylabel("count")
    ax_hist.set_title("histograms of the weights")
    ax_hist.legend()
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(outdir / "weight_shrinkage.png", dpi=100)
    print(f"saved {outdir / 'weight_shrinkage.png'}")


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
