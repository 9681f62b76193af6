"""python -m bot.review export: unanswered messages from Rasa's events, as NLU YAML to label."""

from __future__ import annotations

import asyncio
import io
import time

import pytest
import yaml

from bot import review
from harness.servers import ROOT


@pytest.fixture
def url(tmp_path, monkeypatch):
    """Conversations written by Rasa's own SQL tracker store: answered, out of scope, fallback."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.storage.tracker_store import EnvSQLTrackerStore

    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = EnvSQLTrackerStore(domain=domain)

    def turn(text, intent, action, at):
        return [
            UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=at),
            ActionExecuted(action, timestamp=at + 0.1),
            BotUttered("...", timestamp=at + 0.2),
            ActionExecuted("action_listen", timestamp=at + 0.3),
        ]

    now = time.time()
    conversations = {
        "a": turn("Do you sell PRINCE2?", "out_of_scope", "action_out_of_scope", now - 3600)
        + turn("what does a PMO analyst do?", "ask_role_description", "action_describe_role", now - 3500),
        "b": turn("do you  sell prince2", "out_of_scope", "action_out_of_scope", now - 1800)
        + turn("call me on 07700 900123", "nlu_fallback", "action_fallback", now - 1700),
        "c": turn("DO YOU SELL PRINCE2?", "ask_course_details", "action_out_of_scope", now - 60),
        "old": turn("where is the car park", "out_of_scope", "action_out_of_scope", now - 40 * 86400),
    }
    for sender, events in conversations.items():
        first = ActionExecuted("action_listen", timestamp=events[0].timestamp - 1)
        tracker = DialogueStateTracker.from_events(sender, [first, *events], slots=domain.slots)
        asyncio.run(store.save(tracker))
    return url


def test_export_groups_and_counts_the_unanswered_messages(url):
    out = io.StringIO()
    assert review.main(["export", "--database-url", url, "--since", "7d"], stdout=out) == 0
    text = out.getvalue()
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    assert [(item["intent"], item["examples"]) for item in data["nlu"]] == [
        ("label_me", "- Do you sell PRINCE2?\n"),  # the same question as the insights page groups it (case)
        ("label_me", "- call me on [phone]\n"),  # masked
        ("label_me", "- do you sell prince2\n"),  # spaces collapsed
    ]
    assert "# 2x, last " in text and "out_of_scope 2; classified as ask_course_details 1, out_of_scope 1" in text
    assert "# 1x, last " in text and "fallback 1; classified as nlu_fallback 1" in text
    assert "car park" not in text and "analyst" not in text  # too old; answered
    assert "#   " in text and "ask_role_description" in text  # the intents to choose from


def test_the_export_is_training_data_rasa_reads(url, tmp_path):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    out = tmp_path / "unanswered.yml"
    summary = io.StringIO()
    review.main(["export", "--database-url", url, "--since", "30d", "--out", str(out)], stdout=summary)
    assert summary.getvalue().strip() == f"3 groups (4 messages) written to {out}"
    labelled = out.read_text().replace("- intent: label_me", "- intent: out_of_scope", 1)
    examples = RasaYAMLReader().reads(labelled).intent_examples
    assert [(e.get("intent"), e.get("text")) for e in examples][:2] == [
        ("out_of_scope", "Do you sell PRINCE2?"),
        ("label_me", "call me on [phone]"),
    ]


def test_since_takes_hours_days_or_weeks():
    assert [review.parse_since(s) for s in ("24h", "7d", "2w")] == [86400, 7 * 86400, 14 * 86400]
    with pytest.raises(ValueError):
        review.parse_since("yesterday")
