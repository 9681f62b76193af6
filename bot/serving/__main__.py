"""``python -m bot.serving run ...``: Rasa's own command line, with the speed-ups.

Takes exactly the arguments of ``rasa`` (``run``, ``shell``, ...). ``shell``
also gets :mod:`bot.serving.shell`: whole answers at the terminal's width,
buttons as short numbered choices, and the REST channel's checks and apology
(``make run`` starts it this way).

It also keeps numerical libraries to one thread unless told otherwise: the models
here are small, and OpenBLAS's worker threads spin after each matrix product,
which on 2 cores took about 8 ms of CPU a message from the action server and
everything else (``python -m benchmarks.profile_turn``: 20 ms of CPU a turn with
them, 11.7 without, same wall time).
"""

from __future__ import annotations

import sys

from bot.serving import apply, one_numeric_thread

one_numeric_thread()  # before anything imports numpy


def main() -> None:
    apply()
    if sys.argv[1:2] == ["shell"]:
        from bot.serving import shell

        shell.apply()  # fails loudly, before anything starts, if Rasa is not as expected
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
