"""Write the golden matrix to tests/data/golden.npz, or check the code against it.

    python tests/make_golden.py           # run every case, (re)write the file
    python tests/make_golden.py --check   # compare the current code with the file

``--check`` prints one line per case: ``bit-identical``, ``equal to 1e-12
relative``, ``different`` (with the largest relative difference and where),
``missing`` (a case of the matrix absent from the file) or ``not in the matrix``
(a stored case that no longer exists), then a summary count. It exits with 1 when
a case is different, missing or not in the matrix. Arrays stored as a digest
(see golden_cases.MAX_STORED_SIZE) count only for bit identity; their stored
sample is compared like any array.

Regenerate the file only where an issue changes behaviour on purpose, and say so
in the commit message (see test_golden.py).
"""

import argparse
import sys
import time

import numpy as np
from golden_cases import CASES, DIGEST, GOLDEN_PATH, load_golden, run_case, save_golden

#: Largest relative difference still reported as "equal to 1e-12 relative".
RTOL = 1e-12


def relative_difference(expected, actual):
    """Largest ``|a - e| / max(|a|, |e|)`` over the entries (0 where equal)."""
    e = expected.astype(np.float64)
    a = actual.astype(np.float64)
    same = (e == a) | (np.isnan(e) & np.isnan(a))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(a - e) / np.maximum(np.abs(a), np.abs(e))
    rel = np.where(same, 0.0, np.nan_to_num(rel, nan=np.inf))
    return float(rel.max()) if rel.size else 0.0


def compare(expected, actual):
    """``(status, largest relative difference, where)`` of one case."""
    if set(expected) != set(actual):
        where = sorted(set(expected) ^ set(actual))
        return "different", np.inf, f"keys differ: {', '.join(where)}"
    identical, worst, where = True, 0.0, ""
    for key in sorted(expected):
        e, a = expected[key], actual[key]
        if e.dtype != a.dtype or e.shape != a.shape:
            got = f"{key}: {e.dtype}{e.shape} stored, {a.dtype}{a.shape} now"
            return "different", np.inf, got
        if e.tobytes() == a.tobytes():
            continue
        identical = False
        if key.endswith(f"/{DIGEST}"):
            continue  # the array's stored sample shows by how much
        rel = relative_difference(e, a)
        if rel > worst:
            worst, where = rel, key
    if identical:
        return "bit-identical", 0.0, ""
    if not where:
        where = "bits only: a digest, or the sign of a zero"
    return ("equal to 1e-12 relative" if worst <= RTOL else "different"), worst, where


def run_all():
    return {case_id: run_case(case) for case_id, case in CASES.items()}


def check(path):
    stored = load_golden(path)
    counts = dict.fromkeys(
        ["bit-identical", "equal to 1e-12 relative", "different", "missing"], 0
    )
    for case_id, case in CASES.items():
        if case_id not in stored:
            status, line = "missing", ""
        else:
            status, worst, where = compare(stored[case_id], run_case(case))
            line = f"  {where}" if where else ""
            if np.isfinite(worst) and worst > 0:
                line = f"  largest relative difference {worst:.3g} in {where}"
        counts[status] += 1
        print(f"{status:<24} {case_id}{line}")
    stale = sorted(set(stored) - set(CASES))
    for case_id in stale:
        print(f"{'not in the matrix':<24} {case_id}")
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    print(f"{len(CASES)} cases: {summary}, {len(stale)} not in the matrix")
    return counts["different"] + counts["missing"] + len(stale) == 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the file instead of writing"
    )
    parser.add_argument("--path", default=GOLDEN_PATH, help="the golden file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.check:
        ok = check(args.path)
    else:
        save_golden(run_all(), args.path)
        print(f"wrote {len(CASES)} cases to {args.path}")
        ok = True
    print(f"{time.perf_counter() - started:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
