"""The golden matrix's cases: small fits whose results are stored in data/golden.npz.

Every case fits one estimator through the public API only (parameters, fit,
partial_fit, fitted attributes, predict), so the cases stay valid while the
private training engine is rewritten. ``run_case`` returns the recorded arrays
under keys ``"<field>/<i>"`` (``i`` the layer for list attributes, 0 otherwise);
``make_golden.py`` writes them with ``save_golden`` and ``test_golden.py``
compares against them.

The file holds one member per case id: a 0-d structured array whose fields are the
case's keys, so ``np.load(GOLDEN_PATH)[case_id][key]`` is the stored array, of
its own dtype and shape. (One member per array would cost ~200 bytes of zip and
npy headers each, and the ~5000 small arrays would take 1.8 MB instead of 0.7.)
"""

import hashlib
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from skreg import (
    L2MLPClassifier,
    L2MLPClassifierCV,
    L2MLPRegressor,
    L2MLPRegressorCV,
)

SOLVERS = ("sgd", "adam", "lbfgs")
STOCHASTIC = ("sgd", "adam")
ACTIVATIONS = (
    "identity", "logistic", "tanh", "relu", "leaky_relu",
    "prelu", "elu", "gelu", "silu", "softplus",
)
#: Regressor targets are named by their loss, classifier targets by their kind.
REGRESSION = ("squared_error", "absolute_error", "huber", "quantile", "poisson")
CLASSIFICATION = ("binary", "multiclass", "multilabel")
VARIANT_TARGETS = ("squared_error", "huber", "poisson", "multiclass", "binary")
VARIANT_ACTIVATIONS = ("relu", "tanh")
FIXED_LEARNING_RATE = {"sgd": 0.01, "adam": 0.001}

#: Variant -> (solvers it runs with, estimator parameters it sets).
VARIANTS = {
    "sparse": (SOLVERS, {}),
    "float32": (SOLVERS, {}),
    "float32_y64": (SOLVERS, {}),  # regressor targets only
    "sample_weight": (SOLVERS, {}),
    "two_layers": (SOLVERS, {"hidden_layer_sizes": (4, 3)}),
    "early_stopping": (STOCHASTIC, {"early_stopping": True}),
    "warm_start": (STOCHASTIC, {}),
    "partial_fit": (STOCHASTIC, {}),
    "invscaling": (STOCHASTIC, {"learning_rate": "invscaling"}),
    "adaptive": (STOCHASTIC, {"learning_rate": "adaptive"}),
    "fixed_lr": (STOCHASTIC, {}),  # learning_rate_init from FIXED_LEARNING_RATE
    "no_nesterov": (STOCHASTIC, {"nesterovs_momentum": False}),
    "batch7": (STOCHASTIC, {"batch_size": 7}),
    "no_shuffle": (STOCHASTIC, {"shuffle": False}),
}
#: The large-network path: 600 * 512 + 512 * n_outputs >= 2**18 weights.
LARGE = {"n_rows": 64, "n_features": 600, "hidden_layer_sizes": (512,)}
#: Arrays with more entries than this are stored as a digest and a sample.
MAX_STORED_SIZE = 10_000
DIGEST = "sha256"
GOLDEN_PATH = Path(__file__).resolve().parent / "data" / "golden.npz"


@dataclass(frozen=True)
class Case:
    """One fit: the target (a regressor loss or a classifier target kind),
    solver, hidden activation and variant (``dense`` is the plain fit)."""

    target: str
    solver: str
    activation: str
    variant: str = "dense"

    @property
    def id(self):
        return f"{self.variant}-{self.solver}-{self.activation}-{self.target}"

    @property
    def regressor(self):
        return self.target in REGRESSION

    @property
    def dtype(self):
        """The dtype of X, so the dtype the fit computes in."""
        return "float32" if "float32" in self.variant else "float64"


def _all_cases():
    targets = REGRESSION + CLASSIFICATION
    cases = [Case(t, s, a) for s in SOLVERS for a in ACTIVATIONS for t in targets]
    for variant, (solvers, _) in VARIANTS.items():
        cases += [
            Case(t, s, a, variant)
            for s in solvers
            for a in VARIANT_ACTIVATIONS
            for t in VARIANT_TARGETS
            if variant != "float32_y64" or t in REGRESSION
        ]
    cases += [
        Case(t, "sgd", "relu", f"large_{dtype}")
        for dtype in ("float64", "float32")
        for t in ("squared_error", "multiclass")
    ]
    cases += [
        Case(t, s, "relu", variant)
        for variant in ("cv_grid", "cv_alphas")
        for s in SOLVERS
        for t in ("squared_error", "multiclass")
    ]
    return {case.id: case for case in cases}


#: Every case of the matrix, by id.
CASES = _all_cases()


def make_data(target, n_rows=40, n_features=5, seed=0):
    """Standard normal X and a target of the given kind, from a seeded generator.

    X is standardized in distribution but deliberately not re-centered: with
    columns of mean exactly 0 and the output bias starting at the mean of y, the
    bias gradients of a linear network on squared error are 0 in exact
    arithmetic, so its recorded biases would be rounding noise (which Adam
    magnifies to ~1e-5 and another CPU's BLAS changes).
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_features))
    Z = X @ rng.standard_normal((n_features, 3)) / np.sqrt(n_features)
    Z += 0.5 * rng.standard_normal((n_rows, 3))
    z = (Z[:, 0] - Z[:, 0].mean()) / Z[:, 0].std()
    if target == "poisson":
        return X, rng.poisson(np.exp(0.5 * z)).astype(np.float64)
    if target in REGRESSION:
        return X, z
    if target == "binary":
        return X, (z > 0).astype(np.int64)
    if target == "multiclass":
        return X, Z.argmax(axis=1)
    return X, (Z > 0).astype(np.int64)  # multilabel, 3 labels


def _case_data(case):
    """X, y and sample weights (or None) of a case."""
    if case.variant.startswith("large"):
        X, y = make_data(case.target, LARGE["n_rows"], LARGE["n_features"], seed=1)
    else:
        n_rows = 60 if case.variant == "early_stopping" else 40
        X, y = make_data(case.target, n_rows)
    sample_weight = None
    if case.variant == "sparse":
        X = sp.csr_matrix(np.where(np.abs(X) > 0.6, X, 0.0))
    elif case.dtype == "float32":
        X = X.astype(np.float32)
        if case.regressor and case.variant != "float32_y64":
            y = y.astype(np.float32)
    elif case.variant == "sample_weight":
        sample_weight = np.random.default_rng(2).uniform(0.1, 2.0, X.shape[0])
        sample_weight[::7] = 0.0
    return X, y, sample_weight


def _params(case):
    """Estimator parameters of a (non-CV) case."""
    params = {
        "hidden_layer_sizes": (4,),
        "activation": case.activation,
        "solver": case.solver,
        "max_iter": 5 if case.solver == "lbfgs" else 3,
        "random_state": 0,
    }
    if case.regressor:
        params["loss"] = case.target
        if case.target == "huber":
            params["huber_delta"] = 0.5
        if case.target == "quantile":
            params["quantile"] = 0.8
    params.update(VARIANTS.get(case.variant, (None, {}))[1])
    if case.variant == "fixed_lr":
        params["learning_rate_init"] = FIXED_LEARNING_RATE[case.solver]
    if case.variant.startswith("large"):
        params.update(
            hidden_layer_sizes=LARGE["hidden_layer_sizes"], max_iter=2, batch_size=32
        )
    return params


def _fit(case, X, y, sample_weight):
    """The fitted estimator of a (non-CV) case."""
    cls = L2MLPRegressor if case.regressor else L2MLPClassifier
    model = cls(**_params(case))
    if case.variant == "warm_start":
        model.set_params(alpha=1e-2, warm_start=True).fit(X, y)
        return model.set_params(alpha=1e-3).fit(X, y)
    if case.variant == "partial_fit":
        extra = {} if case.regressor else {"classes": np.unique(y)}
        for rows in np.array_split(np.arange(X.shape[0]), 3):
            model.partial_fit(X[rows], y[rows], **extra)
        return model
    return model.fit(X, y, sample_weight=sample_weight)


def _fit_cv(case, X, y):
    cls = L2MLPRegressorCV if case.regressor else L2MLPClassifierCV
    alphas = 4 if case.variant == "cv_grid" else np.array([1e-3, 1e-1, 1e-2])
    model = cls(
        hidden_layer_sizes=(4,),
        alphas=alphas,
        cv=3,
        solver=case.solver,
        max_iter=5,
        random_state=0,
    )
    return model.fit(X, y)


def _stored(key, value):
    """``{key: value}``, or a digest and a strided sample for a large array."""
    value = np.asarray(value)
    if value.size <= MAX_STORED_SIZE:
        return {key: value}
    digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).digest()
    flat = value.ravel()
    return {
        f"{key}/{DIGEST}": np.frombuffer(digest, dtype=np.uint8).copy(),
        f"{key}/sample": flat[:: flat.size // 1000].copy(),
    }


def _record(model, X):
    """The fitted attributes and predictions of a model, as arrays."""
    out = {}
    for name in ("coefs_", "intercepts_", "prelu_slopes_"):
        for i, array in enumerate(getattr(model, name, ())):
            out.update(_stored(f"{name}/{i}", array))
    fields = {
        "loss_curve_": model.loss_curve_,
        "loss_": model.loss_,
        "n_iter_": model.n_iter_,
        "t_": model.t_,
        "validation_scores_": model.validation_scores_,
        "predict": model.predict(X),
    }
    if hasattr(model, "predict_proba"):
        fields["predict_proba"] = model.predict_proba(X)
    for name in ("scores_", "alpha_", "alphas_", "n_iter_path_"):  # CV only
        if hasattr(model, name):
            fields[name] = getattr(model, name)
    for name, value in fields.items():
        if value is not None:
            out.update(_stored(f"{name}/0", value))
    return out


def run_case(case):
    """Fit the case on today's code and return its recorded arrays by key.

    BLAS runs on one thread: how OpenBLAS splits a product between threads
    changes its rounding, so the large cases would otherwise depend on the
    number of cores.
    """
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")
        X, y, sample_weight = _case_data(case)
        if case.variant.startswith("cv"):
            model = _fit_cv(case, X, y)
        else:
            model = _fit(case, X, y, sample_weight)
        return _record(model, X)


def save_golden(results, path=GOLDEN_PATH):
    """Write ``{case_id: run_case(case)}``: one structured record per case."""
    records = {}
    for case_id, arrays in results.items():
        fields = [(key, array.dtype, array.shape) for key, array in arrays.items()]
        record = np.zeros((), dtype=fields)
        for key, array in arrays.items():
            record[key] = array
        records[case_id] = record
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **records)


def load_golden(path=GOLDEN_PATH):
    """``{case_id: {key: array}}`` as written by ``save_golden``."""
    with np.load(path) as data:
        records = {case_id: data[case_id] for case_id in data.files}
    return {
        case_id: {key: np.array(record[key]) for key in record.dtype.names}
        for case_id, record in records.items()
    }
