"""Shared pytest fixtures: every test draws its randomness from a seeded fixture."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SEED = 0


@pytest.fixture
def seed():
    """The seed used for data generation and for estimators' ``random_state``."""
    return SEED


@pytest.fixture
def rng(seed):
    """A fresh, seeded ``numpy.random.Generator`` for each test."""
    return np.random.default_rng(seed)


@pytest.fixture
def load_example():
    """Import a script of ``examples/`` by name (the folder is not a package)."""
    examples = Path(__file__).resolve().parents[1] / "examples"

    def load(name):
        spec = importlib.util.spec_from_file_location(name, examples / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
