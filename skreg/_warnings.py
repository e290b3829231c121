"""Warnings attributed to the user's line, not to a line inside skreg."""

import os
import sys
import warnings

from skreg._progress import current_context

#: Every skreg module's file starts with this.
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message, category=UserWarning):
    """``warnings.warn``, pointing at the call that entered skreg.

    A fixed ``stacklevel`` is wrong as soon as the depth of the call changes (a
    helper in between, the CV estimators' folds, joblib's dispatch), and
    ``skip_file_prefixes`` (Python >= 3.12) stops at the first frame outside
    skreg, which inside a CV fit is joblib's. The caller of the outermost skreg
    frame is the user's line (or a meta-estimator's, as for any estimator).

    Inside a :func:`~skreg._progress.progress_context` with a prefix (a point of
    the CV estimators' path), the message starts with it, so that the warning
    names the fold and the alpha of the fit that raised it.
    """
    prefix = current_context().prefix
    if prefix:
        message = f"{prefix}: {message}"
    warnings.warn(message, category, stacklevel=_user_stacklevel())


def _user_stacklevel():
    """``stacklevel`` (for a warning issued by :func:`warn`) of that caller."""
    # Level 1 is warn() itself, the frame that calls warnings.warn.
    frame, level, outermost = sys._getframe(1), 1, 1
    while frame is not None:
        if frame.f_code.co_filename.startswith(_PACKAGE):
            outermost = level
        frame, level = frame.f_back, level + 1
    return outermost + 1
