"""``python -m bot.serving run ...``: Rasa's own command line, with the speed-ups.

Takes exactly the arguments of ``rasa`` (``run``, ``shell``, ...). ``shell``
also gets :mod:`bot.serving.shell`: whole answers at the terminal's width,
buttons as short numbered choices, and the REST channel's checks and apology
(``make run`` starts it this way). For ``shell`` the first screen is the assistant's
greeting and the prompt: everything the libraries write to standard error
(TensorFlow's start-up lines, deprecation warnings, Rasa's log) goes to a log
file instead, ``shell.log`` or ``PMO_SHELL_LOG`` (``-`` keeps it on the terminal,
as do ``-v``/``--debug``); if the shell stops with an error, the log's last lines
are shown.

It also keeps numerical libraries to one thread unless told otherwise: the models
here are small, and OpenBLAS's worker threads spin after each matrix product,
which on 2 cores took about 8 ms of CPU a message from the action server and
everything else (``python -m benchmarks.profile_turn``: 20 ms of CPU a turn with
them, 11.7 without, same wall time).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

from bot.serving import apply, no_tensorflow, one_numeric_thread
from bot.settings import Settings, load

one_numeric_thread()  # before anything imports numpy

VERBOSE_FLAGS = frozenset({"-v", "--verbose", "-vv", "--debug"})
TAIL_LINES = 20


def shell_log(args: List[str], settings: Settings) -> Optional[Path]:
    """Where ``shell``'s standard error goes (``PMO_SHELL_LOG``), or None to leave it on the terminal."""
    if args[:1] != ["shell"] or VERBOSE_FLAGS.intersection(args):
        return None
    return settings.shell_log


def to_log(path: Path) -> int:
    """Point file descriptor 2 (C libraries write there too) at ``path``; the terminal's copy."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # what TensorFlow writes at all
    terminal = os.dup(2)
    sys.stderr.flush()
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 2)
    os.close(log)
    return terminal


def back_to_terminal(terminal: int, path: Path) -> None:
    """Standard error on the terminal again, with the log's last lines."""
    sys.stderr.flush()
    os.dup2(terminal, 2)
    try:
        tail = path.read_text(errors="replace").splitlines()[-TAIL_LINES:]
    except OSError:
        tail = []
    sys.stderr.write(f"The shell stopped. The last lines of {path}:\n" + "\n".join(tail) + "\n")


def main() -> None:
    args = sys.argv[1:]
    settings = load()  # the one read of the environment; everything below is handed it
    log = shell_log(args, settings)
    terminal = to_log(log) if log is not None else None
    if log is not None:
        print(f"Starting the PMO Learning assistant; the libraries' messages go to {log}.", flush=True)
    try:
        if args[:1] in (["run"], ["shell"]) and no_tensorflow.wanted(settings):
            no_tensorflow.install()  # before anything imports TensorFlow (PMO_TENSORFLOW=on keeps it)
        apply(settings)
        if args[:1] == ["shell"]:
            from bot.serving import shell

            shell.apply()  # fails loudly, before anything starts, if Rasa is not as expected
        from rasa.__main__ import main as rasa_main

        sys.argv = ["rasa", *args]
        rasa_main()
    except BaseException as stop:
        if (
            terminal is not None
            and log is not None
            and not (isinstance(stop, SystemExit) and not stop.code)
            and not isinstance(stop, KeyboardInterrupt)
        ):
            back_to_terminal(terminal, log)
        raise


if __name__ == "__main__":
    main()
