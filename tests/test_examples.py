"""The examples run and print what they claim."""


def test_tune_alpha_prints_every_alpha_and_the_winner(load_example, capsys, tmp_path):
    search = load_example("tune_alpha").main(tmp_path, small=True)
    out = capsys.readouterr().out
    alphas = search.cv_results_["param_l2mlpregressor__alpha"]
    # Header, one line per alpha, the winner, the saved picture.
    assert out.count("\n") == len(alphas) + 3
    assert (tmp_path / "tune_alpha.png").stat().st_size > 0
    assert f"best alpha: {search.best_params_['l2mlpregressor__alpha']:.4g}" in out
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
