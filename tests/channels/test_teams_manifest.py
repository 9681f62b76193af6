"""The Teams app manifest template and its icons, checked against Microsoft's manifest schema.

The schema (v1.17, MIT) is vendored in docs/teams/schema/ from the npm package
@microsoft/app-manifest; the icons are drawn by scripts/teams_icons.py.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import zipfile
from pathlib import Path
from typing import Any, Dict, List

import jsonschema
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
TEAMS = ROOT / "docs" / "teams"
APP_ID = "6a1c7a1e-0000-4000-8000-00000000b07a"


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("teams_icons", ROOT / "scripts" / "teams_icons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


icons_script = _script()


def manifest() -> Dict[str, Any]:
    return json.loads((TEAMS / "manifest.json").read_text())


def problems(document: Dict[str, Any]) -> List[str]:
    """What Microsoft's schema says is wrong with ``document``.

    The schema declares draft-04 but uses ``const`` (draft-06), which Microsoft's own
    validator honours, so the draft-04 validator is given ``const`` too.
    """
    schema = json.loads((TEAMS / "schema" / "MicrosoftTeams.schema.json").read_text())
    validator_class = jsonschema.validators.extend(
        jsonschema.Draft4Validator, {"const": jsonschema.Draft6Validator.VALIDATORS["const"]}
    )
    validator = validator_class(schema, format_checker=jsonschema.FormatChecker())
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document))


def greeting_buttons() -> List[Dict[str, Any]]:
    from rasa.shared.core.domain import Domain

    split = ROOT / "domain"
    domain = Domain.load(str(split if split.is_dir() else ROOT / "domain.yml"))
    [first, *_] = domain.responses["utter_greet"]
    return first["buttons"]


def test_the_manifest_template_is_valid():
    assert problems(manifest()) == []


@pytest.mark.parametrize(
    "break_it,where",
    [
        (
            lambda m: m["bots"][0]["commandLists"][0]["commands"].append({"title": "x" * 33, "description": "d"}),
            "title",
        ),
        (lambda m: m["developer"].pop("privacyUrl"), "privacyUrl"),
        (lambda m: m["developer"].update(termsOfUseUrl="www.pmolearning.co.uk/terms"), "termsOfUseUrl"),
        (lambda m: m.update(accentColor="navy"), "accentColor"),
        (lambda m: m.update(manifestVersion="1.16"), "manifestVersion"),
        (lambda m: m["bots"][0].update(scopes=["everywhere"]), "scopes"),
    ],
)
def test_the_schema_catches_mistakes(break_it, where):
    broken = copy.deepcopy(manifest())
    break_it(broken)
    found = problems(broken)
    assert found and any(where in problem for problem in found), found


def test_the_bot_is_named_once_and_everywhere():
    m = manifest()
    assert m["id"] == m["bots"][0]["botId"]
    assert set(m["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}


def test_privacy_and_terms_are_their_own_pages_on_the_website():
    developer = manifest()["developer"]
    urls = [developer["websiteUrl"], developer["privacyUrl"], developer["termsOfUseUrl"]]
    assert len(set(urls)) == 3
    host = developer["websiteUrl"].split("/")[2]
    assert all(url.startswith(f"https://{host}/") or url == f"https://{host}" for url in urls)
    assert host in manifest()["validDomains"]


def test_the_commands_are_the_main_options():
    """Teams lists them in the compose box; they are the greeting's buttons (domain.yml)."""
    [commands] = manifest()["bots"][0]["commandLists"]
    assert set(commands["scopes"]) == {"personal", "team", "groupChat"}
    assert [c["title"] for c in commands["commands"]] == [b["title"] for b in greeting_buttons()]


def test_the_icons_are_the_ones_the_script_draws():
    for name, drawn in icons_script.icons().items():
        committed = Image.open(TEAMS / name).convert("RGBA")
        assert committed.size == drawn.size
        assert committed.tobytes() == drawn.tobytes(), f"{name}: run python scripts/teams_icons.py"


def test_the_icons_are_what_teams_asks_for():
    colour = Image.open(TEAMS / "color.png").convert("RGBA")
    outline = Image.open(TEAMS / "outline.png").convert("RGBA")
    assert colour.size == (192, 192) and outline.size == (32, 32)
    assert colour.getextrema()[3] == (255, 255)  # full bleed, no transparency
    # the outline is white on transparent: every visible pixel is white, and some are
    visible = [(r, g, b) for r, g, b, a in outline.getdata() if a]
    assert visible and set(visible) == {(255, 255, 255)}
    assert any(a == 0 for *_, a in outline.getdata())


def test_the_package_is_ready_to_upload(tmp_path: Path):
    out = icons_script.package(APP_ID, tmp_path / "pmo-teams.zip")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        packaged = json.loads(archive.read("manifest.json"))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert packaged["id"] == packaged["bots"][0]["botId"] == APP_ID
    assert problems(packaged) == []
    assert outline.size == (32, 32)
    with pytest.raises(ValueError, match="GUID"):
        icons_script.package("my-bot", tmp_path / "x.zip")
