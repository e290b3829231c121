"""The examples run and print what they claim."""

import sys


def test_tune_alpha_prints_every_alpha_and_the_winner(load_example, capsys, tmp_path):
    search = load_example("tune_alpha").main(tmp_path, small=True)
    out = capsys.readouterr().out
    alphas = search.cv_results_["param_regressor__l2mlpregressor__alpha"]
    # Header, one line per alpha, the winner, the saved picture.
    assert out.count("\n") == len(alphas) + 3
    assert (tmp_path / "tune_alpha.png").stat().st_size > 0
    best = search.best_params_["regressor__l2mlpregressor__alpha"]
    assert f"best alpha: {best:.4g}" in out
    # A network on diabetes: a sensible alpha beats the constant model clearly.
    assert search.best_score_ > 0.4
    # The largest alpha underfits: its score is the lowest of the grid.
    scores = search.cv_results_["mean_test_score"]
    assert scores[-1] == min(scores)


def test_plot_cv_path_shows_underfitting_and_marks_alpha(
    load_example, capsys, tmp_path
):
    search = load_example("plot_cv_path").main(tmp_path, small=True)
    out = capsys.readouterr().out
    assert (tmp_path / "cv_path.png").stat().st_size > 0
    # Header, one line per alpha, the summary, the saved picture.
    assert out.count("\n") == len(search.alphas_) + 3
    assert out.count("<- alpha_") == 1
    mean = search.scores_.mean(axis=0)
    # The top of the grid shrinks the network to a constant: it underfits.
    assert mean[0] < search.best_score_ - 0.3
    assert search.best_score_ > 0.4


def test_tune_alpha_runs_without_matplotlib(
    load_example, capsys, tmp_path, monkeypatch
):
    # The README's first command runs in a bare install: no matplotlib.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    search = load_example("tune_alpha").main(tmp_path, small=True)
    out = capsys.readouterr().out
    alphas = search.cv_results_["param_regressor__l2mlpregressor__alpha"]
    # Header, one line per alpha, the winner, the skipped picture.
    assert out.count("\n") == len(alphas) + 3
    assert out.splitlines()[-1] == (
        "matplotlib not installed: skipped tune_alpha.png "
        '(pip install -e ".[examples]" to save it)'
    )
    assert not (tmp_path / "tune_alpha.png").exists()
