"""Progress output: throttled lines, the optional tqdm bar, warnings, learning rate.

The schedule of lines, the bar's conditions and the units of the learning rate
are those the ``verbose`` docstring documents; the learning rate is checked
against the step the weights actually took and J's gradient by finite
differences of the public ``objective``.
"""

import copy
import io
import os
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.exceptions import ConvergenceWarning

from skreg import (
    L2MLPClassifier,
    L2MLPRegressor,
    L2MLPRegressorCV,
    _progress,
)
from skreg._progress import Progress

NUMBER = r"[-+0-9.e]+|nan|inf"
LINE = re.compile(
    rf"^(?:(\[CV[^\]]*\] [^:]*): )?(epoch|iteration) (\d+): J = ({NUMBER}) "
    rf"\(data ({NUMBER}) \+ penalty ({NUMBER})\)"
    rf"(, validation score = ({NUMBER}))?(, learning rate = ({NUMBER}))?"
    rf", ({NUMBER}) s$"
)
#: The documented schedule (verbose docstring), written out: first, these, last.
SCHEDULE = {1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000}


def _expected_epochs(first, last):
    """Epoch numbers printed by a fit of epochs first..last (counted from 1)."""
    count = last - first + 1
    return [first + k - 1 for k in range(1, count + 1) if k in SCHEDULE or k == count]


def _parse(out):
    lines = out.splitlines()
    matches = [LINE.match(line) for line in lines]
    assert all(matches), lines
    return matches


def _require_tqdm():
    """The bar's tests run wherever the test extra is installed (CI): no skip."""
    assert _progress.load_tqdm() is not None, 'tqdm missing: pip install -e ".[test]"'


@pytest.fixture
def data(rng):
    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=60)
    return X, y


def _fit(estimator, X, y, **fit_params):
    """Fit; a short fit's ConvergenceWarning is expected and checked for elsewhere."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        return estimator.fit(X, y, **fit_params)


class _Terminal(io.StringIO):
    """A stream that says it is a terminal (of unknown width)."""

    def isatty(self):
        return True


# A stream of a Jupyter kernel: tqdm.auto draws there (a widget in a real one).
_Notebook = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})


def _render(raw):
    """The screen a terminal shows for ``raw``: each carriage return rewinds."""
    screen = []
    for line in raw.split("\n"):
        cells = []
        for part in line.split("\r"):
            cells[: len(part)] = part
        screen.append("".join(cells).rstrip())
    return [line for line in screen if line]


# --- verbose=0 and 1: lines ------------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_verbose_0_prints_nothing(capsys, data, seed, solver):
    _fit(L2MLPRegressor((5,), solver=solver, max_iter=5, random_state=seed), *data)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_verbose_1_lines_on_the_schedule_with_J_and_its_parts(
    capsys, data, seed, solver
):
    model = _fit(
        L2MLPRegressor(
            (5,), solver=solver, alpha=0.01, max_iter=7, tol=0, verbose=1,
            random_state=seed,
        ),
        *data,
    )
    matches = _parse(capsys.readouterr().out)
    epochs = [int(m[3]) for m in matches]
    assert model.n_iter_ == 7
    assert epochs == _expected_epochs(1, 7) == [1, 2, 3, 5, 7]
    unit = "iteration" if solver == "lbfgs" else "epoch"
    for match in matches:
        assert match[1] is None and match[2] == unit
        J, data_part, penalty_part = map(float, match.group(4, 5, 6))
        assert J == pytest.approx(data_part + penalty_part, rel=1e-4, abs=1e-9)
        assert penalty_part > 0
        assert (match[10] is None) == (solver == "lbfgs")
    # The printed J is the loss curve's value at that epoch, to 6 digits.
    printed = [float(m[4]) for m in matches]
    curve = np.array(model.loss_curve_)
    np.testing.assert_allclose(printed, curve[np.array(epochs) - 1], rtol=1e-5)
    # Seconds since fit started: non-decreasing.
    seconds = [float(m[11]) for m in matches]
    assert seconds == sorted(seconds)


@pytest.mark.parametrize("verbose", [1, 2])
def test_a_long_fit_prints_a_dozen_lines_not_one_per_epoch(capsys, data, verbose):
    # capsys's stdout is no terminal: verbose=2 prints the lines too.
    model = _fit(
        L2MLPRegressor((3,), max_iter=200, tol=0, verbose=verbose, random_state=0),
        *data,
    )
    assert model.n_iter_ == 200
    out = capsys.readouterr().out
    assert "\r" not in out
    epochs = [int(m[3]) for m in _parse(out)]
    assert epochs == [1, 2, 3, 5, 10, 20, 30, 50, 100, 200]


def test_a_slow_fit_also_prints_every_interval(capsys, data, monkeypatch):
    # An interval of 0 s: every epoch is "10 s after the previous line".
    monkeypatch.setattr(_progress, "LINE_INTERVAL", 0.0)
    _fit(L2MLPRegressor((3,), max_iter=8, tol=0, verbose=1, random_state=0), *data)
    epochs = [int(m[3]) for m in _parse(capsys.readouterr().out)]
    assert epochs == list(range(1, 9))


def test_warm_start_counts_its_own_epochs(capsys, data):
    model = L2MLPRegressor((3,), max_iter=4, tol=0, verbose=1, random_state=0)
    _fit(model, *data)
    capsys.readouterr()
    _fit(model.set_params(warm_start=True, max_iter=6), *data)
    epochs = [int(m[3]) for m in _parse(capsys.readouterr().out)]
    # As n_iter_ (and scikit-learn's MLP), a warm-started fit counts its own
    # epochs from 1.
    assert epochs == _expected_epochs(1, 6)
    assert epochs[-1] == model.n_iter_


def test_verbose_1_penalty_part_is_alpha_times_squared_weights(capsys, data, seed):
    model = _fit(
        L2MLPRegressor((4,), solver="lbfgs", alpha=0.1, max_iter=5, verbose=1,
                       random_state=seed),
        *data,
    )
    last = _parse(capsys.readouterr().out)[-1]
    assert int(last[3]) == model.n_iter_
    weights = sum(float(np.sum(W**2)) for W in model.coefs_)
    assert float(last[6]) == pytest.approx(0.1 * weights, rel=1e-5)


def test_verbose_1_shows_the_validation_score_with_early_stopping(capsys, rng, seed):
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] > 0).astype(int)
    model = _fit(
        L2MLPClassifier((4,), early_stopping=True, max_iter=6, n_iter_no_change=99,
                        verbose=1, random_state=seed),
        X, y,
    )
    matches = _parse(capsys.readouterr().out)
    epochs = [int(m[3]) for m in matches]
    assert epochs == _expected_epochs(1, model.n_iter_)
    scores = [float(m[8]) for m in matches]
    expected = np.array(model.validation_scores_)[np.array(epochs) - 1]
    np.testing.assert_allclose(scores, expected, rtol=1e-5)


@pytest.mark.parametrize("verbose", [1, 2])
def test_partial_fit_follows_the_schedule_of_its_epoch_count(
    capsys, data, monkeypatch, verbose
):
    # Even "in a terminal" with tqdm: one epoch per call draws no bar.
    monkeypatch.setattr(sys, "stdout", _Terminal())
    model = L2MLPRegressor((3,), verbose=verbose, random_state=0)
    for _ in range(12):
        model.partial_fit(*data)
    out = sys.stdout.getvalue()
    assert "\r" not in out
    assert [int(m[3]) for m in _parse(out)] == [1, 2, 3, 5, 10]


# --- verbose=2: the tqdm bar ----------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_verbose_2_draws_a_tqdm_bar_in_a_terminal(monkeypatch, data, solver):
    _require_tqdm()
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    model = _fit(
        L2MLPRegressor((3,), solver=solver, max_iter=40, tol=0, verbose=2,
                       random_state=0),
        *data,
    )
    out = terminal.getvalue()
    screen = _render(out)
    unit = "iteration" if solver == "lbfgs" else "epoch"
    # One bar, left on screen at its final count, with rate and ETA; no lines.
    assert len(screen) == 1, screen
    assert f"{model.n_iter_}/40 [" in screen[0] and f"{unit}/s" in screen[0]
    assert "<" in screen[0]  # elapsed<remaining
    assert f"J={model.loss_curve_[-1]:.4g}" in screen[0]
    assert ("lr=" in screen[0]) == (solver != "lbfgs")
    assert out.endswith("\n") and out.count("\n") == 1
    assert not LINE.search(out)


def test_verbose_2_draws_the_bar_in_a_notebook(monkeypatch, data):
    _require_tqdm()
    notebook = _Notebook()
    assert not notebook.isatty()
    monkeypatch.setattr(sys, "stdout", notebook)
    _fit(L2MLPRegressor((3,), max_iter=10, tol=0, verbose=2, random_state=0), *data)
    out = notebook.getvalue()
    assert "\r" in out and "10/10 [" in out and not LINE.search(out)


def test_verbose_2_without_tqdm_prints_the_throttled_lines(monkeypatch, data):
    # As if tqdm were not installed: importing it raises ImportError.
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    assert _progress.load_tqdm() is None
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    _fit(L2MLPRegressor((3,), max_iter=60, tol=0, verbose=2, random_state=0), *data)
    out = terminal.getvalue()
    assert "\r" not in out
    assert [int(m[3]) for m in _parse(out)] == [1, 2, 3, 5, 10, 20, 30, 50, 60]


def test_the_bar_is_only_drawn_where_the_stream_is_interactive(monkeypatch):
    _require_tqdm()

    def drawn(stream, verbose=2, **context):
        with _progress.progress_context(**context), Progress(
            verbose, 3, stream=stream
        ) as progress:
            progress.start()
            return progress.bar is not None

    assert drawn(_Terminal()) and drawn(_Notebook())
    assert not drawn(io.StringIO())  # a file or a pipe
    assert not drawn(_Terminal(), verbose=1)
    assert not drawn(_Terminal(), bars=False)  # parallel CV workers


# --- warnings never land on the bar's line --------------------------------------


def _warnings_shown_on(stream, fit):
    """Run ``fit`` with warnings written to ``stream`` (a terminal shared with
    stdout, as stderr is); returns (warning, what the stream held then)."""
    shown = []

    def show(message, category, filename, lineno, file=None, line=None):
        shown.append((category, stream.getvalue()))
        stream.write(warnings.formatwarning(message, category, filename, lineno))

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        fit()
    return shown


def _on_a_clean_line(before):
    """Nothing of a bar is visible on the line where the next text starts."""
    if before == "" or before.endswith("\n"):
        return True
    # A cleared bar: overwritten with spaces, the cursor back at its start.
    return before.endswith("\r") and not _render(before.rsplit("\n", 1)[-1])


def _sigint_on_call(monkeypatch, name, at):
    from test_faults import _raise_sigint_on_call

    _raise_sigint_on_call(monkeypatch, name, at)


@pytest.mark.parametrize(
    "case", ["sgd", "adam", "lbfgs", "batch_size", "sgd_sigint", "lbfgs_sigint"]
)
def test_warnings_start_on_a_line_of_their_own(monkeypatch, data, case):
    _require_tqdm()
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    solver = case.split("_")[0] if case != "batch_size" else "sgd"
    params = {"batch_size": 500} if case == "batch_size" else {"batch_size": 10}
    expected = UserWarning if case in ("batch_size",) else ConvergenceWarning
    if case.endswith("sigint"):
        # Ctrl-C during the third epoch (lbfgs: its 5th evaluation).
        name, at = ("value_and_grad", 5) if solver == "lbfgs" else ("penalty", 14)
        _sigint_on_call(monkeypatch, name, at)
        expected = UserWarning
    model = L2MLPRegressor(
        (3,), solver=solver, max_iter=8, tol=1e-12, verbose=2, random_state=0,
        **params,
    )
    shown = _warnings_shown_on(terminal, lambda: model.fit(*data))
    assert expected in [category for category, _ in shown]
    for _, before in shown:
        assert _on_a_clean_line(before), repr(before[-200:])
    # The bar was drawn: the check above is about a real bar's line.
    out = terminal.getvalue()
    assert "\r" in out and "/8 [" in out


def test_cv_warnings_and_bars_in_a_terminal(monkeypatch, rng):
    _require_tqdm()
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] - X[:, 1]
    search = L2MLPRegressorCV(
        (3,), alphas=2, cv=2, max_iter=5, verbose=3, random_state=0
    )
    shown = _warnings_shown_on(terminal, lambda: search.fit(X, y))
    assert ConvergenceWarning in [category for category, _ in shown]
    for _, before in shown:
        assert _on_a_clean_line(before), repr(before[-200:])
    screen = [line for line in _render(terminal.getvalue()) if ":" in line]
    # The points' bars were cleared; each point's line and the refit remain.
    point = re.compile(r"\[CV \d/2\] alpha=\S+ \(\d/2\): ")
    points = [line for line in screen if point.match(line)]
    assert len(points) == 4
    # The refit's bars, one per point of its path down to alpha_, then its line.
    refit = [line for line in screen if line.startswith("[CV] refit")]
    assert 2 <= len(refit) <= 3 and all("5/5 [" in line for line in refit[:-1])
    assert refit[-1].startswith("[CV] refit on all data along the path to alpha=")


# --- the learning rate in the units of coefs_ -----------------------------------


def _gradient(model, X, y, which, layer, h=1e-6):
    """dJ/d(coefs_ or intercepts_)[layer] by central differences of ``objective``."""
    arrays = getattr(model, which)
    grad = np.zeros_like(arrays[layer])
    for index in np.ndindex(grad.shape):
        values = []
        for step in (h, -h):
            probe = copy.deepcopy(model)
            getattr(probe, which)[layer][index] += step
            values.append(probe.objective(X, y))
        grad[index] = (values[0] - values[1]) / (2 * h)
    return grad


def _one_step(model, X, y, capsys):
    """A model after one epoch, the next full-batch step from there, and the
    learning rate printed for it (no momentum: the step is -lr * gradient)."""
    _fit(model.set_params(momentum=0.0, batch_size=len(X), max_iter=1), X, y)
    before = copy.deepcopy(model)
    capsys.readouterr()
    _fit(model.set_params(warm_start=True, verbose=1), X, y)
    (match,) = _parse(capsys.readouterr().out)
    return before, model, float(match[10])


@pytest.fixture
def scaled(rng):
    """Features on different scales and off zero, targets of spread ~30."""
    X = rng.normal(size=(40, 3)) * [1.0, 4.0, 0.3] + [2.0, -3.0, 0.5]
    y = 10 * (X[:, 0] - 0.5 * X[:, 1]) + rng.normal(size=40)
    return X, y


def test_sgd_auto_learning_rate_is_the_output_layers_step(scaled, capsys):
    X, y = scaled
    model = L2MLPRegressor((4, 3), activation="tanh", alpha=0.01, random_state=0)
    before, after, lr = _one_step(model, X, y, capsys)
    variance = np.var(y)  # the targets' spread, computed here
    mean, feature_variance = X.mean(axis=0), X.var(axis=0)
    assert variance > 50  # the units matter: lr is far from the internal one

    def step(which, layer):
        return getattr(after, which)[layer] - getattr(before, which)[layer]

    def gradient(which, layer):
        return _gradient(before, X, y, which, layer)

    # Output layer: -lr * gradient, in coefs_ and intercepts_.
    for which in ("coefs_", "intercepts_"):
        np.testing.assert_allclose(
            step(which, -1), -lr * gradient(which, -1), rtol=6e-3
        )
    # The hidden layer after the first: lr / variance.
    np.testing.assert_allclose(
        step("coefs_", 1), -lr / variance * gradient("coefs_", 1), rtol=6e-3
    )
    # The first layer: also divided by each feature's variance, with the bias
    # gradient times the feature's mean mixed in.
    mixed = gradient("coefs_", 0) - np.outer(mean, gradient("intercepts_", 0))
    expected = -lr / variance * mixed / feature_variance[:, None]
    np.testing.assert_allclose(step("coefs_", 0), expected, rtol=6e-3)


def test_sgd_auto_learning_rate_without_hidden_layer(scaled, capsys):
    X, y = scaled
    model = L2MLPRegressor((), alpha=0.01, random_state=0)
    before, after, lr = _one_step(model, X, y, capsys)
    mean, feature_variance = X.mean(axis=0), X.var(axis=0)
    grad = _gradient(before, X, y, "coefs_", 0)
    mixed = grad - np.outer(mean, _gradient(before, X, y, "intercepts_", 0))
    np.testing.assert_allclose(
        after.coefs_[0] - before.coefs_[0],
        -lr * mixed / feature_variance[:, None],
        rtol=6e-3,
    )


def test_classifier_sgd_auto_learning_rate_is_the_output_layers_step(rng, capsys):
    X = rng.normal(size=(40, 2)) * [3.0, 0.5]
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    model = L2MLPClassifier((3,), alpha=0.01, random_state=0)
    before, after, lr = _one_step(model, X, y, capsys)
    np.testing.assert_allclose(
        after.coefs_[-1] - before.coefs_[-1],
        -lr * _gradient(before, X, y, "coefs_", -1),
        rtol=6e-3,
    )


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_learning_rate_set_by_hand_is_shown_as_given(scaled, capsys, solver):
    X, y = scaled
    model = L2MLPRegressor(
        (3,), solver=solver, learning_rate_init=0.0025, random_state=0
    )
    before, after, lr = _one_step(model, X, y, capsys)
    assert lr == 0.0025
    if solver == "sgd":  # plain SGD on every layer
        for layer in (0, 1):
            np.testing.assert_allclose(
                after.coefs_[layer] - before.coefs_[layer],
                -lr * _gradient(before, X, y, "coefs_", layer),
                rtol=6e-3,
            )


def test_adam_auto_learning_rate_is_shown_as_1e_3(data, capsys):
    _fit(L2MLPRegressor((3,), solver="adam", max_iter=2, verbose=1), *data)
    assert {float(m[10]) for m in _parse(capsys.readouterr().out)} == {1e-3}


# --- cross-validation -----------------------------------------------------------


def test_cv_inner_lines_name_their_fold_and_alpha(capsys, rng):
    X = rng.normal(size=(30, 3))
    y = X[:, 0] - X[:, 1]
    _fit(L2MLPRegressorCV((3,), alphas=[1.0, 0.1], cv=2, max_iter=4, verbose=2,
                          random_state=0), X, y)
    lines = capsys.readouterr().out.splitlines()
    inner = [LINE.match(line) for line in lines if LINE.match(line)]
    prefixes = {m[1] for m in inner}
    points = {f"[CV {k}/2] alpha={a}" for k in (1, 2) for a in ("1", "0.1")}
    # The refit follows the path from the largest alpha down to alpha_.
    refits = prefixes - points
    assert points < prefixes and "[CV] refit alpha=1" in refits
    assert refits <= {"[CV] refit alpha=1", "[CV] refit alpha=0.1"}
    assert sum(line.startswith("[CV 1/2] alpha=1 (1/2): ") for line in lines) == 1


def test_cv_parallel_folds_print_whole_lines_and_no_bars(monkeypatch, rng):
    _require_tqdm()
    terminal = _Terminal()  # shared by the worker threads, as a terminal is
    monkeypatch.setattr(sys, "stdout", terminal)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] - X[:, 1]
    search = L2MLPRegressorCV(
        (3,), alphas=3, cv=3, max_iter=30, tol=0, n_jobs=2, verbose=3,
        random_state=0,
    )
    with parallel_config(backend="threading"):
        _fit(search, X, y)
    raw = terminal.getvalue()
    workers, refit = raw.split("\r[CV] refit alpha=", 1)
    assert "\r" not in workers
    point = re.compile(r"^\[CV \d/3\] alpha=\S+ \(\d/3\): \d+ epochs, score=")
    lines = workers.splitlines()
    assert all(LINE.match(line) or point.match(line) for line in lines), lines
    assert sum(bool(point.match(line)) for line in lines) == 9
    # Every point's fit printed its 30 epochs' 7 lines (1, 2, 3, 5, 10, 20, 30).
    prefixes = [m[1] for m in map(LINE.match, lines) if m]
    assert len(set(prefixes)) == 9
    assert all(prefixes.count(prefix) == 7 for prefix in prefixes)
    assert "\r" in refit  # the refit, in this process, draws its bar


_CHILD = textwrap.dedent(
    """
    import numpy as np
    from skreg import L2MLPRegressor, L2MLPRegressorCV
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] - X[:, 1]
    L2MLPRegressor((3,), max_iter=20, verbose=2, random_state=0).fit(X, y)
    L2MLPRegressorCV((3,), alphas=2, cv=2, max_iter=20, tol=0, n_jobs=2,
                     verbose=3, random_state=0).fit(X, y)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_real_terminal_with_process_workers():
    """stdout and stderr on one pseudo-terminal; the CV's folds in loky workers."""
    _require_tqdm()
    import pty

    primary, secondary = pty.openpty()
    os.set_blocking(primary, True)
    # A terminal of 100 columns, as a real one has.
    subprocess.run(["stty", "cols", "100", "rows", "30"], stdin=secondary, check=True)
    process = subprocess.Popen(
        [sys.executable, "-c", _CHILD],
        stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert process.wait(timeout=120) == 0
    raw = b"".join(chunks).decode().replace("\r\n", "\n")
    lines = raw.split("\n")
    warned = [line for line in lines if "Warning: " in line]
    assert any("ConvergenceWarning" in line for line in warned)
    for line in warned:  # every warning starts a line: no bar before it
        # (the warning names the user's line: "<string>" for python -c)
        assert re.match(r"^\S+:\d+: \w+Warning: ", line), line
    bars = [line for line in lines if "\r" in line]
    assert bars and all("/20 [" in line for line in bars)
    # The workers' lines are whole: fold, alpha, epoch, J ...
    worker_lines = [line for line in lines if line.startswith("[CV ") and "/2]" in line]
    assert len(worker_lines) >= 2 * 2 * 6
    point = re.compile(r"^\[CV \d/2\] alpha=\S+ \(\d/2\): \d+ epochs, score=")
    assert all(LINE.match(line) or point.match(line) for line in worker_lines)
