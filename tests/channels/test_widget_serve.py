"""`make web` says which origins may embed the widget (web.serve), from credentials.yml itself."""

from __future__ import annotations

from pathlib import Path

import yaml

from web.serve import SOCKETIO_CHANNEL, allowed_origins, origins_report

ROOT = Path(__file__).resolve().parents[2]


def credentials(tmp_path: Path, origins: object) -> Path:
    path = tmp_path / "credentials.yml"
    path.write_text(yaml.safe_dump({"rest": None, SOCKETIO_CHANNEL: {"cors_allowed_origins": origins}}))
    return path


def test_the_committed_credentials_allow_the_demo_page():
    report = origins_report(ROOT / "credentials.yml", ["http://localhost:8000", "http://127.0.0.1:8000"])
    assert "  http://localhost:8000\n  http://127.0.0.1:8000\n" in report
    assert "warning" not in report and "cors_allowed_origins" in report


def test_a_page_origin_that_is_not_allowed_is_warned_about(tmp_path: Path):
    path = credentials(tmp_path, ["https://www.pmolearning.co.uk/"])
    assert allowed_origins(path) == ["https://www.pmolearning.co.uk"]
    report = origins_report(path, ["http://localhost:8000"])
    assert "  https://www.pmolearning.co.uk\n" in report
    assert "warning: this demo page's origin http://localhost:8000 is not allowed" in report


def test_star_none_and_a_broken_file(tmp_path: Path):
    assert "allows every origin" in origins_report(credentials(tmp_path, "*"), [])
    assert "(none: every browser is refused)" in origins_report(credentials(tmp_path, None), [])
    broken = tmp_path / "broken.yml"
    broken.write_text("a: [unclosed")
    assert origins_report(broken, []).startswith("widget: could not read")
