"""Shared pytest fixtures: every test draws its randomness from a seeded fixture."""

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
