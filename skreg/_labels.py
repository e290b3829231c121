"""The classifier's targets: labels to indicator columns and back.

Binary labels become one column (one logistic output unit), more classes one
column per class (softmax), and a multilabel indicator matrix stays one column per
label (one logistic unit each). The indicators are kept as bool, an eighth of the
memory of float64; the objective converts the rows the loss reads.
"""

from numbers import Number

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from skreg._losses import BinaryLogLoss, MultinomialLogLoss


def column_to_1d(y):
    """A one-column 2-D y as 1-D, with scikit-learn's DataConversionWarning."""
    if y.ndim == 2 and y.shape[1] == 1:
        return column_or_1d(y, warn=True)
    return y


def check_label_kinds(labels, name):
    """Object labels must be all strings or all numbers (numpy cannot sort a mix)."""
    if labels.dtype != object:
        return
    kinds = set(map(type, labels.ravel()))
    if not (
        all(issubclass(kind, str) for kind in kinds)
        or all(issubclass(kind, Number) for kind in kinds)
    ):
        raise ValueError(
            f"{name} must contain labels of one kind, all strings or all numbers; "
            f"got values of types {sorted(kind.__name__ for kind in kinds)}."
        )


def _is_multilabel(y):
    # (A multilabel indicator matrix is 2-D: no need to inspect 1-D labels.)
    return y.ndim == 2 and type_of_target(y) == "multilabel-indicator"


def fit_binarizer(y, classes=None):
    """The label binarizer of a first fit; ``classes`` fixes the labels."""
    # partial_fit's classes fix the labels, except for a multilabel indicator
    # matrix, whose labels are its columns.
    if classes is not None and not _is_multilabel(y):
        binarizer = LabelBinarizer().fit(classes)
    else:
        binarizer = LabelBinarizer().fit(y)
    found = binarizer.classes_
    if binarizer.y_type_ != "multilabel-indicator" and len(found) < 2:
        raise ValueError(
            "The classifier needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {found[0]!r}."
        )
    return binarizer


def encode(binarizer, y, check_unseen, first_fit=False):
    """Bool indicator columns of ``y``; labels outside the binarizer's raise.

    ``check_unseen`` is set where the binarizer was not fitted on y itself
    (continued fits, partial_fit's ``classes``); ``first_fit`` only words the
    error.
    """
    multilabel = _is_multilabel(y)
    if binarizer.y_type_ == "multilabel-indicator":
        if not multilabel or y.shape[1] != len(binarizer.classes_):
            raise ValueError(
                "y must be a multilabel indicator matrix with "
                f"{len(binarizer.classes_)} labels, as in the previous fit."
            )
    elif multilabel:
        raise ValueError(
            "y is a multilabel indicator matrix, but the classifier was fitted on "
            f"{binarizer.y_type_} labels {binarizer.classes_.tolist()}."
        )
    elif check_unseen:
        # LabelBinarizer would silently encode an unknown label as all zeros.
        unseen = np.setdiff1d(unique_labels(y), binarizer.classes_)
        if len(unseen):
            known = binarizer.classes_.tolist()
            raise ValueError(
                f"y contains classes {unseen.tolist()} that are not in "
                f"classes={known}."
                if first_fit
                else f"y contains classes {unseen.tolist()} not seen in the "
                f"first fit; the known classes are {known}."
            )
    return np.asarray(binarizer.transform(y), dtype=bool)


def output_loss(binarizer):
    """Softmax log-loss for multiclass labels, logistic per column otherwise."""
    if binarizer.y_type_ == "multiclass":
        return MultinomialLogLoss()
    return BinaryLogLoss()


def decode(binarizer, Y, raw_scores=False):
    """Labels from indicator columns, or from raw outputs with ``raw_scores``."""
    threshold = 0 if raw_scores else 0.5
    if binarizer.y_type_ == "multilabel-indicator":
        return (Y > threshold).astype(int)
    if Y.shape[1] == 1:
        return binarizer.classes_[(Y[:, 0] > threshold).astype(int)]
    return binarizer.classes_[np.argmax(Y, axis=1)]


def stratify_labels(Y, classes):
    """What early stopping's split stratifies by: the class index of each row.

    A class with a single member cannot be in both parts: the error names it
    (scikit-learn's split would name its index). None for multilabel rows
    (scikit-learn cannot stratify them).
    """
    if Y.shape[1] == 1:
        codes = Y[:, 0].astype(np.intp)
    elif np.all(Y.sum(axis=1) == 1):
        codes = Y.argmax(axis=1)
    else:
        return None
    counts = np.bincount(codes, minlength=len(classes))
    if np.any(counts == 1):
        raise ValueError(
            "The least populated classes in y have only 1 member, too few for "
            "early_stopping's split, which is stratified: each class needs a "
            "member in both parts. Classes with too few members are: "
            f"{classes[counts == 1].tolist()}. Use more samples of these "
            "classes, or set early_stopping=False."
        )
    return codes
