"""fewer_collections: a higher young-generation threshold while loading, restored after."""

from __future__ import annotations

import gc

import pytest

from reconciler.repo.gc_pause import LOAD_THRESHOLD, fewer_collections


def test_the_threshold_is_raised_then_restored_even_on_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        assert gc.get_threshold() == (max(before[0], LOAD_THRESHOLD), *before[1:])
        assert gc.isenabled()  # cycles are still collected
        raise RuntimeError
    assert gc.get_threshold() == before


def test_a_higher_threshold_is_never_lowered() -> None:
    before = gc.get_threshold()
    gc.set_threshold(LOAD_THRESHOLD * 2, *before[1:])
    try:
        with fewer_collections():
            assert gc.get_threshold()[0] == LOAD_THRESHOLD * 2
    finally:
        gc.set_threshold(*before)
