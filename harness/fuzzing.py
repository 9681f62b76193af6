"""How much the fuzz tests against running servers send.

`make test` runs every strategy of every fuzz test at a size that takes seconds, not minutes;
`make bench-fuzz` (``PMO_FUZZ=full``, also a step of `make bench`) runs the volumes the suite
ran before issue 21. The examples are derandomized, so the smaller run sends the first
examples of the larger one.
"""

from __future__ import annotations

import os

VARIABLE = "PMO_FUZZ"


def full() -> bool:
    return os.environ.get(VARIABLE, "").strip().lower() == "full"


def size(full_size: int, test_size: int) -> int:
    """``full_size`` under `make bench-fuzz`, else ``test_size``."""
    return full_size if full() else test_size
