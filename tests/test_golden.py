"""The golden matrix: today's fitted results, which a refactor must reproduce.

``golden_cases.CASES`` is a matrix of small fits through the public API: every
solver x hidden activation x loss (regressor: squared, absolute, Huber,
quantile, Poisson; classifier: binary, multiclass, multilabel), then variants
(sparse and float32 X, sample weights, two hidden layers, early stopping, warm
start, partial_fit, the learning-rate schedules and options of the stochastic
solvers), the large-network path (>= 2**18 weights) and the CV estimators. For
each case the fitted weights, loss curve, iteration and sample counts,
validation scores and predictions were
recorded in ``data/golden.npz`` by ``make_golden.py``: first on commit a719815,
before the rewrite of the training engine (which reproduced all 544 cases bit for
bit), then again for issue 12's deliberate changes (git log of the file says
which and why).

This test compares the current code with that file to a tolerance: rtol=1e-9,
atol=1e-11 for a case fitted in float64, rtol=2e-5, atol=5e-5 for one fitted in
float32 (all its float arrays, the loss curve included, as they are computed in
float32), and exactly for integers (iteration counts, labels). The tolerance is
only there because another CPU's BLAS kernels may round differently (OpenBLAS's
kernels without FMA, forced with OPENBLAS_CORETYPE, needed atol 2e-12 and 1.5e-5
on 4 cases). On the
machine that wrote the file, the refactor must be bit-identical: check that with
``python tests/make_golden.py --check``.

When may the file be regenerated (``python tests/make_golden.py``)? Only in a
commit that implements an issue which changes behaviour on purpose; the commit
message must say so, name the issue and the cases that change, and why. A
refactor, a speed-up or a clean-up never regenerates it: a failure here is a
behaviour change to fix. To add cases, first confirm with ``--check`` that the
existing ones are bit-identical (the new ones show as missing), then regenerate.
"""

import numpy as np
import pytest
from golden_cases import CASES, DIGEST, GOLDEN_PATH, load_golden, run_case

TOLERANCES = {
    "float64": {"rtol": 1e-9, "atol": 1e-11},
    "float32": {"rtol": 2e-5, "atol": 5e-5},
}


@pytest.fixture(scope="module")
def golden():
    return load_golden(GOLDEN_PATH)


def test_file_has_no_stale_cases(golden):
    stale = sorted(set(golden) - set(CASES))
    assert not stale, f"{GOLDEN_PATH.name} has cases the matrix lacks: {stale}"


@pytest.mark.parametrize("case_id", list(CASES))
def test_case_matches_golden(case_id, golden):
    assert case_id in golden, f"case {case_id} is missing from {GOLDEN_PATH.name}"
    expected = golden[case_id]
    case = CASES[case_id]
    actual = run_case(case)
    assert sorted(actual) == sorted(expected), "recorded fields differ"
    for key in sorted(expected):
        e, a = expected[key], actual[key]
        assert (a.dtype, a.shape) == (e.dtype, e.shape), key
        if key.endswith(f"/{DIGEST}"):
            continue  # bit-exact digest: make_golden.py --check compares it
        if np.issubdtype(e.dtype, np.floating):
            np.testing.assert_allclose(a, e, err_msg=key, **TOLERANCES[case.dtype])
        else:
            np.testing.assert_array_equal(a, e, err_msg=key)
