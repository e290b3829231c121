"""The underfitting/overfitting and weight-shrinkage examples show what they claim."""

import numpy as np


def test_underfitting_overfitting_shows_both_ends(load_example, capsys, tmp_path):
    result = load_example("underfitting_overfitting").main(tmp_path, small=True)
    out = capsys.readouterr().out
    assert (tmp_path / "underfitting_overfitting.png").stat().st_size > 0
    alphas = result["alphas"]
    # Header, one line per alpha, the summary, the saved picture.
    assert out.count("\n") == len(alphas) + 3
    assert out.count("<- best") == 1
    assert "too large alpha underfits" in out and "too small overfits" in out
    train, valid = result["train_mean"], result["valid_mean"]
    best = int(np.argmax(valid))
    assert result["best_alpha"] == alphas[best]
    # The best alpha is inside the grid, not at either end.
    assert 0 < best < len(alphas) - 1
    # A network that fits sin(3x) through the noise: clearly better than a constant.
    assert valid[best] > 0.5
    # Too large: the network is shrunk to a constant; train and validation both low.
    assert train[-1] < train[best] - 0.5
    assert valid[-1] < valid[best] - 0.5
    # Too small: it fits the noise. Training R^2 at least the best validation R^2,
    # a clear train/validation gap, and a validation R^2 below the best one.
    assert train[0] >= valid[best]
    assert train[0] - valid[0] > 0.15
    assert valid[0] < valid[best] - 0.05


def test_weight_shrinkage_norm_falls_as_alpha_grows(load_example, capsys, tmp_path):
    module = load_example("weight_shrinkage")
    result = module.main(tmp_path, small=True)
    out = capsys.readouterr().out
    assert (tmp_path / "weight_shrinkage.png").stat().st_size > 0
    alphas, norms = result["alphas"], result["norms"]
    # Header, one line per alpha, the summary, the saved picture.
    assert out.count("\n") == len(alphas) + 3
    assert np.all(np.diff(alphas) > 0)
    # The squared norm decreases strictly along the whole grid...
    assert np.all(np.diff(norms) < 0)
    # ...and by orders of magnitude over four decades of alpha.
    assert norms[0] > 100 * norms[-1]
    # The histograms: every requested alpha is there, and the spread shrinks.
    weights = result["weights"]
    assert sorted(weights) == sorted(module.HIST_ALPHAS)
    spreads = [np.std(weights[a]) for a in sorted(weights)]
    assert spreads[0] > 2 * spreads[1] > 4 * spreads[2]
    # They are the networks of the grid: their squared norms are the printed ones.
    on_grid = [(a, n) for a, n in zip(alphas, norms) if a in weights]
    assert len(on_grid) == len(weights)
    for alpha, norm in on_grid:
        np.testing.assert_allclose(np.sum(weights[alpha] ** 2), norm)
