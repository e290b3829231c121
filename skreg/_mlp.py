"""The public estimators: thin subclasses of the shared base."""

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets, unique_labels

from skreg._base import _BaseL2MLP
from skreg._docstrings import fill_docstring
from skreg._faults import overflowed_output
from skreg._labels import (
    check_label_kinds,
    column_to_1d,
    decode,
    encode,
    fit_binarizer,
    output_loss,
    stratify_labels,
)
from skreg._losses import REGRESSION_LOSSES


@fill_docstring
class L2MLPRegressor(RegressorMixin, _BaseL2MLP):
    """Multilayer perceptron regressor on an exactly L2-penalised loss.

    Parameters
    ----------
%(parameters)s

%(regressor_loss)s

    Attributes
    ----------
%(attributes)s

    See Also
    --------
    L2MLPClassifier : The classifier on the same objective.
    sklearn.neural_network.MLPRegressor : The MLP of scikit-learn (another alpha).
    sklearn.linear_model.Ridge : The minimiser for ``hidden_layer_sizes=()``.

    Notes
    -----
%(objective)s

    With ``hidden_layer_sizes=()`` and squared error, the minimiser is
    ``Ridge(alpha=sum(s) * n_outputs * alpha)``; with the Poisson loss it is
    ``PoissonRegressor(alpha=alpha)``.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skreg import L2MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1.0,
    ...                        random_state=0)
    >>> model = L2MLPRegressor(hidden_layer_sizes=(20,), alpha=1e-3,
    ...                        max_iter=300, random_state=0).fit(X, y / y.std())
    >>> round(model.score(X, y / y.std()), 2) > 0.9
    True
    """

    _parameter_constraints = {
        **_BaseL2MLP._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
        # Each loss's own parameters (huber_delta, quantile).
        **{
            name: constraint
            for loss in REGRESSION_LOSSES.values()
            for name, constraint in loss.parameter_constraints.items()
        },
    }
    _y_numeric = True

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        alpha=3e-2,
        loss="squared_error",
        huber_delta=1.0,
        quantile=0.5,
        solver="sgd",
        batch_size="auto",
        learning_rate="adaptive",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=1e-3,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation=activation,
            alpha=alpha,
            solver=solver,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
        )
        self.loss = loss
        self.huber_delta = huber_delta
        self.quantile = quantile

    def _encode_targets(self, y, reset, classes=None):
        y = column_to_1d(y)
        one_d = y.ndim == 1
        if not reset and one_d != self._y_one_d:
            raise ValueError(
                "y has a different number of dimensions than in the previous fit."
            )
        return (y.reshape(-1, 1) if one_d else y), one_d

    def _set_encoder(self, encoder):
        self._y_one_d = encoder

    def _output_loss(self, encoder):
        return REGRESSION_LOSSES[self.loss].from_params(vars(self))

    def _validation_score(self, Y, raw, sample_weight):
        predicted = REGRESSION_LOSSES[self.loss].link.inverse(raw)
        return r2_score(Y, predicted, sample_weight=sample_weight)

    def predict(self, X):
        """Predict targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions (the mean ``exp(f)`` for the Poisson loss).

        Raises
        ------
        ValueError
            If a prediction is not finite: X so far from the training data that
            the network's output (or the Poisson mean) overflows X's dtype.
        """
        X, raw = self._forward(X)
        with np.errstate(over="ignore"):
            y = self._loss.inverse_link(raw)
        # One pass for both: the links carry NaN and inf of raw through.
        if not np.isfinite(y).all():
            raise overflowed_output(X, raw, y)
        return y.ravel() if self._y_one_d else y

    @available_if(_BaseL2MLP._check_solver)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of the stochastic solver on (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        loss = REGRESSION_LOSSES.get(self.loss)
        positive_only = loss is not None and loss.non_negative_targets
        tags.target_tags.positive_only = positive_only
        # Multi-output works for every loss, but scikit-learn's multi-output check
        # draws negative targets regardless of positive_only, which the Poisson
        # loss must reject; its multi-output fits are tested in tests/ instead.
        tags.target_tags.multi_output = not positive_only
        return tags


@fill_docstring
class L2MLPClassifier(ClassifierMixin, _BaseL2MLP):
    """Multilayer perceptron classifier on an exactly L2-penalised log-loss.

    Two classes use one logistic output unit, more classes a softmax, and
    multilabel targets one logistic unit per label (log-loss summed over labels).

    Parameters
    ----------
%(parameters)s

%(classifier_loss)s

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels.

%(attributes)s

    See Also
    --------
    L2MLPRegressor : The regressor on the same objective.
    sklearn.neural_network.MLPClassifier : The MLP of scikit-learn (another alpha).
    sklearn.linear_model.LogisticRegression : The minimiser for
        ``hidden_layer_sizes=()``.

    Notes
    -----
%(objective)s

    With ``hidden_layer_sizes=()`` the minimiser is
    ``LogisticRegression(C=1 / (2 * sum(s) * alpha))``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skreg import L2MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), L2MLPClassifier(random_state=0))
    >>> model.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints = {
        **_BaseL2MLP._parameter_constraints,
        "loss": [StrOptions({"log_loss"})],
    }
    _y_numeric = False

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        alpha=5e-3,
        loss="log_loss",
        solver="sgd",
        batch_size="auto",
        learning_rate="adaptive",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=1e-3,
        verbose=0,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation=activation,
            alpha=alpha,
            solver=solver,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
        )
        self.loss = loss

    def _encode_targets(self, y, reset, classes=None):
        y = column_to_1d(y)
        check_label_kinds(y, "y")
        # Continuous y: "Unknown label type: continuous. Maybe you are trying to
        # fit a classifier ... on a regression target" (LabelBinarizer's own
        # error would print the whole array).
        check_classification_targets(y)
        binarizer = fit_binarizer(y, classes) if reset else self._label_binarizer
        # Where the binarizer was not fitted on y itself, y may hold new labels.
        check_unseen = not reset or classes is not None
        return encode(binarizer, y, check_unseen, first_fit=reset), binarizer

    def _stratify_labels(self, Y):
        return stratify_labels(Y, self.classes_)

    def _check_warm_start_targets(self, y):
        # The output layer has one unit per class: a warm fit on fewer classes
        # would silently train the others towards zero (scikit-learn raises).
        y = column_to_1d(np.asarray(y))
        if self._label_binarizer.y_type_ == "multilabel-indicator" or y.ndim != 1:
            return
        seen = unique_labels(y)
        if not np.array_equal(seen, self.classes_):
            # scikit-learn's wording first: code that matches it keeps working.
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_}, `y` "
                f"has {seen}. Use partial_fit for part of the classes, or set "
                "warm_start=False."
            )

    def _set_encoder(self, encoder):
        self._label_binarizer = encoder
        self.classes_ = encoder.classes_

    def _output_loss(self, encoder):
        return output_loss(encoder)

    def _validation_score(self, Y, raw, sample_weight):
        binarizer = self._label_binarizer
        return accuracy_score(
            decode(binarizer, Y), decode(binarizer, raw, raw_scores=True),
            sample_weight=sample_weight,
        )

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels (an indicator matrix for multilabel targets).
        """
        raw = self._raw_predict(X)
        return decode(self._label_binarizer, raw, raw_scores=True)

    def _raw_scores(self, X):
        """Raw outputs with an overflowed +-inf replaced by a huge finite margin.

        Probabilities are the limit for a huge margin; inf itself would turn
        softmax's ``raw - max`` into inf - inf = NaN. (A quarter of the largest
        float: differences of two such margins stay finite.)
        """
        raw = self._raw_predict(X)
        top = np.finfo(raw.dtype).max / 4
        return np.nan_to_num(raw, copy=False, posinf=top, neginf=-top)

    def predict_log_proba(self, X):
        """Log of the class probabilities, computed stably from the raw outputs.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        raw = self._raw_scores(X)
        if self.out_activation_ == "softmax":
            # raw - max may leave the float range: exp(-inf) = 0 is the limit.
            with np.errstate(over="ignore"):
                return log_softmax(raw, axis=1)
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return log_expit(raw)
        return np.hstack([log_expit(-raw), log_expit(raw)])

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; rows sum to 1 (for
            multilabel targets, one independent probability per label).
        """
        raw = self._raw_scores(X)
        if self.out_activation_ == "softmax":
            with np.errstate(over="ignore"):
                return softmax(raw, axis=1)
        if self._label_binarizer.y_type_ == "multilabel-indicator":
            return expit(raw)
        # expit(-raw), not 1 - expit(raw): no cancellation for confident rows.
        return np.hstack([expit(-raw), expit(raw)])

    @available_if(_BaseL2MLP._check_solver)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the stochastic solver on (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels.
        classes : array-like of shape (n_classes,), default=None
            Every class that will ever appear; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        if not hasattr(self, "classes_") and classes is None:
            raise ValueError(
                "classes must be passed on the first call to partial_fit."
            )
        if classes is not None:
            classes = np.asarray(classes)
            if classes.ndim != 1 or classes.size == 0:
                raise ValueError(
                    "classes must be a non-empty 1-D array-like of labels, got "
                    f"{classes!r}."
                )
            check_label_kinds(classes, "classes")
        if hasattr(self, "classes_") and classes is not None:
            if not np.array_equal(np.sort(np.asarray(classes)), self.classes_):
                raise ValueError(
                    f"classes={classes.tolist()} is not the same as on the first call "
                    f"to partial_fit, {self.classes_.tolist()}."
                )
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
