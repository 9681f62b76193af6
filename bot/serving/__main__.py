"""``python -m bot.serving run ...``: Rasa's own command line, with the speed-ups.

Takes exactly the arguments of ``rasa`` (``run``, ``shell``, ...).

It also keeps numerical libraries to one thread unless told otherwise: the models
here are small, and OpenBLAS's worker threads spin after each matrix product,
which on 2 cores took about 8 ms of CPU a message from the action server and
everything else (``python -m benchmarks.profile_turn``: 20 ms of CPU a turn with
them, 11.7 without, same wall time).
"""

from __future__ import annotations

import os
import sys

ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
for _name in ONE_THREAD:  # before numpy is imported
    os.environ.setdefault(_name, "1")

from bot.serving import apply  # noqa: E402


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
