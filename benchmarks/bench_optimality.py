"""Does ``fit`` land at a minimum of J? The sgd and adam defaults against tight lbfgs.

The panel: the five bundled scikit-learn datasets (diabetes for the regressor;
breast_cancer, wine, iris, digits for the classifier), each "scaled"
(StandardScaler on X; for diabetes y standardised too) and "raw" (X and y as
shipped), plus the badly scaled variants "X*1e4" (diabetes, y raw) and "X*1000"
(wine); the linear model (``hidden_layer_sizes=()``) and a small network
(``(20,)``); alpha in {1e-4, 1e-2, 1}; ``solver="sgd"`` and ``solver="adam"``
with every other parameter at its default, ``random_state=0``.

For each fit every warning raised during ``fit`` and the evaluation of J is
recorded (category and the first 80 characters of the message), the fit is
timed, and ``J_fit = est.objective(X, y)`` is compared with two references, tight
lbfgs fits (``max_iter=20000, max_fun=100000, tol=1e-10``) of the same model:

- local: lbfgs warm-started from the fit's own weights (is the fit near a
  stationary point of J?);
- global: the lowest J found: the cold lbfgs fits (one start for the linear
  model, J being convex; ``--seeds``, three by default, for the network) and
  the local one.

Gaps are ``J_fit / J_ref - 1``. Verdict: OK if the gap to the global reference
is within 2% (linear) or the gap to either reference within 10% (network);
otherwise "warned" if a ConvergenceWarning was raised, else FAIL (silent and
far from the minimum); "raised" if ``fit`` raised. Warnings of the reference
fits are reported in their own column.

``--recommended`` runs the recommended setups instead, with their default
network and alpha: ``make_pipeline(StandardScaler(), L2MLPClassifier(random_state=0))``
for the classifiers and, for diabetes, ``TransformedTargetRegressor(
regressor=make_pipeline(StandardScaler(), L2MLPRegressor(random_state=0)),
transformer=StandardScaler())``, fitted on the raw data; J is that of the final
estimator on the transformed data, and the references are fitted on that data
too. These must be within the network's target AND warning-free.

Run time: ``--quick`` takes seconds; the tight references dominate everything
else, most of all for the networks (``--recommended``: about 20 minutes on a
busy machine, 16 of them digits' references; the full panel longer still).
Rows are printed as they finish. ``--ref-max-iter`` lowers the references'
``max_iter`` for a rough look (their warnings then say when they stopped short).

``--skreg-path`` is put first on sys.path before skreg is imported (default:
the checkout this script is in), so that any checkout can be measured.

    python benchmarks/bench_optimality.py --quick
    python benchmarks/bench_optimality.py --recommended
    python benchmarks/bench_optimality.py [--datasets iris wine] [--versions raw]
        [--models linear net] [--alphas 1e-2 1] [--solvers adam] [--seeds 0 1 2]
        [--ref-max-iter 20000]
    python benchmarks/bench_optimality.py --skreg-path /tmp/skreg-old --quick
"""

import argparse
import copy
import importlib
import math
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

REPO = Path(__file__).resolve().parents[1]

# name -> (loader, is regression, badly scaled variant: (version name, X factor))
DATASETS = {
    "diabetes": (load_diabetes, True, ("X*1e4", 1e4)),
    "breast_cancer": (load_breast_cancer, False, None),
    "wine": (load_wine, False, ("X*1000", 1000.0)),
    "iris": (load_iris, False, None),
    "digits": (load_digits, False, None),
}
VERSIONS = ["scaled", "raw", "X*1e4", "X*1000"]
MODELS = {"linear": (), "net": (20,)}
ALPHAS = [1e-4, 1e-2, 1.0]
SOLVERS = ["sgd", "adam"]
TIGHT = dict(solver="lbfgs", max_iter=20000, max_fun=100000, tol=1e-10)
TARGET = {True: 0.02, False: 0.10}  # is linear -> largest relative gap

HEADER = (
    "| dataset | version | model | alpha | solver | epochs | J_fit | J_ref "
    "| gap global | gap local | warnings | ref warnings | fit s | ref s | verdict |"
)


def import_skreg(path):
    """Import skreg from ``path`` (first on sys.path) and check where it came from."""
    path = Path(path).resolve()
    sys.path.insert(0, str(path))
    skreg = importlib.import_module("skreg")
    if not Path(skreg.__file__).resolve().is_relative_to(path):
        raise SystemExit(f"skreg imported from {skreg.__file__}, not from {path}")
    return skreg


def load(name, version):
    """(X, y, is regression) of one dataset in one version."""
    loader, regression, bad = DATASETS[name]
    X, y = loader(return_X_y=True)
    X = X.astype(np.float64)
    if version == "scaled":
        X = StandardScaler().fit_transform(X)
        if regression:
            y = (y - y.mean()) / y.std()
    elif bad is not None and version == bad[0]:
        X = X * bad[1]
    elif version != "raw":
        raise ValueError(f"{name} has no version {version!r}")
    return X, y, regression


def versions_of(name):
    bad = DATASETS[name][2]
    return ["scaled", "raw"] + ([bad[0]] if bad else [])


def short(records):
    """'Category: first 80 characters' per distinct warning, with counts."""
    counts = Counter(
        (r.category.__name__, " ".join(str(r.message).split())[:80]) for r in records
    )
    parts = [
        f"{cat}: {msg}" + (f" (x{n})" if n > 1 else "")
        for (cat, msg), n in counts.items()
    ]
    return "; ".join(parts).replace("|", "\\|") or "-"


def recorded(fn, *args):
    """Run ``fn(*args)`` recording every warning: (result, records, error, seconds)."""
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        try:
            result, error = fn(*args), None
        except (ValueError, FloatingPointError, ArithmeticError) as exc:
            text = " ".join(str(exc).split())[:80]
            result, error = None, f"{type(exc).__name__}: {text}"
    return result, list(records), error, time.perf_counter() - started


def fit_and_score(est, X, y):
    """Fit, then J of the fitted weights on the same data."""
    est.fit(X, y)
    return est.objective(X, y)


def cold_references(est, X, y, seeds):
    """Tight lbfgs fits from fresh starts: [(J or nan, records, error)], seconds."""
    out, seconds = [], 0.0
    for seed in seeds:
        ref = clone(est).set_params(random_state=seed, warm_start=False, **TIGHT)
        J, records, error, s = recorded(fit_and_score, ref, X, y)
        out.append((math.nan if J is None else J, records, error))
        seconds += s
    return out, seconds


def local_reference(fitted, X, y):
    """Tight lbfgs warm-started from the fitted weights: (J, records, error, s)."""
    ref = copy.deepcopy(fitted)
    ref.set_params(warm_start=True, **TIGHT)
    J, records, error, seconds = recorded(fit_and_score, ref, X, y)
    return (math.nan if J is None else J), records, error, seconds


def references(fitted, X, y, cold, seconds):
    """(J_global, J_local, ref warnings, seconds): the cold starts and a warm one."""
    J_local, records, error, s = local_reference(fitted, X, y)
    Js = [J for J, _, _ in cold] + [J_local]
    finite = [J for J in Js if np.isfinite(J)]
    J_global = min(finite) if finite else math.nan
    notes = [f"cold {i}: {short(r)}" for i, (_, r, _) in enumerate(cold) if r]
    notes += [f"cold {i}: {e}" for i, (_, _, e) in enumerate(cold) if e]
    notes += [f"warm: {short(records)}"] if records else []
    notes += [f"warm: {error}"] if error else []
    return J_global, J_local, "; ".join(notes) or "-", seconds + s


def gap(J_fit, J_ref):
    return J_fit / J_ref - 1.0 if np.isfinite(J_ref) and J_ref > 0 else math.nan


def verdict(linear, g_global, g_local, records, error, strict=False):
    """OK / warned / FAIL / raised / no ref, as the module docstring says;
    ``strict`` (the recommended setups): any warning at all is a "FAIL (warned)"."""
    if error:
        return "raised"
    if strict and records:
        return "FAIL (warned)"
    if not (np.isfinite(g_global) or np.isfinite(g_local)):
        return "no ref"
    target = TARGET[linear]
    gaps = [g_global] if linear else [g_global, g_local]
    if any(np.isfinite(g) and g <= target for g in gaps):
        return "OK"
    if any(issubclass(r.category, ConvergenceWarning) for r in records):
        return "warned"
    return "FAIL"


def fmt(x, spec):
    return format(x, spec) if x is not None and np.isfinite(x) else "nan"


def row(cells, verdict_):
    """Print one finished row at once."""
    print("| " + " | ".join(str(c) for c in cells) + f" | {verdict_} |", flush=True)


def report(label, fitted, X, y, fit, cold, linear, strict=False):
    """Print the row of one fit: ``fit`` = (J_fit, records, error, seconds),
    ``cold`` = (cold references, their seconds). Returns the verdict."""
    J_fit, records, error, fit_s = fit
    if error is None:
        J_global, J_local, notes, ref_s = references(fitted, X, y, *cold)
    else:  # no weights to warm-start from; the cold starts still give J_ref
        finite = [J for J, _, _ in cold[0] if np.isfinite(J)]
        J_global, J_local, notes, ref_s = (
            min(finite) if finite else math.nan,
            math.nan,
            "-",
            cold[1],
        )
        J_fit = math.nan
    g_global, g_local = gap(J_fit, J_global), gap(J_fit, J_local)
    result = verdict(linear, g_global, g_local, records, error, strict)
    epochs = getattr(fitted, "n_iter_", "-") if error is None else "-"
    warned = (
        "; ".join(
            ([short(records)] if records else [])
            + ([f"raised {error}"] if error else [])
        )
        or "-"
    )
    row(
        [
            *label,
            epochs,
            fmt(J_fit, ".6g"),
            fmt(J_global, ".6g"),
            fmt(g_global, "+.2%"),
            fmt(g_local, "+.2%"),
            warned,
            notes,
            f"{fit_s:.2f}",
            f"{ref_s:.2f}",
        ],
        result,
    )
    return result


def panel(skreg, args):
    """Every (dataset, version, model, alpha, solver) asked for; the verdicts."""
    verdicts = []
    for name in args.datasets:
        classes = skreg.L2MLPRegressor if DATASETS[name][1] else skreg.L2MLPClassifier
        for version in [v for v in versions_of(name) if v in args.versions]:
            X, y, _ = load(name, version)
            for model in args.models:
                for alpha in args.alphas:
                    template = classes(
                        hidden_layer_sizes=MODELS[model], alpha=alpha, random_state=0
                    )
                    linear = MODELS[model] == ()
                    seeds = args.seeds[:1] if linear else args.seeds
                    cold = cold_references(template, X, y, seeds)  # shared by solvers
                    for solver in args.solvers:
                        est = clone(template).set_params(solver=solver)
                        J, records, error, s = recorded(fit_and_score, est, X, y)
                        label = [name, version, model, f"{alpha:g}", solver]
                        verdicts.append(
                            report(
                                label, est, X, y, (J, records, error, s), cold, linear
                            )
                        )
    return verdicts


def recommended_setup(skreg, name):
    """The recommended estimator of a dataset, unfitted."""
    if DATASETS[name][1]:
        return TransformedTargetRegressor(
            regressor=make_pipeline(
                StandardScaler(), skreg.L2MLPRegressor(random_state=0)
            ),
            transformer=StandardScaler(),
        )
    return make_pipeline(StandardScaler(), skreg.L2MLPClassifier(random_state=0))


def final_problem(setup, X, y):
    """(the fitted final estimator, X and y as it saw them)."""
    if isinstance(setup, TransformedTargetRegressor):
        y = setup.transformer_.transform(np.asarray(y, float).reshape(-1, 1)).ravel()
        setup = setup.regressor_
    return setup[-1], setup[:-1].transform(X), y


def recommended(skreg, args):
    """The recommended setups, fitted on the raw data; OK needs no warning at all."""
    verdicts = []
    for name in args.datasets:
        X, y, _ = load(name, "raw")
        setup = recommended_setup(skreg, name)
        _, records, error, s = recorded(setup.fit, X, y)
        if error is not None:
            row(
                [name, "raw, pipeline", "-", "-", "-", "-"]
                + ["nan"] * 4
                + [f"raised {error}", "-", f"{s:.2f}", "-"],
                "raised",
            )
            verdicts.append("raised")
            continue
        inner, X_t, y_t = final_problem(setup, X, y)
        J, more, error, _ = recorded(inner.objective, X_t, y_t)
        records += more
        linear = tuple(np.atleast_1d(inner.hidden_layer_sizes)) == ()
        cold = cold_references(
            inner, X_t, y_t, args.seeds[:1] if linear else args.seeds
        )
        label = [
            name,
            "raw, pipeline",
            f"default {inner.hidden_layer_sizes}",
            f"{inner.alpha:g}",
            inner.solver,
        ]
        fit = (J, records, error, s)
        result = report(label, inner, X_t, y_t, fit, cold, linear, strict=True)
        verdicts.append(result)
    return verdicts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skreg-path",
        default=str(REPO),
        help="checkout to import skreg from (default: this one)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="iris + diabetes, alpha 1e-2, linear only"
    )
    parser.add_argument(
        "--recommended",
        action="store_true",
        help="the recommended pipelines with their defaults",
    )
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS))
    parser.add_argument("--versions", nargs="+", choices=VERSIONS, default=VERSIONS)
    parser.add_argument("--models", nargs="+", choices=list(MODELS))
    parser.add_argument("--alphas", nargs="+", type=float)
    parser.add_argument("--solvers", nargs="+", choices=SOLVERS, default=SOLVERS)
    parser.add_argument(
        "--seeds",
        nargs="+",
        type=int,
        default=[0, 1, 2],
        help="random_state of the cold lbfgs references (networks)",
    )
    parser.add_argument(
        "--ref-max-iter",
        type=int,
        default=TIGHT["max_iter"],
        help="max_iter of the lbfgs references",
    )
    args = parser.parse_args(argv)
    quick = args.quick and not args.recommended
    args.datasets = args.datasets or (["iris", "diabetes"] if quick else list(DATASETS))
    args.models = args.models or (["linear"] if quick else list(MODELS))
    args.alphas = args.alphas or ([1e-2] if quick else ALPHAS)
    return args


def main(argv=None):
    args = parse_args(argv)
    TIGHT["max_iter"] = args.ref_max_iter
    skreg = import_skreg(args.skreg_path)
    print(f"skreg {skreg.__version__} from {Path(skreg.__file__).parent}")
    print(f"references: {TIGHT}, cold starts random_state in {args.seeds}\n")
    print(HEADER)
    print("|" + "---|" * HEADER.count(" | ") + "---|", flush=True)
    started = time.perf_counter()
    verdicts = (recommended if args.recommended else panel)(skreg, args)
    counts = Counter(verdicts)
    print(
        f"\n{len(verdicts)} fits: "
        + ", ".join(
            f"{counts[v]} {v}"
            for v in ["OK", "warned", "FAIL", "FAIL (warned)", "raised", "no ref"]
            if counts[v] or v in ("OK", "warned", "FAIL")
        )
        + f"; {time.perf_counter() - started:.0f} s in all",
        flush=True,
    )
    return counts["OK"] == len(verdicts)


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
