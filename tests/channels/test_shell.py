"""`python -m bot.serving shell` (what `make run` opens) in an 80-column
pseudo-terminal: the first screen is the greeting and its choices (no library
warnings: they go to the log file), a whole answer can be read, its buttons are
short numbered choices that can be picked with the arrow keys, and a turn that
produces nothing gets the REST channel's apology. The expected texts come from the
running stack's REST channel, so the answers can change without this test."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from bot.channels.shell import choice_titles
from bot.render import display_width, to_plain
from harness import servers
from harness.stubs import StubServer
from tests.channels.conftest import Stack

DOWN = "\x1b[B"
UP = "\x1b[A"
ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|[=>])")
COLUMNS, ROWS = 80, 50
QUESTION = "what does a PMO analyst do?"
FREE_TEXT = "Type out your own message..."
# What libraries print at start (TensorFlow, deprecation warnings, Rasa's log lines): none of it on screen.
NOISE = (
    "Warning",
    "WARNING",
    "DEPRECATION",
    "deprecated",
    "tensorflow",
    "pkg_resources",
    " INFO ",
    "cuda",
    "Traceback",
    "site-packages",
)


def screen_text(raw: str) -> str:
    """What the terminal received, without escape sequences and carriage returns."""
    return ANSI.sub("", raw).replace("\r", "")


def words(text: str) -> str:
    return " ".join(text.split())


class Shell:
    """`python -m bot.serving shell` in a pseudo-terminal of COLUMNS x ROWS."""

    def __init__(self, endpoints: Path, transcript: Path) -> None:
        import pexpect

        self.log = transcript.with_name(transcript.stem + "-stderr.log")
        args = [
            "-m",
            "bot.serving",
            "shell",
            "--model",
            str(servers.MODEL),
            "--endpoints",
            str(endpoints),
            "--port",
            str(servers.free_port()),
            "--interface",
            "127.0.0.1",
            "--conversation-id",
            f"shell-{uuid.uuid4().hex[:8]}",
        ]
        self.transcript = transcript
        self.child = pexpect.spawn(
            sys.executable,
            args,
            cwd=str(servers.ROOT),
            env=servers.base_env(TERM="xterm", COLUMNS=str(COLUMNS), LINES=str(ROWS), PMO_SHELL_LOG=str(self.log)),
            dimensions=(ROWS, COLUMNS),
            encoding="utf-8",
            timeout=180,
        )
        self.child.logfile_read = open(transcript, "w")  # noqa: SIM115 - open for the session, closed in close()
        self.mark = 0

    def seen(self) -> str:
        """Everything shown since the last call."""
        self.child.logfile_read.flush()
        text = screen_text(self.transcript.read_text(errors="replace"))
        new, self.mark = text[self.mark :], len(text)
        return new

    def fail(self, error: Exception) -> None:
        self.child.logfile_read.flush()
        tail = screen_text(self.transcript.read_text(errors="replace"))[-4000:]
        pytest.fail(f"the shell did not answer as expected ({type(error).__name__}); transcript:\n{tail}")

    @contextlib.contextmanager
    def session(self) -> Iterator[Any]:
        """Drive the shell, then /stop it; a time-out or an early exit fails with the transcript."""
        import pexpect

        try:
            yield self.child
            self.child.sendline("/stop")
            self.child.expect(pexpect.EOF, timeout=60)
        except (pexpect.TIMEOUT, pexpect.EOF) as error:
            self.fail(error)
        finally:
            self.close()

    def close(self) -> None:
        self.child.close(force=True)

    def greeted(self) -> str:
        """The first screen, up to the greeting's last choice ("Type out your own message...")."""
        self.child.expect("Bot loaded. Type a message and press enter")
        self.child.expect_exact(FREE_TEXT, timeout=120)
        return self.seen()

    def to_free_text(self) -> None:
        """From the greeting's choices to the text prompt (the last choice, up from the first)."""
        self.child.send(UP)
        self.child.send("\r")
        self.child.expect("Your input ->", timeout=30)


def assert_shown_whole(shown: str, reply_text: str) -> None:
    """Every line of the answer, as drawn at COLUMNS, is on screen as a line of its own."""
    expected = to_plain(reply_text, COLUMNS)
    lines = [line.rstrip() for line in shown.split("\n")]
    for line in expected.split("\n"):
        if line.strip():
            assert line in lines, f"line missing or cut: {line!r}\nscreen:\n{shown}"
        assert display_width(line) <= COLUMNS
    assert words(expected) in words(shown)  # all of it, in order


@pytest.mark.slow
def test_shell_prints_whole_answers_and_short_numbered_choices_that_work(channels: Stack, tmp_path: Path):
    # what the REST channel answers to the greeting (sent at start) and the same two turns
    say = channels.rest_conversation()
    *_, greeting = say("/greet")
    *_, answer = say(QUESTION)
    buttons = answer.get("buttons") or []
    assert len(buttons) >= 2, answer
    picked = buttons[1]
    *_, then = say(picked["payload"])

    shell = Shell(channels.endpoints, tmp_path / "shell.log")
    with shell.session():
        # the first screen: the greeting and its choices, no library warnings (they are in the log)
        assert_first_screen_clean(shell, shell.greeted(), greeting)
        shell.to_free_text()
        shell.seen()
        shell.child.sendline(QUESTION)
        titles = choice_titles(buttons, COLUMNS)  # "1: Title", shortened only if too long for a line
        for title in titles:
            shell.child.expect_exact(title, timeout=90)
        shell.child.expect_exact(FREE_TEXT, timeout=30)
        shown = shell.seen()
        # the whole answer, then the choices: titles only, each on one line
        assert_shown_whole(shown, answer["text"])
        assert shown.index(to_plain(answer["text"], COLUMNS).split("\n")[-1]) < shown.index(titles[0])
        for button in buttons:
            assert button["payload"] not in shown
        shell.child.send(DOWN)  # from choice 1 to choice 2
        shell.child.send("\r")
        last_line = to_plain(then["text"], COLUMNS).split("\n")[-1]
        shell.child.expect_exact(last_line, timeout=90)
        # with buttons, the last choice (up from the first) leads to free text
        if shell.child.expect_exact([FREE_TEXT, "Your input ->"], timeout=30) == 0:
            assert_shown_whole(shell.seen(), then["text"])
            shell.child.send(UP)
            shell.child.send("\r")
            shell.child.expect("Your input ->", timeout=30)
        else:
            assert_shown_whole(shell.seen(), then["text"])


@pytest.mark.slow
def test_shell_apologises_when_the_action_server_is_down(channels: Stack, tmp_path: Path):
    from bot.channels.rest import APOLOGY

    nowhere = servers.write_endpoints(tmp_path, servers.free_port(), name="endpoints-no-actions.yml")
    shell = Shell(nowhere, tmp_path / "shell.log")
    with shell.session():
        shell.greeted()  # the greeting needs no action server
        shell.to_free_text()
        shell.seen()
        shell.child.sendline(QUESTION)
        shell.child.expect_exact(to_plain(APOLOGY, COLUMNS).split("\n")[-1], timeout=90)
        assert_shown_whole(shell.seen(), APOLOGY)
        shell.child.expect("Your input ->", timeout=30)


def assert_first_screen_clean(shell: Shell, first: str, greeting: Dict[str, Any]) -> None:
    """What `make run` shows first: one line, the greeting, its choices; the noise is in the log."""
    lines = [line.strip() for line in first.split("\n") if line.strip()]
    noise = [line for line in lines if any(word in line for word in NOISE)]
    assert noise == [], f"the first screen is not clean:\n{first}"
    assert lines[0].startswith("Starting the PMO Learning assistant"), lines[:3]
    assert lines[1].startswith("Bot loaded."), lines[:3]
    assert_shown_whole(first, greeting["text"])
    for title in choice_titles(greeting["buttons"], COLUMNS):
        assert any(line.endswith(title) for line in lines), (title, lines)  # "» 1: ..." when selected
    assert len(lines) <= ROWS, "the first screen does not fit the terminal"
    log = shell.log.read_text(errors="replace")
    assert "Rasa server is up and running" in log  # Rasa's log went to the file
    assert "Warning" in log  # and so did the libraries' warnings


# The patch itself, without a model.


def test_the_patch_fits_the_installed_rasa_and_refuses_another():
    import rasa.core.channels.console as console
    import rasa.core.run as run
    from rasa.core.channels import BUILTIN_CHANNELS

    from bot.serving import shell

    shell.check(console, run, {"cmdline": console.CmdlineInput})
    if console.record_messages is not shell.record_messages:  # not applied in this process
        shell.check(console, run, BUILTIN_CHANNELS)
    assert tuple(inspect.signature(shell.record_messages).parameters) == shell.RECORD_MESSAGES_PARAMETERS

    class Changed:
        async def record_messages(sender_id, server_url, stream=True):
            return 0

    with pytest.raises(shell.ShellPatchError, match="record_messages"):
        shell.check(Changed, run, {"cmdline": console.CmdlineInput})
    with pytest.raises(shell.ShellPatchError, match="CmdlineInput"):
        shell.check(console, run, {})


def test_the_shell_channel_is_the_projects_rest_channel():
    from bot.channels.rest import RestInput
    from bot.channels.shell import shell_input_class

    channel = shell_input_class()()
    assert isinstance(channel, RestInput)
    assert channel.name() == "cmdline" and channel.url_prefix() == "rest"


def test_render_reply_prints_the_whole_text_and_short_titles():
    from bot.channels.shell import render_reply

    text = "First paragraph " * 20 + "\n\n- one\n- two\n\nLast words."
    buttons = [
        {"title": "Career path", "payload": '/ask_career_path{"role": "PMO Analyst"}'},
        {"title": "A very long title " * 10, "payload": "/x"},
    ]
    shown = render_reply({"text": text, "buttons": buttons}, 80)
    assert shown.startswith(to_plain(text, 80)) and shown.rstrip().endswith("\u2026")
    assert "/ask_career_path" not in shown
    assert all(display_width(line) <= 80 for line in shown.split("\n"))
    titles = choice_titles(buttons, 80)
    assert titles[0] == "1: Career path" and display_width(titles[1]) <= 80 - 4
    assert render_reply({"text": text, "buttons": buttons}, 80, list_buttons=False) == to_plain(text, 80)


@pytest.mark.parametrize("status,body", [(500, {"error": "boom"}), (200, []), (200, {"not": "a list"})])
def test_a_turn_that_fails_or_says_nothing_gets_the_apology(status, body):
    from bot.channels.rest import APOLOGY
    from bot.channels.shell import exchange

    stub = StubServer().route("POST", "/webhooks/rest/webhook", lambda r: (status, body)).start()
    try:
        assert asyncio.run(exchange(stub.url, "", "someone", "hello", 10)) == [{"text": APOLOGY}]
    finally:
        stub.stop()
    unreachable = f"http://127.0.0.1:{servers.free_port()}"
    assert asyncio.run(exchange(unreachable, "", "someone", "hello", 10)) == [{"text": APOLOGY}]


@pytest.mark.parametrize(
    "args,env,log",
    [
        (["shell", "--model", "m"], {}, Path("shell.log")),
        (["shell"], {"PMO_SHELL_LOG": "/tmp/x.log"}, Path("/tmp/x.log")),
        (["shell"], {"PMO_SHELL_LOG": "-"}, None),  # keep it on the terminal
        (["shell", "--debug"], {}, None),
        (["shell", "-v"], {}, None),
        (["run", "--model", "m"], {}, None),  # servers log as before
    ],
)
def test_only_the_shell_sends_library_output_to_a_log_file(args, env, log):
    from bot.serving.__main__ import shell_log
    from bot.settings import load

    assert shell_log(args, load(env)) == log
