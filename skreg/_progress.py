"""Training progress on standard output: a tqdm bar, or a few plain lines.

- ``verbose=0``: nothing.
- ``verbose=1``: plain lines, throttled (:func:`on_schedule`): the first epoch
  (lbfgs: iteration), epochs 2, 3, 5, 10, 20, 30, 50, 100, ..., any epoch at
  least :data:`LINE_INTERVAL` seconds after the previous line, and the last
  one. ``partial_fit`` runs one epoch per call: its lines follow the schedule
  of its epoch count (``n_iter_``), so a loop of calls is throttled too.
- ``verbose>=2``: a ``tqdm.auto`` bar (a widget in a Jupyter notebook, a text
  bar with an ETA in a terminal) when tqdm is installed and standard output is
  a terminal or a notebook; the same lines as ``verbose=1`` otherwise (a log
  file, a pipe, no tqdm) and for ``partial_fit``.

stdout rather than ``logging``: scikit-learn's estimators print their progress
there (``MLPRegressor(verbose=True)``), and ``contextlib.redirect_stdout``
sends it anywhere. The training loops close the bar before ``fit`` emits a
warning, so that no warning is written onto the bar's line.

Callers that run fits for a purpose of their own (the CV estimators) say so
with :func:`progress_context`: a prefix naming the fit, no bar (in parallel
workers, whose bars would overwrite each other), or a bar that is cleared when
the fit ends.
"""

import contextlib
import contextvars
import os
import sys
import time
from typing import NamedTuple

#: Lines are printed at these leading digits times a power of ten: about four
#: lines per decade of epochs, however long the fit.
SCHEDULE_DIGITS = (1, 2, 3, 5)
#: A line is also printed once this many seconds have passed since the last one.
LINE_INTERVAL = 10.0


class Context(NamedTuple):
    """How the fits started inside a :func:`progress_context` report."""

    #: Names the fit at the start of each line, as the bar's description, and
    #: at the start of its warnings (:func:`skreg._warnings.warn`).
    prefix: str = ""
    #: False: plain lines even where a bar could be drawn.
    bars: bool = True
    #: False: the bar is cleared when the fit ends.
    leave: bool = True


_CONTEXT = contextvars.ContextVar("skreg_progress_context", default=None)


def current_context():
    """The :class:`Context` in force (the defaults outside any block)."""
    return _CONTEXT.get() or Context()


@contextlib.contextmanager
def progress_context(**changes):
    """Fits inside the block report as ``changes`` say (fields of :class:`Context`)."""
    token = _CONTEXT.set(current_context()._replace(**changes))
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def on_schedule(n):
    """True for n = 1, 2, 3, 5, 10, 20, 30, 50, 100, ... (:data:`SCHEDULE_DIGITS`)."""
    if n < 1:
        return False
    power = 10 ** (len(str(int(n))) - 1)
    return n % power == 0 and n // power in SCHEDULE_DIGITS


def load_tqdm():
    """``tqdm.auto.tqdm``, or None without tqdm (the ``progress`` extra)."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def _interactive(stream):
    """A terminal, or a Jupyter kernel's output stream (not a file or a pipe)."""
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if terminal:
        # A pseudo-terminal of no width (as some runners open) shows no bar.
        return _columns(stream) != 0
    # A notebook's stdout is ipykernel's OutStream, whose isatty() is False.
    return type(stream).__module__.startswith("ipykernel.")


def _columns(stream):
    """The terminal's width, or None when the stream cannot tell."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return None


class Progress:
    """Report the epochs of one ``fit`` call; a context manager that closes it.

    Parameters
    ----------
    verbose : int
        0: silent; 1: throttled lines; 2 or more: a bar where one can be drawn.
    total : int
        Most epochs (or lbfgs iterations) this call can run: the bar's length.
    unit : {"epoch", "iteration"}
        What one step of the report is.
    stream : file-like, default=None
        Where to write; ``sys.stdout`` at the time of the call when None.
    incremental : bool, default=False
        One epoch of a ``partial_fit`` sequence: lines on the schedule of the
        epoch's number, never a bar.
    """

    def __init__(self, verbose, total, unit="epoch", stream=None, incremental=False):
        self.verbose = int(verbose)
        self.total = max(int(total), 1)
        self.unit = unit
        self.stream = sys.stdout if stream is None else stream
        self.incremental = incremental
        self.context = current_context()
        self.bar = None
        self._tqdm = None
        if (
            self.verbose >= 2
            and not incremental
            and self.context.bars
            and _interactive(self.stream)
        ):
            self._tqdm = load_tqdm()
        self._started = None
        self._last_line = None
        self._count = 0
        # The last report when it was not printed: printed at close.
        self._pending = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def start(self):
        """Start the clock (and draw the bar): called when training starts."""
        if not self.verbose or self._started is not None:
            return
        self._started = self._last_line = time.perf_counter()
        if self._tqdm is not None:
            self.bar = self._tqdm(
                total=self.total,
                desc=self.context.prefix or None,
                unit=self.unit,
                file=self.stream,
                leave=self.context.leave,
                dynamic_ncols=True,
            )

    def report(self, n_iter, J, data, penalty, learning_rate=None, validation=None):
        """One epoch: its number, J with its data and penalty parts."""
        if not self.verbose:
            return
        self.start()
        self._count += 1
        if self.bar is not None:
            text = f"J={J:.4g} ({data:.4g}+{penalty:.4g})"
            if validation is not None:
                text += f", val={validation:.4g}"
            if learning_rate is not None:
                text += f", lr={learning_rate:.3g}"
            self.bar.set_postfix_str(text, refresh=False)
            self.bar.update(1)
            return
        line = self._line(n_iter, J, data, penalty, learning_rate, validation)
        now = time.perf_counter()
        if self.incremental:
            due = on_schedule(n_iter)
        else:
            due = on_schedule(self._count) or now - self._last_line >= LINE_INTERVAL
        if due:
            self._write(line, now)
        else:
            self._pending = line

    def _line(self, n_iter, J, data, penalty, learning_rate, validation):
        text = f"J = {J:.6g} (data {data:.6g} + penalty {penalty:.6g})"
        if validation is not None:
            text += f", validation score = {validation:.6g}"
        if learning_rate is not None:
            text += f", learning rate = {learning_rate:.3g}"
        elapsed = time.perf_counter() - self._started
        prefix = f"{self.context.prefix}: " if self.context.prefix else ""
        return f"{prefix}{self.unit} {n_iter}: {text}, {elapsed:.3g} s"

    def _write(self, line, now):
        # One write per line: lines from parallel workers stay whole.
        self.stream.write(line + "\n")
        self.stream.flush()
        self._last_line = now
        self._pending = None

    def close(self):
        """Close the bar, or print the last epoch's line if it was skipped."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self._pending is not None and not self.incremental:
            self._write(self._pending, time.perf_counter())
        self._pending = None
