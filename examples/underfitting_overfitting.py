"""
Underfitting and overfitting: a validation curve over alpha
===========================================================

A network with two hidden layers of 64 units is fitted to 100 noisy samples of
y = sin(3x) for alphas from 1e-5 to 10, with 5-fold cross-validation
(``validation_curve``). Too large an alpha shrinks the weights until the network is
a constant: training and validation R^2 are both low (underfitting). Too small an
alpha lets the network follow the noise: the training R^2 is high and the
validation R^2 lower (overfitting). Prints the curve and saves it, with the fitted
functions of three alphas, as underfitting_overfitting.png.

Run it as a script (``--small`` is the quick version that the tests run)::

    python examples/underfitting_overfitting.py [--outdir DIR] [--small]
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure  # Agg-rendered, no pyplot, no display
from sklearn.base import clone
from sklearn.model_selection import KFold, validation_curve
from threadpoolctl import threadpool_limits

from skreg import L2MLPRegressor

# %%
# The data
# --------
# 100 noisy samples of sin(3x) on [-1, 1].


def make_data(n_samples=100, noise=0.4, seed=0):
    """Noisy samples of sin(3x) on [-1, 1]; returns X of shape (n, 1) and y."""
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, size=(n_samples, 1))
    y = np.sin(3 * X[:, 0]) + noise * rng.randn(n_samples)
    return X, y


# %%
# The validation curve
# --------------------
# Training and validation R^2 of every alpha over 5 folds, and the fitted
# functions at the smallest, the best and the largest alpha.


def main(outdir=".", small=False):
    """Compute, print and plot the validation curve.

    Returns
    -------
    result : dict
        ``alphas``, ``train_mean``, ``train_std``, ``valid_mean``, ``valid_std``
        (arrays over the alphas) and ``best_alpha`` (highest mean validation R^2).
    """
    X, y = make_data()
    alphas = np.logspace(-5, 1, 4 if small else 13)
    # lbfgs on the full-batch J: deterministic with random_state, fast on 100 rows.
    # The grid starts at 1e-5: below it the J of 80 rows is so flat that lbfgs
    # needs more than 5000 steps to reach a stationary J; 1e-5 already overfits.
    model = L2MLPRegressor(
        hidden_layer_sizes=(64, 64),
        activation="tanh",
        solver="lbfgs",
        max_iter=5000,
        random_state=0,
    )
    # Tiny matrices: extra BLAS threads only add overhead (and oversubscribe).
    with threadpool_limits(1):
        train, valid = validation_curve(
            model,
            X,
            y,
            param_name="alpha",
            param_range=alphas,
            cv=KFold(5, shuffle=True, random_state=0),
        )
        result = {
            "alphas": alphas,
            "train_mean": train.mean(axis=1),
            "train_std": train.std(axis=1),
            "valid_mean": valid.mean(axis=1),
            "valid_std": valid.std(axis=1),
        }
        best = int(np.argmax(result["valid_mean"]))
        result["best_alpha"] = alphas[best]
        shown = {alphas[0]: "too small", alphas[best]: "best", alphas[-1]: "too large"}
        fits = {
            alpha: clone(model).set_params(alpha=alpha).fit(X, y) for alpha in shown
        }
    print(f"{'alpha':<12} {'train R^2':>10} {'validation R^2':>15}")
    for i, alpha in enumerate(alphas):
        mark = "    <- best" if i == best else ""
        print(
            f"{alpha:<12.4g} {result['train_mean'][i]:10.4f} "
            f"{result['valid_mean'][i]:15.4f}{mark}"
        )
    tr, va = result["train_mean"], result["valid_mean"]
    print(
        f"best alpha: {alphas[best]:.4g} (validation R^2 {va[best]:.4f}); "
        f"too large alpha underfits (train and validation both low: "
        f"{tr[-1]:.3f} / {va[-1]:.3f} at {alphas[-1]:.3g}), too small overfits "
        f"(train high, validation lower: {tr[0]:.3f} / {va[0]:.3f} at "
        f"{alphas[0]:.3g})"
    )
    _plot(result, X, y, shown, fits, Path(outdir))
    return result


# %%
# The picture
# -----------
# The curve on the left, the three fitted functions against the data on the
# right.


def _plot(result, X, y, shown, fits, outdir):
    alphas, best = result["alphas"], result["best_alpha"]
    fig = Figure(figsize=(11, 4))
    ax, ax_fit = fig.subplots(1, 2)
    for key, label in [("train", "training"), ("valid", "validation")]:
        mean, std = result[f"{key}_mean"], result[f"{key}_std"]
        ax.semilogx(alphas, mean, "o-", label=f"{label} $R^2$")
        ax.fill_between(alphas, mean - std, mean + std, alpha=0.2)
    ax.axvline(best, color="k", ls="--", label=f"best alpha = {best:.3g}")
    ax.set_xlabel("alpha (lambda in J = L + alpha * sum ||W||^2)")
    ax.set_ylabel("$R^2$ (mean +/- 1 std over 5 folds)")
    ax.set_title("validation curve: overfit (left), underfit (right)")
    ax.legend()

    grid = np.linspace(-1, 1, 300)[:, None]
    ax_fit.plot(X[:, 0], y, ".", color="0.5", label="data")
    ax_fit.plot(grid[:, 0], np.sin(3 * grid[:, 0]), "k:", label="sin(3x)")
    for alpha, name in shown.items():
        ax_fit.plot(grid[:, 0], fits[alpha].predict(grid), label=f"{name}: {alpha:.3g}")
    ax_fit.set_xlabel("x")
    ax_fit.set_ylabel("y")
    ax_fit.set_title("networks fitted on all data")
    ax_fit.legend()
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(outdir / "underfitting_overfitting.png", dpi=100)
    print(f"saved {outdir / 'underfitting_overfitting.png'}")


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
