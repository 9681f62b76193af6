"""``python -m bot.serving run ...``: Rasa's own command line, with the speed-ups.

Takes exactly the arguments of ``rasa`` (``run``, ``shell``, ...).
"""

from __future__ import annotations

import sys

from bot.serving import apply


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
