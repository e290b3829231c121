"""Cross-validated lambda path: L2MLPRegressorCV and L2MLPClassifierCV.

For each fold the network is trained along the alpha grid from the largest value to
the smallest, every point warm-started from the previous one's weights, and scored
on the held-out part. The alpha with the best mean score is refitted on all data.
Weights are never averaged across folds: hidden units are not aligned between
networks.
"""

from abc import ABC, abstractmethod
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    clone,
    is_regressor,
)
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)
from threadpoolctl import threadpool_limits

from skreg._base import fresh_objective
from skreg._docstrings import fill_docstring
from skreg._mlp import L2MLPClassifier, L2MLPRegressor

#: The grid spans this many decades below its largest value.
_GRID_DECADES = 4


def _alpha_max(estimator, X, y, sample_weight):
    """The top of the grid: the alpha from which zero weights are a minimum of J.

    The analogue of LassoCV's ``alpha_max`` for a network with one hidden layer
    (see :meth:`~skreg._objective.Objective.collapse_alpha`), so that the grid
    starts at the largest alpha that does not collapse the network. When the
    data term's gradient at the best constant vanishes (constant targets, a
    single sample, a perfectly symmetric design) the top is half the largest
    Gauss-Newton curvature of the data term at the initial weights instead,
    where the penalty's curvature equals it.
    """
    objective = fresh_objective(clone(estimator), X, y, sample_weight)
    with np.errstate(all="ignore"):
        top = objective.collapse_alpha()
        if not top > 0:
            rng = check_random_state(estimator.random_state)
            top = objective.curvature_alpha(rng)
    if not np.isfinite(top) or top <= 0:
        raise ValueError(
            "Could not derive an alpha grid from the data; pass alphas as an array."
        )
    return float(top)


def _lambda_path(estimator, alphas, X, y, sample_weight, train, test, scorer):
    """Train one fold along ``alphas`` (largest first) with warm starts.

    Returns the held-out score and the epochs spent at each point.
    """
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    y_train, y_test = _safe_indexing(y, train), _safe_indexing(y, test)
    sw_train, sw_test = sample_weight[train], sample_weight[test]
    # The targets' spread, against which a network counts as collapsed.
    objective = fresh_objective(clone(estimator), X_train, y_train, sw_train)
    target_scale = float(np.max(objective.output_scale()))
    model = clone(estimator).set_params(warm_start=True)
    scores, epochs = [], []
    previous = 0
    for alpha in alphas:
        model.set_params(alpha=alpha).fit(X_train, y_train, sample_weight=sw_train)
        epochs.append(model.n_iter_ - previous)
        previous = model.n_iter_
        scores.append(scorer(model, X_test, y_test, sample_weight=sw_test))
        if _collapsed(model, target_scale):
            # Zero weights are a stationary point of every smaller alpha too (no
            # gradient reaches a unit that has no weights): start afresh.
            model = clone(estimator).set_params(warm_start=True)
            previous = 0
    return np.array(scores), np.array(epochs)


def _collapsed(model, target_scale, rtol=1e-3):
    """True when the penalty has all but zeroed the network.

    The product of the layers' Frobenius norms bounds how much the output can
    move with X; once it is below ``rtol`` times the targets' spread
    (``target_scale``), the weights
    sit next to zero, a stationary point of J for every alpha that warm starts
    barely leave.
    """
    reach = np.prod([np.linalg.norm(w) for w in model.coefs_])
    return reach < rtol * target_scale


def _limited_path(n_threads, *args):
    with threadpool_limits(limits=n_threads, user_api="blas"):
        return _lambda_path(*args)


class _BaseL2MLPCV(BaseEstimator, ABC):
    """Shared machinery of the CV estimators (in the shape of LinearModelCV)."""

    #: The CV estimator's own parameters; the others are its estimator's.
    _cv_constraints: dict = {
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "cv": ["cv_object"],
        "scoring": [str, callable, None],
        "n_jobs": [Integral, None],
    }

    @abstractmethod
    def _get_estimator(self):
        """The base estimator with this estimator's parameters (alpha unset)."""

    def _base_params(self):
        own = {"alphas", "cv", "scoring", "n_jobs"}
        return {k: v for k, v in self.get_params(deep=False).items() if k not in own}

    def _alpha_grid(self, X, y, sample_weight):
        if isinstance(self.alphas, Integral):
            top = _alpha_max(self._get_estimator(), X, y, sample_weight)
            grid = np.logspace(
                np.log10(top), np.log10(top) - _GRID_DECADES, self.alphas
            )
        else:
            grid = np.asarray(self.alphas, dtype=np.float64).ravel()
            if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
                raise ValueError(
                    "alphas must be a positive int or a non-empty array of finite "
                    f"values >= 0, got {self.alphas!r}."
                )
        return np.sort(grid)[::-1]

    def fit(self, X, y, sample_weight=None):
        """Choose alpha by cross-validation along the path, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, used in training and in the held-out scores.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._validate_params()
        estimator = self._get_estimator()
        X_checked, y_checked = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=is_regressor(self),
            reset=True,
        )
        sample_weight = _check_sample_weight(
            sample_weight, X_checked, dtype=np.float64, ensure_non_negative=True
        )
        alphas = self._alpha_grid(X_checked, y_checked, sample_weight)
        cv = check_cv(self.cv, y_checked, classifier=isinstance(self, ClassifierMixin))
        splits = list(cv.split(X_checked, y_checked))
        results = self._fit_paths(
            estimator, alphas, X_checked, y_checked, sample_weight, splits
        )
        self.alphas_ = alphas
        self.scores_ = np.array([scores for scores, _ in results])
        self.n_iter_path_ = np.array([epochs for _, epochs in results])
        mean = self.scores_.mean(axis=0)
        # Ties go to the largest alpha, the simplest model.
        best = int(np.argmax(mean))
        self.alpha_ = float(alphas[best])
        self.best_score_ = float(mean[best])
        self.estimator_ = clone(estimator).set_params(alpha=self.alpha_)
        self.estimator_.fit(X_checked, y_checked, sample_weight=sample_weight)
        for name, value in vars(self.estimator_).items():
            if name.endswith("_") and not name.startswith("_"):
                setattr(self, name, value)
        return self

    def _fit_paths(self, estimator, alphas, X, y, sample_weight, splits):
        """Every fold's path: a list of (scores, epochs) per fold."""
        scorer = check_scoring(estimator, scoring=self.scoring)
        n_jobs = self.n_jobs or 1
        # Folds in parallel: one BLAS thread per worker, not a pool each.
        threads = None if n_jobs == 1 else 1
        return Parallel(n_jobs=n_jobs)(
            delayed(_limited_path)(
                threads, estimator, alphas, X, y, sample_weight, train, test, scorer
            )
            for train, test in splits
        )

    def predict(self, X):
        """Predict with the network refitted at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        y : ndarray
            Predictions of ``estimator_``.
        """
        X = self._checked(X)
        return self.estimator_.predict(X)

    def _checked(self, X):
        check_is_fitted(self, "estimator_")
        return validate_data(
            self, X, reset=False, accept_sparse="csr", dtype=(np.float64, np.float32)
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        base = self._get_estimator().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags = base.target_tags
        if base.classifier_tags is not None:
            tags.classifier_tags = base.classifier_tags
        return tags


def _cv_constraints(estimator_class):
    """The estimator's constraints without alpha and warm_start, plus the CV's own."""
    # warm_start would do nothing: the path warm-starts its own networks.
    own = estimator_class._parameter_constraints
    return {
        **{k: rule for k, rule in own.items() if k not in ("alpha", "warm_start")},
        **_BaseL2MLPCV._cv_constraints,
    }


@fill_docstring
class L2MLPRegressorCV(RegressorMixin, _BaseL2MLPCV):
    """MLP regressor with alpha chosen by cross-validation along a warm path.

    Parameters
    ----------
%(cv_parameters)s

%(cv_network_parameters)s

%(regressor_loss)s

    Attributes
    ----------
%(cv_attributes)s

%(attributes)s

    See Also
    --------
    L2MLPRegressor : The network at one alpha.
    sklearn.linear_model.RidgeCV : The linear model's analogue.

    Notes
    -----
%(cv_notes)s

%(objective)s

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skreg import L2MLPRegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = L2MLPRegressorCV(hidden_layer_sizes=(10,), alphas=4, cv=3,
    ...                          max_iter=20, random_state=0)
    >>> model.fit(X, (y - y.mean()) / y.std()).alphas_.shape
    (4,)
    >>> bool(model.alpha_ in model.alphas_)
    True
    """

    _parameter_constraints = _cv_constraints(L2MLPRegressor)

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        alphas=10, cv=5, scoring=None, n_jobs=None,
        activation="relu",
        loss="squared_error",
        huber_delta=1.0,
        quantile=0.5,
        solver="sgd",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9, beta_2=0.999, epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.alphas, self.cv, self.scoring, self.n_jobs = alphas, cv, scoring, n_jobs
        self.activation = activation
        self.loss = loss
        self.huber_delta = huber_delta
        self.quantile = quantile
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    def _get_estimator(self):
        return L2MLPRegressor(**self._base_params())


@fill_docstring
class L2MLPClassifierCV(ClassifierMixin, _BaseL2MLPCV):
    """MLP classifier with alpha chosen by cross-validation along a warm path.

    Parameters
    ----------
%(cv_parameters)s

%(cv_network_parameters)s

%(classifier_loss)s

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels.

%(cv_attributes)s

%(attributes)s

    See Also
    --------
    L2MLPClassifier : The network at one alpha.
    sklearn.linear_model.LogisticRegressionCV : The linear model's analogue.

    Notes
    -----
%(cv_notes)s

%(objective)s

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skreg import L2MLPClassifierCV
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = L2MLPClassifierCV(hidden_layer_sizes=(10,), alphas=4, cv=3,
    ...                           max_iter=30, random_state=0).fit(X, y)
    >>> model.scores_.shape
    (3, 4)
    >>> model.predict_proba(X[:2]).shape
    (2, 3)
    """

    _parameter_constraints = _cv_constraints(L2MLPClassifier)

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        alphas=10, cv=5, scoring=None, n_jobs=None,
        activation="relu",
        loss="log_loss",
        solver="sgd",
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=0,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9, beta_2=0.999, epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.alphas, self.cv, self.scoring, self.n_jobs = alphas, cv, scoring, n_jobs
        self.activation = activation
        self.loss = loss
        self.solver = solver
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    def _get_estimator(self):
        return L2MLPClassifier(**self._base_params())

    def predict_proba(self, X):
        """Class probabilities of the network refitted at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``.
        """
        X = self._checked(X)
        return self.estimator_.predict_proba(X)

    def predict_log_proba(self, X):
        """Log class probabilities of the network refitted at ``alpha_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities in the order of ``classes_``.
        """
        X = self._checked(X)
        return self.estimator_.predict_log_proba(X)
