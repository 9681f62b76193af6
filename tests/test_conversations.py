"""Conversation tests and data validation, through Rasa's own command line."""

import json
import subprocess
from pathlib import Path

import pytest

from harness.servers import BIN, MODEL, ROOT, base_env

pytestmark = pytest.mark.slow


def rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "rasa"), *args], cwd=ROOT, env=base_env(), capture_output=True, text=True, timeout=timeout
    )


def test_data_validates_without_warnings():
    result = rasa("data", "validate", "--fail-on-warnings")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "UserWarning" not in output and " WARNING " not in output


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
