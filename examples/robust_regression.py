"""
Robust regression: squared, absolute and Huber loss with gross outliers in y
============================================================================

A smooth 1-D function, f(x) = sin(2x) + 0.3x, is observed with small noise, and
10% of the targets are pushed up by 3 to 6 (gross outliers, all on one side). The
same network is fitted with ``loss="squared_error"``, ``"absolute_error"`` and
``"huber"``: the squared error follows the mean, which the outliers drag upwards;
the absolute error follows the median and Huber's loss grows only linearly beyond
``huber_delta``, so both stay on the clean data. Prints the mean absolute error of
each fit against the true, noise-free f on a clean grid and saves the fits as
robust_regression.png.

Run it as a script (``--small`` is the quick version that the tests run)::

    python examples/robust_regression.py [--outdir DIR] [--small]
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure  # Agg-rendered, no pyplot, no display

from skreg import L2MLPRegressor

LOSSES = ["squared_error", "absolute_error", "huber"]
NOISE = 0.2
# The clean targets have unit spread and noise 0.2, so they need no scaling, and
# delta = 0.5 (2.5 noise standard deviations) keeps the clean residuals in Huber's
# quadratic part while every outlier (residual >= 3) is in its linear part.
HUBER_DELTA = 0.5


def true_function(x):
    """The noise-free f the fits are judged against."""
    return np.sin(2 * x) + 0.3 * x


def make_data(n_samples, outlier_fraction=0.1, random_state=0):
    """x uniform on [-3, 3], y = f(x) + noise; returns x, y and the outlier mask."""
    rng = np.random.default_rng(random_state)
    x = rng.uniform(-3, 3, n_samples)
    y = true_function(x) + rng.normal(0, NOISE, n_samples)
    outlier = np.zeros(n_samples, dtype=bool)
    outlier[rng.choice(n_samples, round(outlier_fraction * n_samples), False)] = True
    y[outlier] += rng.uniform(3, 6, outlier.sum())
    return x, y, outlier


# %%
# The fits
# --------
# The same network with each loss, judged by its mean absolute error against the
# noise-free f on a grid.


def main(outdir=".", small=False):
    """Fit the three losses, print and plot them; returns loss -> MAE against f."""
    x, y, outlier = make_data(150 if small else 300)
    grid = np.linspace(-3, 3, 500)
    predictions, error = {}, {}
    for loss in LOSSES:
        model = L2MLPRegressor(
            hidden_layer_sizes=(32, 32),
            activation="tanh",
            loss=loss,
            huber_delta=HUBER_DELTA,
            # absolute_error has a kink at zero residual, which lbfgs is not made
            # for: adam on minibatches of 32, patient enough (30 epochs without
            # progress) to leave the flat start of a 1-D sine fit.
            solver="adam",
            learning_rate_init=0.01,
            batch_size=32,
            n_iter_no_change=30,
            max_iter=2000,
            alpha=1e-4,
            random_state=0,
        )
        model.fit(x[:, None], y)
        predictions[loss] = model.predict(grid[:, None])
        error[loss] = float(np.mean(np.abs(predictions[loss] - true_function(grid))))
    print(f"{outlier.sum()} of {len(y)} targets are outliers")
    print("loss             MAE against the true f")
    for loss in LOSSES:
        print(f"{loss:<16} {error[loss]:.4f}")
    _plot(x, y, outlier, grid, predictions, error, Path(outdir))
    return error


# %%
# The picture
# -----------
# The data (outliers marked), the true f and the three fits.


def _plot(x, y, outlier, grid, predictions, error, outdir):
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    ax.scatter(x[~outlier], y[~outlier], s=10, c="0.6", label="data")
    ax.scatter(x[outlier], y[outlier], s=25, c="m", marker="x", label="outliers")
    ax.plot(grid, true_function(grid), "k--", lw=2, label="true f")
    for loss, color in zip(LOSSES, ["tab:red", "tab:blue", "tab:green"]):
        ax.plot(
            grid,
            predictions[loss],
            color=color,
            lw=1.8,
            label=f"{loss} (MAE vs f {error[loss]:.3f})",
        )
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"{outlier.mean():.0%} gross outliers: which loss is pulled away?")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(outdir / "robust_regression.png", dpi=100)
    print(f"saved {outdir / 'robust_regression.png'}")


# %%
# Run it
# ------
# Prints what the example shows and saves its picture (shown below on the web
# page) into ``--outdir``.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--outdir", default=".", help="folder for the PNG")
    parser.add_argument("--small", action="store_true", help="fewer samples")
    args = parser.parse_args()
    main(args.outdir, args.small)
