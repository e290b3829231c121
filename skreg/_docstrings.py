"""Parameter and attribute text shared by the estimators' docstrings.

The four public classes write ``%(name)s`` where a fragment goes, and
:func:`fill_docstring` puts the fragments in: the network's parameters are
documented once, for the estimators and for the CV estimators alike.
"""

import inspect
import re

from skreg._activations import ACTIVATIONS


def _activation_bullets():
    aliases = {"sigmoid": "logistic", "swish": "silu"}
    lines = []
    for name, record in ACTIVATIONS.items():
        if name in aliases:
            continue
        alias = [a for a, target in aliases.items() if target == name]
        alias_text = f" (alias ``{alias[0]}``)" if alias else ""
        lines.append(f"        - ``{name}``{alias_text}: {record.formula}")
    return "\n".join(lines)


SHARED_PARAMETERS = f"""
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Number of units of each hidden layer. ``()`` gives a linear model.

    activation : str, default="relu"
        Hidden activation:

{_activation_bullets()}

    alpha : float, default=<alpha default>
        Strength of the L2 penalty: the lambda of
        ``J = L + alpha * sum_l ||W_l||^2`` (no 1/2, not divided by the number of
        samples or the batch size; biases and PReLU slopes are not penalised).
        The defaults (regressor 3e-2, classifier 5e-3: the data terms differ in
        scale) were chosen by 5-fold cross-validation on scikit-learn's bundled
        datasets with standardised X and, for the regressor, standardised y:
        there the minimum of J itself generalises, so fits can run to it. Only
        the output layer's penalty scales with y, so raw targets of a large
        spread need a larger alpha (or scaled y); tune it by cross-validation
        (:class:`L2MLPRegressorCV`, :class:`L2MLPClassifierCV`).

    solver : {{"sgd", "adam", "lbfgs"}}, default="sgd"
        ``sgd``: stochastic gradient descent with (Nesterov) momentum; ``adam``;
        ``lbfgs``: scipy's L-BFGS-B on the full-batch J with its exact gradient.

    batch_size : int or "auto", default="auto"
        Minibatch size of the stochastic solvers; ``"auto"`` is
        ``min(200, n_samples)``.

    learning_rate : {{"constant", "invscaling", "adaptive"}}, default="adaptive"
        Step-size schedule of the stochastic solvers. ``adaptive`` divides the
        step by 5 whenever J stops improving short of stationarity (see ``tol``),
        down to 1e-6 of its start; ``constant`` keeps it and stops there with a
        ConvergenceWarning; ``invscaling`` divides it by ``(t + 1) ** power_t``
        (``t`` samples seen), as in scikit-learn.

    learning_rate_init : float or "auto", default="auto"
        Initial step size. ``"auto"`` is, for ``sgd``, 0.6 times the largest
        step that Nesterov momentum keeps stable, ``2 (1 + momentum) /
        ((1 + 2 momentum) c)``, with ``c`` the largest curvature of J at the
        starting weights (Gauss-Newton power iteration on up to 1000 rows, plus
        ``2 * alpha``), raised for small batches by how much one row's curvature
        can exceed the average one. sgd
        then steps in preconditioned coordinates: the first layer sees the
        features standardised by their weighted mean and spread, the output layer
        targets of unit spread (a reparametrisation: J and its minimisers do not
        change). The step is thus stable whatever the scale of each feature, of
        y, of ``alpha`` or of the batch. If the loss still blows up, the step is
        quartered and training resumes from the best weights so far (at most 10
        times). For ``adam``, ``"auto"`` is 1e-3. A float is used as given, on
        the weights themselves, and a blow-up then raises ``ValueError``.

    power_t : float, default=0.5
        Exponent of the ``invscaling`` schedule.

    max_iter : int, default=300
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).

    shuffle : bool, default=True
        Shuffle the samples at every epoch.

    random_state : int, RandomState instance or None, default=None
        Seed of the initial weights, the shuffling, the validation split and the
        step-size estimate.

    tol : float, default=1e-3
        A relative precision of J, never a tolerance in units of y^2.
        ``sgd``/``adam``: an epoch improves when its J falls below the J of the
        last epoch that improved by more than ``tol * |J|``, so that a J still
        falling steadily, if slowly, is no plateau (with early stopping: when
        the validation score rises by more than ``tol``). After
        ``n_iter_no_change`` epochs without improvement, J counts as stationary
        when its full-batch gradient (in the preconditioned coordinates) is at
        most ``sqrt(tol)`` times its size at the starting weights (and, where
        an epoch is one step on every row, its J within ``tol`` of the best
        epoch's); training then stops. Otherwise the
        schedule decides (``learning_rate``), and every stop short of
        stationarity, ``max_iter`` included, raises a ConvergenceWarning that
        says how far J is from stationary and what to change. ``tol=0`` runs
        ``max_iter`` epochs. ``lbfgs``: the gradient tolerance, relative: it
        stops once the largest entry of J's gradient (in the same coordinates)
        is at most ``tol`` times its value at the start, and warns otherwise.
        A fit that ends so but with J clearly above the J of the best constant
        prediction (all weights zero; with early stopping, the data term on
        the training part) warns too: it has failed.

    verbose : int, default=0
        Progress on standard output, as scikit-learn prints it. ``0``: nothing.
        ``1``: plain lines, e.g. ``epoch 3: J = 0.41 (data 0.39 + penalty
        0.02), learning rate = 0.01, 0.05 s``: the epoch (lbfgs: iteration),
        its estimate of J split into the data and penalty parts, the validation
        score (with early stopping), the learning rate of that epoch and the
        seconds since training started. Unlike scikit-learn's MLP, not every
        epoch gets a line (``loss_curve_`` has them all): the first one, epochs
        2, 3, 5, 10, 20, 30, 50, 100, ..., any epoch 10 s or more after the
        previous line, and the last one. ``partial_fit`` prints at the same
        numbers of its epoch count. ``2`` and more: a progress bar with an ETA
        (``tqdm.auto``: a widget in a Jupyter notebook, text in a terminal)
        when tqdm is installed (``pip install skreg[progress]``) and standard
        output is a terminal or a notebook; the lines of ``1`` otherwise
        (logs, pipes) and for ``partial_fit``. The bar is closed before
        ``fit`` warns, so warnings start on a line of their own. Use
        ``contextlib.redirect_stdout`` to send the output elsewhere.

        The learning rate is in the units of ``coefs_``: the step taken per
        unit of J's gradient (before momentum). For ``adam`` (its step size
        before Adam's normalisation) and for a ``learning_rate_init`` set by
        hand it applies to every weight and bias alike. sgd's automatic step
        (``learning_rate_init="auto"``) is taken in preconditioned coordinates,
        where each layer's weights are a factor times their coordinates (the
        user guide's "Solvers and stopping" page gives the factors), and
        differs by layer: a weight moves by the internal step size times its
        factor squared. The value shown is the step of the output layer's
        weights (``coefs_[-1]``; for several outputs, the one whose target has
        the largest spread). Its factor is the targets' (weighted) spread (1
        for classifiers and ``poisson``) with no hidden layer or with a
        ``logistic``, ``tanh``, ``elu``, ``gelu``, ``silu`` or ``softplus``
        activation, whose other layers have factor 1; with ``identity``,
        ``relu``, ``leaky_relu`` or ``prelu`` the layers share that spread
        times the geometric mean of the features' ``1 / spread``.
        The first layer's weights of feature ``j`` also take their step
        divided by feature ``j``'s variance (it also mixes in the first
        layer's bias gradient times the feature's mean, as standardising the
        feature would).

    warm_start : bool, default=False
        Start ``fit`` from the weights of the previous fit.

    momentum : float, default=0.9
        Momentum of ``sgd``, in [0, 1).

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for
        the classifier), stop when its score stops improving, and keep the best
        weights seen.

    validation_fraction : float, default=0.1
        Share of the data held out for early stopping.

    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of Adam's moment estimates, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int or np.inf, default=10
        Epochs without improvement (see ``tol``) before J's stationarity is
        tested, or early stopping's validation score gives up; ``np.inf``: never
        (training runs ``max_iter`` epochs).

    max_fun : int, default=15000
        Maximum number of objective evaluations of lbfgs."""

SHARED_ATTRIBUTES = """
    coefs_ : list of ndarray
        Weight matrices, ``coefs_[i]`` of shape (units of layer i, units of i + 1).

    intercepts_ : list of ndarray
        Bias vectors, one per layer after the input.

    prelu_slopes_ : list of ndarray
        Only with ``activation="prelu"``: the learned slope of each hidden unit.

    loss_ : float
        The last value of ``loss_curve_`` for the stochastic solvers; the exact
        final J for lbfgs.

    loss_curve_ : list of float
        Per epoch, the mean of the minibatch estimates of J, penalty included
        (lbfgs: J at each iteration).

    best_loss_ : float or None
        Smallest value of ``loss_curve_`` (None with early stopping).

    validation_scores_ : list of float or None
        Score on the held-out part at each epoch, with early stopping.

    best_validation_score_ : float or None
        The best of ``validation_scores_``.

    n_iter_ : int
        Number of epochs (lbfgs: iterations) run by the last ``fit`` (a
        warm-started one included); ``partial_fit`` counts its epochs across calls.

    t_ : int
        Number of training samples seen by the solver.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Output activation: ``identity``, ``exp``, ``logistic`` or ``softmax``."""

OBJECTIVE_NOTES = """
    The estimator minimises, exactly,

    ``J = sum_i s_i l_i / sum_i s_i + alpha * sum_l ||W_l||_F^2``

    with ``s_i`` the sample weights (1 without them), ``l_i`` the per-sample loss
    and ``W_l`` the weight matrices (biases are not penalised). The penalty does
    not depend on the number of samples or on the batch size: every minibatch
    gradient is an unbiased estimate of the gradient of J, and the penalty's
    gradient ``2 alpha W`` goes through momentum and Adam so that the optimizer's
    fixed point is a stationary point of J.

    Converting from other libraries: scikit-learn's ``MLP*(alpha=a)`` uses
    ``a / (2 n)`` with lbfgs and ``a / (2 batch_size)`` with sgd/adam on half the
    squared error (so ``alpha = a / n`` resp. ``a / batch_size`` here for the
    regressor, and ``a / (2 n)`` resp. ``a / (2 batch_size)`` for the
    classifier); PyTorch's ``weight_decay`` on the weights is ``2 * alpha``;
    Keras' ``l2`` is ``alpha``."""


REGRESSOR_LOSS_PARAMETERS = """
    loss : {"squared_error", "absolute_error", "huber", "quantile", \
"poisson"}, default="squared_error"
        Per-sample loss, the mean over outputs of: ``(y - f)^2``, ``|y - f|``,
        Huber's loss with threshold ``huber_delta``, the pinball loss
        ``max(q r, (q - 1) r)`` with ``r = y - f`` and ``q = quantile`` (the fit
        predicts the q-quantile of y), or the Poisson deviance
        ``2 (y log(y / mu) - y + mu)`` with ``mu = exp(f)`` (log link; y >= 0).

    huber_delta : float, default=1.0
        Threshold between the quadratic and linear parts of the Huber loss
        (``loss="huber"`` only).

    quantile : float, default=0.5
        The quantile ``q`` in (0, 1) that ``loss="quantile"`` predicts; 0.5 is
        the median. Fits at 0.05 and 0.95 bound a 90% prediction interval."""

CLASSIFIER_LOSS_PARAMETERS = """
    loss : {"log_loss"}, default="log_loss"
        The only loss of the classifier."""

CV_PARAMETERS = """
    alphas : int or array-like of shape (n_alphas,), default=10
        The alpha grid: an int (not a bool) is that many values on a log grid
        over four decades below ``alpha_max``, the smallest alpha at which zero
        weights are a local minimum of J for one hidden layer (the analogue of
        LassoCV's ``alpha_max``); or a 1-D array of explicit values, finite and
        >= 0. ``alphas_`` stores them largest first, the order of the path,
        each distinct value once (a repeated value is fitted once).

    cv : int, cross-validation generator or iterable, default=5
        Folds, as in ``sklearn.model_selection.check_cv`` (stratified for an int
        when the estimator is a classifier).

    scoring : str, callable or None, default=None
        Held-out score; None is the estimator's ``score`` (R^2, accuracy). A
        callable is called as ``scoring(estimator, X, y)`` and returns a number,
        with ``sample_weight=`` only when ``fit`` got weights and the scorer
        accepts them (scikit-learn's own test, as in ``GridSearchCV``); with
        metadata routing, with what the scorer requests.

    n_jobs : int or None, default=None
        Folds trained in parallel with joblib (one BLAS thread each). None
        means 1 and -1 all processors, as in joblib; 0 is rejected.

    verbose : int, default=0
        ``1``: one line per point of each fold's path, e.g.
        ``[CV 2/5] alpha=0.0123 (4/10): 57 epochs, score=0.8123, 0.21 s``, and
        one for the refit. ``2`` and more: also the inner fits' progress at
        ``verbose - 1`` (see :class:`L2MLPRegressor`), each line starting with
        its fold and alpha (``[CV 2/5] alpha=0.0123: epoch 3: ...``). A bar
        (``verbose=3`` and more) is cleared when its point's fit ends; with
        ``n_jobs`` other than 1 the folds print whole lines only, never bars,
        so that parallel output does not overwrite itself."""

CV_ATTRIBUTES = """
    alpha_ : float
        The alpha with the best mean held-out score.

    alphas_ : ndarray of shape (n_alphas,)
        The grid, largest first.

    scores_ : ndarray of shape (n_folds, n_alphas)
        Held-out score of every fold at every point of the path.

    best_score_ : float
        Mean held-out score at ``alpha_``.

    best_index_ : int
        Index of ``alpha_`` in ``alphas_`` and in ``cv_results_``.

    cv_results_ : dict of ndarray
        ``GridSearchCV``'s layout, one candidate per alpha (in the order of
        ``alphas_``), so that ``pandas.DataFrame(cv_results_)`` and plotting code
        written for ``GridSearchCV`` work: ``params``, ``param_alpha``,
        ``split{k}_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score`` (NaN means rank last), ``mean_fit_time`` and
        ``std_fit_time`` (over folds, of each path point's warm-started fit),
        ``mean_score_time`` and ``std_score_time``.

    refit_time_ : float
        Seconds of the refit on all data.

    n_iter_path_ : ndarray of shape (n_folds, n_alphas)
        Epochs (lbfgs: iterations) spent at each point of each fold's path.

    estimator_ : estimator
        The network refitted on all data along the path down to ``alpha_``
        (warm-started, as in the folds); its fitted attributes,
        listed below, are also set on the CV estimator."""

CV_NOTES = """
    Each fold trains along the grid from the largest alpha to the smallest,
    every point warm-started from the previous one's weights and stopped by
    the usual tolerance. The refit on all data follows the same path down to
    ``alpha_``: the network is not convex, and a fresh fit at ``alpha_`` lands
    in another minimum than the path's, which generalizes differently at small
    alphas (the folds scored path fits, so ``best_score_`` estimates the model
    returned).
    Weights are never averaged across folds: hidden units are not aligned
    between networks.

    The alpha with the best mean score wins, ties going to the largest alpha.
    A NaN mean (a fold whose score is undefined, such as R^2 on one held-out
    sample) never wins: it ranks last with a warning, and when every mean is
    NaN ``fit`` raises a ``ValueError``. An error inside a fold names the fold
    and the alpha. ``fit(X, y, groups=...)`` passes the groups to the splitter
    (``GroupKFold``, ``LeaveOneGroupOut``); with
    ``sklearn.set_config(enable_metadata_routing=True)`` metadata is routed to
    the splitter and the scorer as they request it.

    Ctrl-C (``KeyboardInterrupt``) stops the whole search after the current
    minibatch (lbfgs: iteration) and re-raises: the estimator is left as it was
    before ``fit`` (unfitted, or its previous fit), because a grid searched in
    part has no chosen alpha and the interrupted point was not trained to its
    end. With ``n_jobs > 1`` joblib stops its process workers, and thread
    workers (joblib's threading backend) stop at their next minibatch."""


def _entries(section):
    """A section's entries: each starts at a line indented by exactly 4 spaces."""
    return re.split(r"\n\n(?=    \w)", section.strip("\n"))


def _without(fragment, name):
    """``fragment`` without the entry of parameter ``name``."""
    entries = _entries(fragment)
    return "\n\n".join(e for e in entries if not e.startswith(f"    {name} :"))


FRAGMENTS = {
    "parameters": SHARED_PARAMETERS.strip("\n"),
    # The CV documents its own verbose; alpha and warm_start are not its own.
    "cv_network_parameters": _without(
        _without(_without(SHARED_PARAMETERS, "alpha"), "warm_start"), "verbose"
    ),
    "regressor_loss": REGRESSOR_LOSS_PARAMETERS.strip("\n"),
    "classifier_loss": CLASSIFIER_LOSS_PARAMETERS.strip("\n"),
    "cv_parameters": CV_PARAMETERS.strip("\n"),
    "attributes": SHARED_ATTRIBUTES.strip("\n"),
    "cv_attributes": CV_ATTRIBUTES.strip("\n"),
    "objective": OBJECTIVE_NOTES.strip("\n"),
    "cv_notes": CV_NOTES.strip("\n"),
}


def _in_signature_order(doc, cls):
    """``doc`` with its Parameters entries in the order of ``cls``'s signature.

    The fragments group the parameters by topic; numpydoc (and a reader) expects
    the order of the signature. An entry such as ``beta_1, beta_2`` goes where its
    first name stands. A documented name missing from the signature raises.
    """
    head, rest = doc.split("    Parameters\n    ----------\n", 1)
    body, tail = rest.split("\n\n    Attributes\n", 1)
    order = list(inspect.signature(cls).parameters)

    def position(entry):
        return order.index(entry.split(" :", 1)[0].split(",")[0].strip())

    body = "\n\n".join(sorted(_entries(body), key=position))
    return f"{head}    Parameters\n    ----------\n{body}\n\n    Attributes\n{tail}"


def fill_docstring(cls):
    """Class decorator: put the shared fragments where ``%(name)s`` stands (the
    parameters in the signature's order), and the class's own default of alpha
    where the fragments name it."""
    doc = _in_signature_order(cls.__doc__ % FRAGMENTS, cls)
    alpha = inspect.signature(cls).parameters.get("alpha")
    if alpha is not None:
        doc = doc.replace("<alpha default>", repr(alpha.default))
    cls.__doc__ = doc
    return cls
