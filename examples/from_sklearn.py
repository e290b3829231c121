"""
Switch from scikit-learn's MLPRegressor: convert alpha, then stop converting
============================================================================

scikit-learn's ``MLPRegressor`` minimises half the mean squared error plus
``alpha / (2 n) ||W||^2`` (lbfgs) or, on each minibatch, ``alpha / (2 batch_size)
||W||^2`` (sgd, adam). skreg minimises ``mean squared error + alpha ||W||^2``
whatever the solver and batch size.

(a) In the linear limit (``hidden_layer_sizes=()``) both are ridge regressions:
    scikit-learn's ``alpha=a`` with lbfgs and skreg's ``alpha=a / n`` both give
    ``Ridge(alpha=a)``. Fits all three on ``load_diabetes`` and prints how far
    apart their predictions are.
(b) With sgd, the same scikit-learn alpha is a different ridge penalty at every
    batch size (``Ridge(alpha=a * n / batch_size)`` in the linear limit), so the
    fitted weights shrink as the batch gets smaller; skreg's weights do not move.
    Prints the weight norm of both at each batch size, next to the ridge oracle.

Saves both panels as from_sklearn.png.

Run it as a script (``--small`` is the quick version that the tests run)::

    python examples/from_sklearn.py [--outdir DIR] [--small]
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure  # Agg-rendered, no pyplot, no display
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPRegressor

#: scikit-learn's alpha in part (a) and part (b).
ALPHA_LBFGS = 10.0
ALPHA_SGD = 100.0


# %%
# Both comparisons
# ----------------
# ``main`` runs part (a) on ``load_diabetes`` and part (b) on its standardised
# target.


def main(outdir=".", small=False):
    """Fit, print and plot both comparisons; returns a dict of the measured numbers."""
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    n = X.shape[0]
    results = {"n_samples": n}
    results.update(_linear_limit(X, y, ALPHA_LBFGS))
    # Part (b) on a standardised target, so that one sgd step size suits all fits.
    y_std = (y - y.mean()) / y.std()
    batch_sizes = (16, 64, n) if small else (16, 32, 64, 128, 221, n)
    results.update(_batch_sizes(X, y_std, ALPHA_SGD, batch_sizes))
    _plot(results, Path(outdir))
    return results


# %%
# (a) The linear limit
# --------------------
# scikit-learn's ``MLPRegressor(alpha=a)`` with lbfgs, skreg's
# ``L2MLPRegressor(alpha=a / n)`` and ``Ridge(alpha=a)``.


def _linear_limit(X, y, a):
    n = X.shape[0]
    common = {"hidden_layer_sizes": (), "solver": "lbfgs", "max_iter": 10_000}
    sk = MLPRegressor(alpha=a, random_state=0, **common).fit(X, y)
    # tol is relative to the gradient at the start: 1e-8 for a fit to the
    # last digits that Ridge's closed form has.
    ours = L2MLPRegressor(alpha=a / n, random_state=0, tol=1e-8, **common).fit(X, y)
    # README: squared error gives Ridge(alpha = S * n_outputs * alpha), S = n here.
    ridge_alpha = n * 1 * ours.alpha
    ridge = Ridge(alpha=ridge_alpha).fit(X, y)
    pred_sk, pred_ours, pred_ridge = sk.predict(X), ours.predict(X), ridge.predict(X)
    out = {
        "alpha_sklearn": a,
        "alpha_skreg": ours.alpha,
        "ridge_alpha": ridge_alpha,
        "pred_sklearn": pred_sk,
        "pred_skreg": pred_ours,
        "pred_ridge": pred_ridge,
        "diff_skreg_sklearn": np.abs(pred_ours - pred_sk).max(),
        "diff_sklearn_ridge": np.abs(pred_sk - pred_ridge).max(),
        "diff_skreg_ridge": np.abs(pred_ours - pred_ridge).max(),
        "diff_coef_skreg_sklearn": np.abs(ours.coefs_[0] - sk.coefs_[0]).max(),
        "target_range": np.ptp(y),
    }
    print(
        f"(a) linear limit, lbfgs, n = {n}: MLPRegressor(alpha={a:g}) vs "
        f"L2MLPRegressor(alpha={a:g}/n = {ours.alpha:.5g}) vs "
        f"Ridge(alpha={ridge_alpha:g})"
    )
    print(
        f"    max |prediction difference| (targets span {out['target_range']:.0f}):"
        f" skreg-sklearn {out['diff_skreg_sklearn']:.2g},"
        f" sklearn-Ridge {out['diff_sklearn_ridge']:.2g},"
        f" skreg-Ridge {out['diff_skreg_ridge']:.2g};"
        f" max |coef difference| {out['diff_coef_skreg_sklearn']:.2g}"
    )
    return out


def _norm(coefs):
    return float(np.sqrt(sum(np.sum(w**2) for w in coefs)))


def _harmonic_batch_size(n, batch_size):
    """The batch size that sets scikit-learn's penalty when the last one is short.

    Each minibatch adds alpha / (2 b_k) ||W||^2, and every sample lands in each
    position of an epoch equally often, so the expected objective of one step is a
    ridge regression with ``alpha * n / b`` where b is the harmonic mean of the b_k.
    """
    sizes = [min(batch_size, n - start) for start in range(0, n, batch_size)]
    return len(sizes) / sum(1 / b for b in sizes)


# %%
# (b) sgd at several batch sizes
# ------------------------------
# The same scikit-learn alpha at every batch size, against skreg's converted
# alpha and the ridge oracles.


def _batch_sizes(X, y, a, batch_sizes):
    n = X.shape[0]
    # Linear, so both optima are known; "adaptive" divides the step by 5 whenever
    # J stalls, which anneals sgd's noise away (constant steps hover around the
    # optimum, more so at small batches) and stops near the minimiser.
    common = {
        "hidden_layer_sizes": (),
        "solver": "sgd",
        "learning_rate": "adaptive",
        "tol": 1e-7,
        "n_iter_no_change": 5,
        "max_iter": 3000,
        "random_state": 0,
    }
    norm_sk, norm_ours, norm_oracle_sk, epochs_sk, epochs_ours = [], [], [], [], []
    for b in batch_sizes:
        sk = MLPRegressor(alpha=a, batch_size=b, learning_rate_init=0.01, **common)
        # skreg's tol also asks for a stationary J at the end (a gradient at
        # most sqrt(tol) times its start), which sgd's noise never allows at
        # 1e-7; tol=1e-4 asks for 1%, which every batch size reaches, and ten
        # epochs of patience keep the step from shrinking too early.
        ours = L2MLPRegressor(
            alpha=a / n, batch_size=b, **{**common, "tol": 1e-4, "n_iter_no_change": 10}
        )
        sk.fit(X, y)
        ours.fit(X, y)
        norm_sk.append(_norm(sk.coefs_))
        norm_ours.append(_norm(ours.coefs_))
        epochs_sk.append(sk.n_iter_)
        epochs_ours.append(ours.n_iter_)
        oracle = Ridge(alpha=a * n / _harmonic_batch_size(n, b)).fit(X, y)
        norm_oracle_sk.append(float(np.linalg.norm(oracle.coef_)))
    norm_ridge = float(np.linalg.norm(Ridge(alpha=a).fit(X, y).coef_))
    print(
        f"(b) linear limit, sgd, standardised target: MLPRegressor(alpha={a:g}) vs "
        f"L2MLPRegressor(alpha={a:g}/n = {a / n:.4g}); ||W||_F at each batch size"
    )
    print("    batch_size  sklearn  Ridge(a n/b)  skreg  Ridge(a)   epochs sk/skreg")
    for row in zip(
        batch_sizes, norm_sk, norm_oracle_sk, norm_ours, epochs_sk, epochs_ours
    ):
        b, nsk, nor, nours, esk, eours = row
        print(
            f"    {b:>10}  {nsk:7.4f}  {nor:12.4f}  {nours:5.4f}  {norm_ridge:8.4f}"
            f"   {esk:>6}/{eours}"
        )
    spread_sk = (max(norm_sk) - min(norm_sk)) / np.mean(norm_sk)
    spread_ours = (max(norm_ours) - min(norm_ours)) / np.mean(norm_ours)
    print(
        f"    spread (max - min) / mean: sklearn {spread_sk:.3f}, "
        f"skreg {spread_ours:.4f}"
    )
    return {
        "batch_sizes": list(batch_sizes),
        "norm_sklearn": norm_sk,
        "norm_sklearn_ridge": norm_oracle_sk,
        "norm_skreg": norm_ours,
        "norm_ridge": norm_ridge,
        "spread_sklearn": spread_sk,
        "spread_skreg": spread_ours,
    }


# %%
# The picture
# -----------
# Part (a)'s predictions against each other, part (b)'s weight norms against the
# batch size.


def _plot(results, outdir):
    fig = Figure(figsize=(11, 4.5))
    ax1, ax2 = fig.subplots(1, 2)
    pred_sk, pred_ours = results["pred_sklearn"], results["pred_skreg"]
    ax1.scatter(pred_sk, pred_ours, s=10, alpha=0.6)
    lims = [min(pred_sk.min(), pred_ours.min()), max(pred_sk.max(), pred_ours.max())]
    ax1.plot(lims, lims, "k--", lw=1, label="y = x")
    ax1.set_xlabel(f"MLPRegressor(alpha={results['alpha_sklearn']:g}) prediction")
    ax1.set_ylabel(f"L2MLPRegressor(alpha={results['alpha_skreg']:.4g}) prediction")
    ax1.set_title(
        f"(a) lbfgs, linear: max |diff| = {results['diff_skreg_sklearn']:.1e}"
    )
    ax1.legend()

    sizes = results["batch_sizes"]
    ax2.semilogx(sizes, results["norm_sklearn"], "o-", label="scikit-learn MLP, sgd")
    ax2.semilogx(
        sizes,
        results["norm_sklearn_ridge"],
        "k:",
        label="Ridge(alpha = a n / batch_size)",
    )
    ax2.semilogx(sizes, results["norm_skreg"], "s-", label="skreg, sgd")
    ax2.axhline(results["norm_ridge"], color="k", ls="--", lw=1, label="Ridge(a)")
    ax2.set_xticks(sizes, [str(b) for b in sizes])
    ax2.minorticks_off()
    ax2.set_xlabel("batch_size")
    ax2.set_ylabel("||W||_F of the fitted weights")
    ax2.set_title(f"(b) same alpha (sklearn {ALPHA_SGD:g}), every batch size")
    ax2.set_ylim(bottom=0)
    ax2.legend()
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(outdir / "from_sklearn.png", dpi=100)
    print(f"saved {outdir / 'from_sklearn.png'}")


# %%
# Run it
# ------
# Prints what the example shows and saves its picture (shown below on the web
# page) into ``--outdir``.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--outdir", default=".", help="folder for the PNG")
    parser.add_argument("--small", action="store_true", help="fewer batch sizes")
    args = parser.parse_args()
    main(args.outdir, args.small)
