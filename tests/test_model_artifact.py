"""The trained model is one artefact: a copy runs from any directory on its own.

The model is copied into a temporary directory and loaded by a separate Python
process whose working directory is another, empty one, so nothing the model
might name by a relative path (the spaCy pipeline used to be ``build/spacy_pmo``)
is reachable. The project's code is importable (custom components are code),
its data is not needed: the entity ruler's patterns and the typo vocabulary
come from the archive.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile

import pytest

from tests.support import servers

pytestmark = pytest.mark.slow

PARSE = """
import asyncio, json, sys
from rasa.core.agent import Agent

agent = Agent.load(sys.argv[1])
parsed = [asyncio.run(agent.parse_message(text)) for text in sys.argv[2:]]
print("PARSED " + json.dumps([{"intent": p["intent"]["name"], "entities": p["entities"]} for p in parsed]))
"""


def test_a_copied_model_runs_from_another_directory(tmp_path):
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    model = tmp_path / "elsewhere" / "pmo.tar.gz"
    model.parent.mkdir()
    shutil.copy(servers.MODEL, model)
    with tarfile.open(model) as archive:
        metadata = archive.extractfile("metadata.json").read().decode()  # type: ignore[union-attr]
    assert "spacy_pmo" not in metadata and str(servers.ROOT) not in metadata, "the model names a path outside itself"

    cwd = tmp_path / "fresh"
    cwd.mkdir()
    texts = ["what does a project support officer do?", "whats a pmo adminstrator"]
    done = subprocess.run(
        [sys.executable, "-c", PARSE, str(model), *texts],
        cwd=cwd,
        env=servers.base_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next((out for out in done.stdout.splitlines() if out.startswith("PARSED ")), None)
    assert line, done.stdout[-2000:] + done.stderr[-2000:]
    described, typo = json.loads(line[len("PARSED ") :])
    assert described["intent"] == "ask_role_description"
    assert [(e["entity"], e["value"], e["extractor"]) for e in described["entities"]] == [
        ("role", "PMO Administrator", "PMOEntityExtractor")
    ]
    # "adminstrator": only the typo vocabulary stored in the model finds this one
    assert [(e["entity"], e["value"]) for e in typo["entities"]] == [("role", "PMO Administrator")]
    assert not list(cwd.iterdir()), "loading the model wrote into the working directory"
