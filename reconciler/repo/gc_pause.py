"""Fewer garbage collections while a repository is loaded.

Loading 2,000 manifests of 25 tiles makes millions of small objects that
all stay alive (the data, the models); none of them is garbage, yet the
collector's young generation is full every 700 allocations and it walks
them again and again. While ``fewer_collections()`` is open the first
threshold is much higher (cycles are still collected, in fewer, larger
passes); on exit the settings are as they were.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

LOAD_THRESHOLD = 100_000  # allocations between two young collections (Python's default: 700)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the young generation's threshold for the duration (never lowers it)."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], LOAD_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
