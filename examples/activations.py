"""
Decision boundaries of every activation on the two moons
========================================================

The same network (two hidden layers of 32 units, alpha = 3e-4, random_state = 0,
trained to a stationary J) is trained with each activation skreg offers
(aliases such as ``sigmoid`` and ``swish`` are skipped, they are the same
function). ``identity`` makes the whole network linear, so its boundary is a
straight line and it cannot follow the moons; every nonlinear activation bends
the boundary around them. Prints the test accuracy of each activation and saves
the panels as activations.png.

Run it as a script (``--small`` is the quick version that the tests run)::

    python examples/activations.py [--outdir DIR] [--small]
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure  # Agg-rendered, no pyplot, no display
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skreg import L2MLPClassifier
from skreg._activations import ACTIVATIONS

# Each record once, under its own name: "sigmoid" and "swish" are aliases.
NAMES = [name for name, record in ACTIVATIONS.items() if record.name == name]


# %%
# The fits
# --------
# One network per activation on half of the moons, scored on the other half.
# Each is trained until J is stationary. The smooth activations use lbfgs on
# the full J; the kinked ones (relu, leaky_relu, prelu) use sgd, because at
# their kinks the gradient of J jumps and lbfgs stalls short of its tolerance.

#: Activations with a kink, trained by sgd rather than lbfgs.
KINKED = {"relu", "leaky_relu", "prelu"}


def main(outdir=".", small=False):
    """Fit one network per activation, print and plot; returns name -> accuracy."""
    X, y = make_moons(400 if small else 1000, noise=0.25, random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=0
    )
    models, accuracy = {}, {}
    for name in NAMES:
        model = make_pipeline(
            StandardScaler(),
            L2MLPClassifier(
                hidden_layer_sizes=(32, 32),
                activation=name,
                solver="sgd" if name in KINKED else "lbfgs",
                alpha=3e-4,
                max_iter=1000 if name in KINKED else 5000,
                random_state=0,
            ),
        )
        model.fit(X_train, y_train)
        models[name] = model
        accuracy[name] = model.score(X_test, y_test)
    print("activation    test accuracy")
    for name in NAMES:
        print(f"{name:<13} {accuracy[name]:.4f}")
    _plot(models, accuracy, X_test, y_test, 100 if small else 300, Path(outdir))
    return accuracy


# %%
# The picture
# -----------
# The predicted probability of each network over the plane, the 0.5 boundary
# in black, the test points on top.


def _plot(models, accuracy, X, y, resolution, outdir):
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    ncols = 5
    nrows = -(-len(models) // ncols)
    fig = Figure(figsize=(3 * ncols, 3 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (name, model) in zip(axes, models.items()):
        proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
        ax.contourf(xx, yy, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
        ax.contour(xx, yy, proba, levels=[0.5], colors="k", linewidths=1.5)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", s=8, edgecolors="k", lw=0.3)
        ax.set_title(f"{name}: test acc {accuracy[name]:.3f}")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(models) :]:
        ax.set_visible(False)
    fig.suptitle(
        "make_moons(noise=0.25): hidden (32, 32), alpha=3e-4, J stationary"
    )
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    fig.savefig(outdir / "activations.png", dpi=100)
    print(f"saved {outdir / 'activations.png'}")


# %%
# Run it
# ------
# Prints what the example shows and saves its picture (shown below on the web
# page) into ``--outdir``.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--outdir", default=".", help="folder for the PNG")
    parser.add_argument(
        "--small", action="store_true", help="fewer samples, coarser mesh"
    )
    args = parser.parse_args()
    main(args.outdir, args.small)
