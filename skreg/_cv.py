"""Cross-validated lambda path: L2MLPRegressorCV and L2MLPClassifierCV.

For each fold the network is trained along the alpha grid from the largest value to
the smallest, every point warm-started from the previous one's weights, and scored
on the held-out part. The alpha with the best mean score is refitted on all data,
along the same path.
Weights are never averaged across folds: hidden units are not aligned between
networks.
"""

import sys
import time
from abc import ABC, abstractmethod
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from inspect import signature
from numbers import Integral, Number

import numpy as np
from joblib.parallel import get_active_backend
from scipy.stats import rankdata
from sklearn import get_config
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    clone,
    is_regressor,
)
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)
from threadpoolctl import threadpool_limits

from skreg._base import fresh_objective
from skreg._docstrings import fill_docstring
from skreg._faults import deferred_interrupt, raising_interrupt, sharing_interrupt
from skreg._mlp import L2MLPClassifier, L2MLPRegressor
from skreg._progress import progress_context
from skreg._validation import numeric_targets
from skreg._warnings import warn

#: The grid spans this many decades below its largest value.
_GRID_DECADES = 4


def _alpha_max(objective, random_state):
    """The top of the grid: the alpha from which zero weights are a minimum of J.

    The analogue of LassoCV's ``alpha_max`` for a network with one hidden layer
    (see :meth:`~skreg._objective.Objective.collapse_alpha`), so that the grid
    starts at the largest alpha that does not collapse the network. When the
    data term's gradient at the best constant vanishes (constant targets, a
    single sample, a perfectly symmetric design) the top is half the largest
    Gauss-Newton curvature of the data term at the initial weights instead,
    where the penalty's curvature equals it. ``objective`` is J on all data.
    """
    with np.errstate(all="ignore"):
        top = objective.collapse_alpha()
        if not top > 0:
            rng = check_random_state(random_state)
            top = objective.curvature_alpha(rng)
    if not np.isfinite(top) or top <= 0:
        raise ValueError(
            "Could not derive an alpha grid from the data; pass alphas as an array."
        )
    return float(top)


def _checked_alphas(alphas, owner):
    """``alphas`` as a number of grid points (an int) or a 1-D float64 array.

    Checked before the data, as scikit-learn checks its parameters: a bool is
    not a number of points (though Python counts it as an int), and values
    must form a non-empty 1-D array of finite numbers >= 0 (a 2-D array is
    not flattened). ``owner`` is the estimator's class name, for the message.
    """

    def invalid(got):
        return InvalidParameterError(
            f"The 'alphas' parameter of {owner} must be an int in the range "
            "[1, inf) or a non-empty 1-D array-like of finite values >= 0. "
            f"Got {got} instead."
        )

    if isinstance(alphas, bool):
        raise invalid(repr(alphas))
    if isinstance(alphas, Integral):  # >= 1: checked by _validate_params
        return int(alphas)
    try:
        values = np.asarray(alphas)
    except ValueError:  # ragged nested sequences
        raise invalid(repr(alphas)) from None
    if values.ndim != 1:
        raise invalid(f"an array of shape {values.shape}")
    if values.dtype.kind not in "iufO":  # bools, strings, complex numbers...
        raise invalid(repr(alphas))
    try:
        grid = values.astype(np.float64)
    except (TypeError, ValueError):
        raise invalid(repr(alphas)) from None
    if grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
        raise invalid(repr(alphas))
    return grid


@dataclass(frozen=True)
class _Search:
    """What every fold's path shares: the grid, the data, the scorer, verbosity.

    ``score_params`` is the scorer's metadata for the whole data set (per-sample
    arrays are indexed with each fold's held-out rows).
    """

    alphas: np.ndarray
    X: object
    y: np.ndarray
    sample_weight: np.ndarray
    score_params: dict
    scorer: object
    verbose: int


@dataclass(frozen=True)
class _Fold:
    """One split: its number (from 1), how many there are, and its row indices."""

    number: int
    n_folds: int
    train: np.ndarray
    test: np.ndarray

    def where(self, alpha=None):
        """Where an error or an interrupt happened, in words."""
        text = (
            f"fold {self.number} of {self.n_folds} ({len(self.train)} training "
            f"and {len(self.test)} held-out samples)"
        )
        return text if alpha is None else f"{text} at alpha={alpha:.4g}"

    def label(self, alpha):
        """``[CV 2/5] alpha=0.0123``: what progress lines of this point start with."""
        return f"[CV {self.number}/{self.n_folds}] alpha={alpha:.4g}"


@contextmanager
def _naming_the_fold(fold, alpha=None):
    """Errors raised inside name the fold (and alpha) they came from.

    A ValueError is raised again with the place in its message; an error of
    another type (a scorer's TypeError, a ZeroDivisionError...) keeps its type
    and gets the place as a note (Python 3.11 on), printed under its message.
    """
    try:
        yield
    except ValueError as error:
        message = f"In {fold.where(alpha)}: {error}"
        try:
            named = type(error)(message)
        except Exception:  # an exception type with a different constructor
            named = ValueError(message)
        raise named from error
    except Exception as error:
        if hasattr(error, "add_note"):
            error.add_note(f"(raised in {fold.where(alpha)})")
        raise


def _stop_if(interrupt, where):
    """Raise KeyboardInterrupt when Ctrl-C was pressed since the search began."""
    if interrupt is not None and interrupt.is_set():
        raise KeyboardInterrupt(
            f"Cross-validation interrupted in {where}; the estimator is left as "
            "it was before fit."
        )


def _per_sample_rows(params, rows, n_samples):
    """``params`` with every per-sample array restricted to ``rows``."""
    return {
        name: _safe_indexing(value, rows)
        if hasattr(value, "__len__")
        and not isinstance(value, str)
        and len(value) == n_samples
        else value
        for name, value in params.items()
    }


def _lambda_path(estimator, search, fold, interrupt=None):
    """Train one fold along ``search.alphas`` (largest first) with warm starts.

    Returns a dict of arrays over the grid: the held-out ``scores``, the
    ``epochs`` and the seconds of fitting (``fit_time``, that point's warm-started
    fit alone) and of scoring (``score_time``). ``interrupt`` is the search's
    Ctrl-C flag (None in a joblib process worker).
    """
    X, y, train, test = search.X, search.y, fold.train, fold.test
    train_data = (
        _safe_indexing(X, train),
        _safe_indexing(y, train),
        search.sample_weight[train],
    )
    test_data = (_safe_indexing(X, test), _safe_indexing(y, test))
    test_params = _per_sample_rows(search.score_params, test, len(y))
    with _naming_the_fold(fold):
        path = _WarmPath(estimator, fresh_objective(clone(estimator), *train_data))
    record = {key: [] for key in ("scores", "epochs", "fit_time", "score_time")}
    for alpha in search.alphas:
        _stop_if(interrupt, fold.where(alpha))
        path.next_point()
        # The inner fit's lines name the point; its bar (serial folds only) is
        # cleared when it ends, leaving the point's own line.
        with progress_context(prefix=fold.label(alpha), leave=False):
            point = _fit_and_score(
                path.model, alpha, train_data, test_data, test_params,
                search.scorer, fold,
            )
        _stop_if(interrupt, fold.where(alpha))
        record["epochs"].append(path.model.n_iter_)
        for key, value in zip(("scores", "fit_time", "score_time"), point):
            record[key].append(value)
        if search.verbose:
            _report_point(search, fold, alpha, record)
    return {key: np.array(values) for key, values in record.items()}


class _WarmPath:
    """One network trained along the grid, each point warm-started from the last.

    Zero weights are a stationary point of every smaller alpha too (no gradient
    reaches a unit that has no weights): after a point that collapsed the
    network, the next one starts afresh.
    """

    def __init__(self, estimator, objective):
        """``objective``: J on the data the path is trained on (as a fresh fit
        builds it); its targets' spread is what a network counts as collapsed
        against."""
        self._estimator = estimator
        self._target_scale = float(np.max(objective.output_scale()))
        self.model = None

    def next_point(self):
        """Ready ``model`` for the next alpha: the last point's, or fresh."""
        if self.model is None or _collapsed(self.model, self._target_scale):
            self.model = clone(self._estimator).set_params(warm_start=True)


def _fit_and_score(model, alpha, train_data, test_data, test_params, scorer, fold):
    """Fit ``model`` at ``alpha`` (warm) and score it: (score, fit s, score s)."""
    X_train, y_train, sw_train = train_data
    with _naming_the_fold(fold, alpha):
        started = time.perf_counter()
        model.set_params(alpha=alpha).fit(X_train, y_train, sample_weight=sw_train)
        fitted = time.perf_counter()
        score = _number(scorer(model, *test_data, **test_params), scorer)
    return score, fitted - started, time.perf_counter() - fitted


def _number(score, scorer):
    """A scorer's result as a number, or GridSearchCV's error if it is none."""
    if hasattr(score, "item"):
        with suppress(ValueError):  # a numpy scalar or a 0-d array
            score = score.item()
    if not isinstance(score, Number):
        raise ValueError(
            f"scoring must return a number, got {score!r} ({type(score)}) "
            f"instead. (scorer={scorer!r})"
        )
    return score


def _report_point(search, fold, alpha, record):
    """verbose >= 1: one line per (fold, alpha) point, as GridSearchCV's [CV] lines."""
    point = len(record["scores"])
    seconds = record["fit_time"][-1] + record["score_time"][-1]
    line = (
        f"{fold.label(alpha)} ({point}/{len(search.alphas)}): "
        f"{record['epochs'][-1]} epochs, score={record['scores'][-1]:.4g}, "
        f"{seconds:.3g} s"
    )
    # One write per line: lines from parallel workers stay whole.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


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


def _limited_path(n_threads, estimator, search, fold, interrupt=None):
    # A worker's fits print whole lines, never a bar: the workers' bars would
    # overwrite each other on a shared terminal. ``interrupt`` reaches thread
    # workers only (an Event does not cross to another process).
    with threadpool_limits(limits=n_threads, user_api="blas"), progress_context(
        bars=False
    ), sharing_interrupt(interrupt):
        return _lambda_path(estimator, search, fold, interrupt)


def _scorer_takes_sample_weight(scorer, owner):
    """Whether ``scorer`` accepts sample_weight, by GridSearchCV's test; warn if not."""
    # scikit-learn's scorers answer for their metric (make_scorer of a metric
    # without sample_weight says no); a plain callable answers by its signature.
    accepts = getattr(scorer, "_accept_sample_weight", None)
    if accepts is not None:
        takes = accepts()
    else:
        takes = "sample_weight" in signature(scorer).parameters
    if not takes:
        warn(
            f"The scoring {scorer!r} does not accept sample_weight: "
            f"{type(owner).__name__} fits with the weights but scores the held-out "
            "parts unweighted.",
            UserWarning,
        )
    return takes


def _routing_enabled():
    """Whether scikit-learn's metadata routing is on (``sklearn.set_config``)."""
    return bool(get_config().get("enable_metadata_routing", False))


def _best_index(alphas, mean, scores):
    """The alpha with the best mean score; a NaN mean never wins.

    Ties go to the largest alpha (the first), the simplest model.
    """
    missing = np.isnan(mean)
    if missing.all():
        nan_folds = [k + 1 for k, row in enumerate(scores) if np.isnan(row).all()]
        raise ValueError(
            f"Every mean held-out score is NaN (NaN at every alpha in folds "
            f"{nan_folds} of {len(scores)}), so no alpha can be chosen. A "
            "held-out part of one sample (LeaveOneOut, or a fold of one) makes "
            "R^2 undefined: use larger folds or a score defined on one sample, "
            "such as scoring='neg_mean_squared_error'."
        )
    if missing.any():
        warn(
            f"The mean held-out score is NaN at {int(missing.sum())} of "
            f"{len(mean)} alphas ({', '.join(f'{a:.4g}' for a in alphas[missing])});"
            " they rank last and are never chosen.",
            UserWarning,
        )
    return int(np.nanargmax(mean))


def _rank(mean):
    """GridSearchCV's rank_test_score: 1 is best, ties share the lowest, NaN last."""
    if np.isnan(mean).all():
        return np.ones(len(mean), dtype=np.int32)
    filled = np.where(np.isnan(mean), np.nanmin(mean) - 1, mean)
    return rankdata(-filled, method="min").astype(np.int32)


def _cv_results(alphas, scores, paths):
    """``cv_results_`` in GridSearchCV's layout, one candidate per alpha."""
    results = {}
    for name in ("fit_time", "score_time"):
        seconds = np.array([path[name] for path in paths])
        results[f"mean_{name}"] = seconds.mean(axis=0)
        results[f"std_{name}"] = seconds.std(axis=0)
    results["param_alpha"] = np.ma.MaskedArray(alphas.copy(), mask=False)
    results["params"] = [{"alpha": float(alpha)} for alpha in alphas]
    for k, fold_scores in enumerate(scores):
        results[f"split{k}_test_score"] = fold_scores
    mean = scores.mean(axis=0)
    results["mean_test_score"] = mean
    results["std_test_score"] = scores.std(axis=0)
    results["rank_test_score"] = _rank(mean)
    return results


class _BaseL2MLPCV(BaseEstimator, ABC):
    """Shared machinery of the CV estimators (in the shape of LinearModelCV)."""

    #: The CV estimator's own parameters; the others are its estimator's.
    _cv_constraints: dict = {
        "alphas": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "cv": ["cv_object"],
        "scoring": [StrOptions(set(get_scorer_names())), callable, None],
        # 0 (or False) means nothing to joblib, which rejects it.
        "n_jobs": [
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
    }

    @abstractmethod
    def _get_estimator(self):
        """The base estimator with this estimator's parameters (alpha unset)."""

    def _base_params(self):
        own = {"alphas", "cv", "scoring", "n_jobs"}
        return {k: v for k, v in self.get_params(deep=False).items() if k not in own}

    def _alpha_grid(self, alphas, objective):
        """The grid, largest first, from ``_checked_alphas``' outcome.

        Each distinct value once: a repeated alpha would be fitted again,
        warm-started from itself, and ranked as another candidate.
        """
        if isinstance(alphas, Integral):
            top = _alpha_max(objective, self.random_state)
            alphas = np.logspace(np.log10(top), np.log10(top) - _GRID_DECADES, alphas)
        return np.unique(alphas)[::-1]

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha by cross-validation along the path, then refit on all data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, used in every fit, and in the held-out scores when
            the scorer accepts them (a warning says when it does not).
        **params : dict
            Metadata. Without metadata routing only ``groups`` is accepted: the
            group labels that the ``cv`` splitter needs (``GroupKFold``,
            ``LeaveOneGroupOut``). With
            ``sklearn.set_config(enable_metadata_routing=True)`` each entry goes
            to the splitter and the scorer that request it, as in
            ``GridSearchCV`` and ``LogisticRegressionCV``.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        KeyboardInterrupt
            On Ctrl-C, within one minibatch (lbfgs: one iteration): the search
            stops and the estimator is left as it was before ``fit``.
        """
        self._validate_params()
        # Nothing half-written: a failed or interrupted fit leaves self as it was.
        snapshot = dict(self.__dict__)
        try:
            with deferred_interrupt() as interrupt:
                self._search(X, y, sample_weight, params, interrupt)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(snapshot)
            raise
        return self

    def _search(self, X, y, sample_weight, params, interrupt):
        """Validate, route, run every fold's path, store the results and refit."""
        alphas = _checked_alphas(self.alphas, type(self).__name__)
        # The inner fits print epoch lines only from verbose=2 on.
        estimator = self._get_estimator().set_params(
            verbose=max(int(self.verbose) - 1, 0)
        )
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=(np.float64, np.float32),
            multi_output=True,
            reset=True,
        )
        if is_regressor(self):
            y = numeric_targets(y, self)
        weighted = sample_weight is not None
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        scorer = check_scoring(estimator, scoring=self.scoring)
        # Before routing: a generator given as cv is consumed once, here (the
        # router's own check_cv would use it up otherwise).
        cv = check_cv(self.cv, y, classifier=isinstance(self, ClassifierMixin))
        routed = self._route(scorer, sample_weight if weighted else None, params)
        # J on all data, built as a fit builds it: whatever a fit would reject
        # (one class, y outside the loss's domain, hidden_layer_sizes) is
        # rejected here, in the network's words, before any fold.
        problem = fresh_objective(clone(estimator), X, y, sample_weight)
        alphas = self._alpha_grid(alphas, problem)
        splits = list(cv.split(X, y, **routed["splitter"]["split"]))
        if not splits:
            raise ValueError(
                f"No fits were performed: cv={self.cv!r} gave no splits. Was the "
                "CV iterator empty?"
            )
        search = _Search(
            alphas, X, y, sample_weight, dict(routed["scorer"]["score"]), scorer,
            int(self.verbose),
        )
        paths = self._fit_paths(estimator, search, splits, interrupt)
        self._store_paths(alphas, paths)
        self._refit(estimator, problem, X, y, sample_weight, interrupt)

    def _route(self, scorer, sample_weight, params):
        """The splitter's and the scorer's metadata, routed as GridSearchCV does."""
        if _routing_enabled():
            return process_routing(self, "fit", sample_weight=sample_weight, **params)
        params = dict(params)
        groups = params.pop("groups", None)
        if params:
            raise TypeError(
                f"{type(self).__name__}.fit got unexpected arguments "
                f"{sorted(params)}. Without metadata routing it takes only groups "
                "(for the cv splitter); to pass other metadata to the splitter "
                "or the scorer, call "
                "sklearn.set_config(enable_metadata_routing=True)."
            )
        score = {}
        if sample_weight is not None and _scorer_takes_sample_weight(scorer, self):
            score["sample_weight"] = sample_weight
        return {"splitter": {"split": {"groups": groups}}, "scorer": {"score": score}}

    def get_metadata_routing(self):
        """How ``fit`` routes metadata: to the cv splitter and to the scorer.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
            ``sample_weight`` is consumed by ``fit`` itself; ``split`` and
            ``score`` metadata go where the splitter and the scorer request them
            (with ``scoring=None``, the network's own score gets the sample
            weights, as without routing).
        """
        estimator = self._get_estimator()
        if self.scoring is None and _routing_enabled():
            # The default score is the network's own score method, which takes
            # the weights as the fits do; no user can reach that network to
            # request them.
            estimator.set_score_request(sample_weight=True)
        scorer = check_scoring(estimator, scoring=self.scoring)
        return (
            MetadataRouter(owner=self)
            .add_self_request(self)
            .add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
            .add(
                scorer=scorer,
                method_mapping=MethodMapping().add(caller="fit", callee="score"),
            )
        )

    def _fit_paths(self, estimator, search, splits, interrupt):
        """Every fold's path: a list of dicts of arrays (see ``_lambda_path``)."""
        folds = [
            _Fold(k + 1, len(splits), train, test)
            for k, (train, test) in enumerate(splits)
        ]
        n_jobs = self.n_jobs or 1
        if n_jobs == 1:
            return [_lambda_path(estimator, search, fold, interrupt) for fold in folds]
        # Folds in parallel: one BLAS thread per worker, not a pool each. Ctrl-C
        # must raise here, where joblib waits, so that joblib stops its workers;
        # thread workers, which joblib cannot stop, watch the flag instead.
        threads = getattr(get_active_backend()[0], "uses_threads", False)
        shared = interrupt if threads else None
        try:
            with raising_interrupt(interrupt):
                return Parallel(n_jobs=n_jobs)(
                    delayed(_limited_path)(1, estimator, search, fold, shared)
                    for fold in folds
                )
        except KeyboardInterrupt as error:
            if not interrupt.is_set():
                raise
            raise KeyboardInterrupt(
                "Cross-validation interrupted while its folds ran in parallel; the "
                "estimator is left as it was before fit."
            ) from error

    def _store_paths(self, alphas, paths):
        """The path's attributes, ``cv_results_`` and the choice of alpha."""
        self.alphas_ = alphas
        self.scores_ = np.array([path["scores"] for path in paths])
        self.n_iter_path_ = np.array([path["epochs"] for path in paths])
        mean = self.scores_.mean(axis=0)
        self.best_index_ = _best_index(alphas, mean, self.scores_)
        self.alpha_ = float(alphas[self.best_index_])
        self.best_score_ = float(mean[self.best_index_])
        self.cv_results_ = _cv_results(alphas, self.scores_, paths)

    def _refit(self, estimator, problem, X, y, sample_weight, interrupt):
        """Refit on all data along the path down to ``alpha_``; copy its fitted
        attributes.

        The network is not convex: a fit warm-started along the path and a fresh
        fit at the same alpha land in different minima, and at small alphas they
        generalize differently (the path's stay near the larger alphas'
        solutions). The folds scored path fits, so the model refitted is a path
        fit too: the estimate ``best_score_`` describes the model returned.
        ``problem`` is J on all data, as the search built it.
        """
        started = time.perf_counter()
        path = _WarmPath(estimator, problem)
        for alpha in self.alphas_[: self.best_index_ + 1]:
            path.next_point()
            with progress_context(prefix=f"[CV] refit alpha={alpha:.4g}"):
                path.model.set_params(alpha=alpha).fit(
                    X, y, sample_weight=sample_weight
                )
            _stop_if(interrupt, f"the refit on all data at alpha={alpha:.4g}")
        self.estimator_ = path.model.set_params(warm_start=False)
        # The fits saw the validated array; the network answers to the names
        # the search was fitted with, as GridSearchCV's best_estimator_ does.
        if hasattr(self, "feature_names_in_"):
            self.estimator_.feature_names_in_ = self.feature_names_in_
        self.refit_time_ = time.perf_counter() - started
        if self.verbose:
            print(
                f"[CV] refit on all data along the path to alpha={self.alpha_:.4g}: "
                f"{self.estimator_.n_iter_} epochs at alpha_, "
                f"{self.refit_time_:.3g} s",
                flush=True,
            )
        fitted = {
            name: value
            for name, value in vars(self.estimator_).items()
            if name.endswith("_") and not name.startswith("_")
        }
        # An earlier fit's network may have had attributes this one lacks
        # (prelu_slopes_): they go.
        for name in set(getattr(self, "_network_attributes", ())) - set(fitted):
            vars(self).pop(name, None)
        vars(self).update(fitted)
        self._network_attributes = tuple(fitted)

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
        return self._fitted_estimator().predict(X)

    def _fitted_estimator(self):
        """``estimator_``, which checks X itself (it has the same
        ``n_features_in_`` and ``feature_names_in_``), as in GridSearchCV."""
        check_is_fitted(self, "estimator_")
        return self.estimator_

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
        learning_rate="adaptive",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=1e-3,
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
        learning_rate="adaptive",
        learning_rate_init="auto",
        power_t=0.5,
        max_iter=300,
        shuffle=True,
        random_state=None,
        tol=1e-3,
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
        return self._fitted_estimator().predict_proba(X)

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
        return self._fitted_estimator().predict_log_proba(X)
