"""Training progress on standard output, as scikit-learn's estimators report it.

``verbose=1`` prints one line per epoch (lbfgs: per iteration); ``verbose>=2`` draws
a live bar over the epochs when standard output is a terminal and falls back to the
lines otherwise (a log file or a notebook capture gets lines, never carriage
returns); ``verbose=0`` prints nothing.

stdout rather than ``logging``: scikit-learn's estimators print their progress
(``MLPRegressor(verbose=True)``), so a scikit-learn user finds it where they look,
and ``contextlib.redirect_stdout`` sends it anywhere.
"""

import shutil
import sys


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Report each epoch of one ``fit``; use as a context manager.

    Parameters
    ----------
    verbose : int
        0: silent; 1: one line per epoch; 2 or more: a live bar in a terminal.
    total : int
        Most epochs (or lbfgs iterations) this call can run: the bar's length.
    unit : {"epoch", "iteration"}
        What one step of the report is; lines start with it.
    stream : file-like, default=None
        Where to write; ``sys.stdout`` at the time of the call when None.
    """

    def __init__(self, verbose, total, unit="epoch", stream=None):
        self.verbose = int(verbose)
        self.total = max(int(total), 1)
        self.unit = unit
        self.stream = sys.stdout if stream is None else stream
        self.bar = self.verbose >= 2 and _is_terminal(self.stream)
        self._drawn = 0
        self._count = 0
        self._seconds = 0.0

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def report(
        self, n_iter, J, data, penalty, seconds, learning_rate=None, validation=None
    ):
        """One epoch: its number, J with its data and penalty parts, and timing."""
        if not self.verbose:
            return
        self._count += 1
        self._seconds += seconds
        if self.bar:
            # Compact, to fit a terminal line: J = data + penalty.
            text = f"J {J:.4g} = {data:.4g} + {penalty:.4g}"
            if validation is not None:
                text += f" | val {validation:.4g}"
            if learning_rate is not None:
                text += f" | lr {learning_rate:.2g}"
            self._draw(n_iter, f"{text} | {self._seconds:.1f} s")
            return
        text = f"J = {J:.6g} (data {data:.6g} + penalty {penalty:.6g})"
        if validation is not None:
            text += f", validation score = {validation:.6g}"
        if learning_rate is not None:
            text += f", learning rate = {learning_rate:.3g}"
        text += f", {seconds:.3g} s"
        print(f"{self.unit} {n_iter}: {text}", file=self.stream, flush=True)

    def _draw(self, n_iter, text):
        width = shutil.get_terminal_size((100, 24)).columns
        done = min(self._count, self.total)
        cells = 20
        filled = cells * done // self.total
        line = (
            f"{self.unit} {n_iter} [{'#' * filled}{'.' * (cells - filled)}] "
            f"{done}/{self.total} {text}"
        )[: max(width - 1, 10)]
        # Pad over the previous, possibly longer, line.
        padding = " " * max(self._drawn - len(line), 0)
        self.stream.write("\r" + line + padding)
        self.stream.flush()
        self._drawn = len(line)

    def close(self):
        """End the bar's line, so that what follows starts on a fresh one."""
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = 0
