"""The trained model is one artefact: a copy runs from any directory on its own.

The model is copied into a temporary directory and loaded with the working
directory set to another, empty one, so nothing the model might name by a
relative path (the spaCy pipeline used to be ``build/spacy_pmo``) is reachable,
and its metadata may name no path of the project. The project's code is
importable (custom components are code); its data is not needed: the entity
ruler's patterns and the typo vocabulary come from the archive
(tests/nlu/test_components.py loads the components with the knowledge base hidden).
"""

from __future__ import annotations

import asyncio
import shutil
import tarfile

import pytest

from harness import servers

pytestmark = pytest.mark.slow


def test_a_copied_model_runs_from_another_directory(tmp_path, monkeypatch):
    from rasa.core.agent import Agent

    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    model = tmp_path / "elsewhere" / "pmo.tar.gz"
    model.parent.mkdir()
    shutil.copy(servers.MODEL, model)
    with tarfile.open(model) as archive:
        member = archive.extractfile("metadata.json")
        assert member is not None
        metadata = member.read().decode()
    assert "spacy_pmo" not in metadata and str(servers.ROOT) not in metadata, "the model names a path outside itself"

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    monkeypatch.chdir(fresh)
    agent = Agent.load(str(model))
    described = asyncio.run(agent.parse_message("what does a project support officer do?"))
    typo = asyncio.run(agent.parse_message("whats a pmo adminstrator"))

    assert described["intent"]["name"] == "ask_role_description"
    assert [(e["entity"], e["value"], e["extractor"]) for e in described["entities"]] == [
        ("role", "PMO Administrator", "PMOEntityExtractor")
    ]
    # "adminstrator": only the typo vocabulary stored in the model finds this one
    assert [(e["entity"], e["value"]) for e in typo["entities"]] == [("role", "PMO Administrator")]
    assert not list(fresh.iterdir()), "loading the model wrote into the working directory"
