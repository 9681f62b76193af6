"""bot.render: the bot's text convention drawn for the widget, Slack, Teams and a terminal."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import (
    BulletList,
    Paragraph,
    blocks,
    display_width,
    link_urls,
    to_plain,
    to_slack_mrkdwn,
    to_teams,
    to_widget_markdown,
    wrap,
)

# As the answers write it: a paragraph, a line break, a list, a paragraph after it.
ANSWER = (
    "A **PMO Analyst** is the level 2 role in a PMO.\n"
    "Day to day, they:\n"
    "\n"
    "- gather and check project data\n"
    "- write the reports\n"
    "\n"
    "Courses and dates are on https://www.pmolearning.co.uk."
)
# The same without blank lines around the list (the older style): read the same way.
TIGHT = ANSWER.replace("they:\n\n", "they:\n").replace("reports\n\n", "reports\n")


def test_blocks_paragraphs_lists_and_line_breaks():
    assert blocks(ANSWER) == [
        Paragraph(["A **PMO Analyst** is the level 2 role in a PMO.", "Day to day, they:"]),
        BulletList(["gather and check project data", "write the reports"]),
        Paragraph(["Courses and dates are on https://www.pmolearning.co.uk."]),
    ]
    assert blocks(TIGHT) == blocks(ANSWER)
    assert blocks("- one\n  continued\n- two") == [BulletList(["one continued", "two"])]
    assert blocks("") == [] and blocks("\n \n") == []
    assert blocks("a\r\nb\r\n\r\nc") == [Paragraph(["a", "b"]), Paragraph(["c"])]
    assert blocks("**bold** first") == [Paragraph(["**bold** first"])]  # not a "*" bullet


# Website widget


def test_widget_keeps_the_paragraph_after_a_list_apart():
    drawn = to_widget_markdown(TIGHT)
    assert "- write the reports\n\nCourses and dates" in drawn  # a blank line ends the list
    assert "a PMO.\n" not in drawn and "they:\n- " not in drawn
    assert drawn == to_widget_markdown(ANSWER)


def test_widget_single_newline_is_a_hard_break():
    assert to_widget_markdown("one\ntwo") == "one  \ntwo"
    assert to_widget_markdown("one\n\n\n\ntwo") == "one\n\ntwo"


def test_widget_links_are_exact_and_drawing_twice_changes_nothing():
    drawn = to_widget_markdown(ANSWER)
    assert "[https://www.pmolearning.co.uk](https://www.pmolearning.co.uk)." in drawn
    assert "**PMO Analyst**" in drawn
    assert to_widget_markdown(drawn) == drawn
    assert to_widget_markdown("see [the site](https://a.example/x).") == "see [the site](https://a.example/x)."


@pytest.mark.parametrize(
    "text,linked",
    [
        (
            "(use the form on https://www.pmolearning.co.uk.)",
            "(use the form on [https://www.pmolearning.co.uk](https://www.pmolearning.co.uk).)",
        ),
        (
            "see https://a.example/p?q=1&r=2, then",
            "see [https://a.example/p?q=1&r=2](https://a.example/p?q=1&r=2), then",
        ),
        ("already [a link](https://a.example/x).", "already [a link](https://a.example/x)."),
    ],
)
def test_link_urls(text, linked):
    assert link_urls(text) == linked
    assert to_widget_markdown(text) == linked


# Slack


def test_slack_bullets_bold_links_and_paragraphs():
    assert to_slack_mrkdwn(TIGHT) == (
        "A *PMO Analyst* is the level 2 role in a PMO.\n"
        "Day to day, they:\n"
        "\n"
        "\u2022 gather and check project data\n"
        "\u2022 write the reports\n"
        "\n"
        "Courses and dates are on <https://www.pmolearning.co.uk>."
    )


def test_slack_escapes_and_converts_links():
    assert (
        to_slack_mrkdwn("a < b & **c** [site](https://x.example/a?b=1&c=2)")
        == "a &lt; b &amp; *c* <https://x.example/a?b=1&amp;c=2|site>"
    )
    assert to_slack_mrkdwn("<script>&amp;") == "&lt;script&gt;&amp;amp;"
    assert to_slack_mrkdwn("[a|b](https://x.example)") == "<https://x.example|a/b>"


# Microsoft Teams


def test_teams_markdown_paragraphs_breaks_and_lists():
    assert to_teams(TIGHT) == (
        "A **PMO Analyst** is the level 2 role in a PMO.  \n"
        "Day to day, they:\n"
        "\n"
        "- gather and check project data  \n"
        "- write the reports\n"
        "\n"
        "Courses and dates are on [https://www.pmolearning.co.uk](https://www.pmolearning.co.uk)."
    )
    assert to_teams("a <b> c") == "a &lt;b&gt; c"


# Terminal


def test_plain_has_no_markup_and_bullets_with_a_hanging_indent():
    drawn = to_plain(TIGHT, width=30)
    assert "*" not in drawn and "[" not in drawn
    assert drawn == (
        "A PMO Analyst is the level 2\n"
        "role in a PMO.\n"
        "Day to day, they:\n"
        "\n"
        "\u2022 gather and check project\n"
        "  data\n"
        "\u2022 write the reports\n"
        "\n"
        "Courses and dates are on\n"
        "https://www.pmolearning.co.uk."
    )
    assert to_plain("- a", bullet="-") == "- a"
    assert to_plain("see [the site](https://a.example)") == "see the site (https://a.example)"


def test_plain_keeps_a_word_longer_than_the_line_whole():
    url = "https://www.pmolearning.co.uk/" + "x" * 90
    assert to_plain(f"go to {url} now", width=80).split("\n") == ["go to", url, "now"]


def test_plain_counts_wide_characters_as_two_columns():
    assert display_width("ab") == 2 and display_width("\u4e2d\u6587") == 4 and display_width("e\u0301") == 1
    assert wrap("\u4e2d\u6587 \u4e2d\u6587 \u4e2d\u6587", 9) == ["\u4e2d\u6587 \u4e2d\u6587", "\u4e2d\u6587"]


WORDS = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Po", "So"), blacklist_characters="*\u2022"),
    min_size=1,
    max_size=30,
)
LINES = st.lists(WORDS, min_size=1, max_size=40).map(" ".join)
TEXTS = st.lists(st.one_of(LINES, LINES.map(lambda line: "- " + line), st.just("")), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.sampled_from([20, 40, 79, 80, 120]))
def test_plain_wrapping_never_cuts_a_word(lines, width):
    text = "\n".join(lines)
    drawn = to_plain(text, width=width)
    for line in drawn.split("\n"):
        # longer than the width only when it is a single word (after a bullet or its indent)
        assert display_width(line) <= width or len(line.lstrip("\u2022 ").split()) == 1, line
    # every word comes out whole and in order; only the "- " bullets became "\u2022 "
    assert [w for w in drawn.split() if w != "\u2022"] == [w for w in text.split() if w != "-"]


@pytest.mark.parametrize("width", [80, 60, 40])
def test_plain_answer_at_a_width(width):
    long = (
        "A PMO Analyst is the level 2 role in a PMO (a practitioner). In short, it is the person who "
        "gathers, checks and reports the information a project, programme or portfolio needs, and "
        "keeps the plans, risks and issues up to date.\n- " + "attends the meetings " * 10
    )
    drawn = to_plain(long, width)
    assert all(display_width(line) <= width for line in drawn.split("\n"))
    assert drawn.split() == [w if w != "-" else "\u2022" for w in long.split()]


def test_render_imports_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys, bot.render\n"
        "print(','.join(m for m in ('rasa', 'rasa_sdk', 'sanic', 'tensorflow') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
