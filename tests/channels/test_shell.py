"""`rasa shell` in a pseudo-terminal: quick replies are numbered choices that
can be picked with the arrow keys, and the pick is answered."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests.channels.conftest import Stack
from tests.support import servers

pytestmark = pytest.mark.slow

DOWN = "\x1b[B"
UP = "\x1b[A"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_shell_shows_buttons_as_numbered_choices_that_work(channels: Stack, tmp_path: Path):
    import pexpect

    args = ["shell", "--model", str(servers.MODEL), "--endpoints", str(channels.endpoints),
            "--port", str(servers.free_port()), "--interface", "127.0.0.1", "--conversation-id", "shell-test"]
    shell = pexpect.spawn(str(Path(sys.executable).parent / "rasa"), args, cwd=str(servers.ROOT),
                          env=servers.base_env(TERM="xterm", COLUMNS="200", LINES="50"),
                          dimensions=(50, 200), encoding="utf-8", timeout=180)
    transcript = tmp_path / "shell.log"
    shell.logfile_read = open(transcript, "w")
    try:
        shell.expect("Bot loaded. Type a message and press enter")
        shell.expect("Your input ->")
        shell.sendline("what does a PMO analyst do?")
        # questionary's select: the reply's text, then one numbered line per button
        shell.expect("A PMO Analyst is the level 2 role in a PMO", timeout=60)
        for line in ('1: Compare with another role (/compare_roles{"role": "PMO Analyst"})',
                     '2: Which course is right for me? (/ask_course_recommendation{"role": "PMO Analyst"})',
                     '3: Career path (/ask_career_path{"role": "PMO Analyst"})',
                     "Type out your own message..."):
            shell.expect_exact(line, timeout=30)
        shell.send(DOWN)  # from choice 1 to choice 2
        shell.send("\r")
        shell.expect("I'd recommend Essentials for PMO Analysts", timeout=60)
        # with buttons, the last choice (up from the first) leads to free text
        if shell.expect_exact(["Type out your own message...", "Your input ->"], timeout=30) == 0:
            shell.send(UP)
            shell.send("\r")
            shell.expect("Your input ->", timeout=30)
        shell.sendline("/stop")
        shell.expect(pexpect.EOF, timeout=60)
    except (pexpect.TIMEOUT, pexpect.EOF) as error:
        shell.logfile_read.flush()
        tail = ANSI.sub("", transcript.read_text(errors="replace"))[-3000:]
        pytest.fail(f"rasa shell did not answer as expected ({type(error).__name__}); transcript:\n{tail}")
    finally:
        shell.close(force=True)
