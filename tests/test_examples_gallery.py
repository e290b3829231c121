"""The gallery examples run, save their pictures and show what they claim."""


def test_activations_every_nonlinear_boundary_beats_the_linear_one(
    load_example, capsys, tmp_path
):
    module = load_example("activations")
    accuracy = module.main(tmp_path, small=True)
    out = capsys.readouterr().out
    assert (tmp_path / "activations.png").stat().st_size > 0
    # Every distinct activation, no alias twice, one printed line each.
    assert set(accuracy) == set(module.NAMES)
    assert "identity" in accuracy and "sigmoid" not in accuracy
    assert "swish" not in accuracy
    for name, acc in accuracy.items():
        assert f"{name:<13} {acc:.4f}" in out
    linear = accuracy.pop("identity")
    # A linear boundary cannot follow the moons (noise 0.25): about 0.87-0.90.
    assert 0.8 < linear < 0.91
    # Every nonlinear activation bends the boundary and beats it on held-out data.
    assert min(accuracy.values()) > linear
    assert max(accuracy.values()) >= 0.92
    assert sorted(accuracy.values())[len(accuracy) // 2] >= linear + 0.015


def test_robust_losses_are_not_pulled_by_the_outliers(load_example, capsys, tmp_path):
    error = load_example("robust_regression").main(tmp_path, small=True)
    out = capsys.readouterr().out
    assert (tmp_path / "robust_regression.png").stat().st_size > 0
    assert "15 of 150 targets are outliers" in out
    for loss, err in error.items():
        assert f"{loss:<16} {err:.4f}" in out
    squared = error["squared_error"]
    # The outliers (10% of y, pushed up by 3 to 6) drag the mean up by about 0.45.
    assert squared > 0.25
    # Median and Huber fits stay on f: at most half of the squared error's miss.
    assert error["absolute_error"] < 0.5 * squared
    assert error["huber"] < 0.5 * squared
    assert max(error["absolute_error"], error["huber"]) < 0.15
