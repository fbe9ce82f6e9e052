"""Garbage-collector settings for a process that serves extracts.

The reference data an app loads once (the geography: 35,000 communes and their sets of
communes, the catalogue) are hundreds of thousands of long-lived containers, and the
collector's full passes walk all of them: 0.25–0.35 s each, several times per large
extract. An extract also allocates its cells by the ten thousand, so the default young
generation threshold (700 allocations) runs a collection every few microseconds of work.
Freezing what is loaded (it never becomes garbage) and a larger young generation keep the
collector's work proportional to a request's own garbage (`bench.extract_bench`, this alone:
median of a Bouches-du-Rhône extract 0.44–0.50 s → 0.35 s).
"""

from __future__ import annotations

import gc
import threading

#: Allocations between two young collections (CPython's default: 700).
YOUNG_THRESHOLD = 10_000

_settled = threading.Event()
_lock = threading.Lock()


def settle_after_loading() -> None:
    """Move everything alive now out of the collector's passes, once per process.

    Called once the reference data are loaded. Later apps of the same process (the test
    suite creates hundreds) change nothing: freezing again would keep their garbage for ever.
    """
    with _lock:
        if _settled.is_set():
            return
        gc.collect()
        gc.freeze()
        _, middle, old = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, middle, old)
        _settled.set()
