"""Conversation tests and data validation, through Rasa's own command line."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from harness.servers import BIN, MODEL, ROOT, base_env

pytestmark = pytest.mark.slow


def rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "rasa"), *args], cwd=ROOT, env=base_env(), capture_output=True, text=True, timeout=timeout
    )


# Rasa 3.6's validator does not know that a form asks for a slot with its utter_ask_<slot>
# response (RasaHQ/rasa#4417), so it calls each "not used in any story or rule". Exactly those
# warnings, one per slot the enquiry form asks, are expected; any other warning fails.
FORM_ASKS = re.compile(r"UserWarning: The utterance 'utter_ask_(enquiry_\w+)' is not used in any story or rule\.")


def test_data_validates_without_warnings():
    import yaml

    result = rasa("data", "validate", "--fail-on-warnings")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    asked = {
        slot for slot in domain["forms"]["enquiry_form"]["required_slots"] if f"utter_ask_{slot}" in domain["responses"]
    }
    assert set(FORM_ASKS.findall(output)) == asked
    rest = FORM_ASKS.sub("", output)
    assert "UserWarning" not in rest and " WARNING " not in rest, rest[-3000:]


def test_conversation_stories_all_pass(tmp_path: Path):
    out = tmp_path / "results"
    result = rasa(
        "test",
        "core",
        "--model",
        str(MODEL),
        "--stories",
        "tests/test_stories.yml",
        "--fail-on-prediction-errors",
        "--out",
        str(out),
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    report = json.loads((out / "story_report.json").read_text())
    stories = (out / "failed_test_stories.yml").read_text()
    assert "none" in stories.lower() or "stories:" not in stories
    assert report["conversation_accuracy"]["accuracy"] == 1.0
