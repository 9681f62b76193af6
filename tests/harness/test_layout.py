"""The test layout's rules: harness/ and benchmarks/ import no test module, and `slow` is the only tier."""

from __future__ import annotations

import ast
import configparser
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> List[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


@pytest.mark.parametrize("package", ["harness", "benchmarks"])
def test_no_test_module_is_imported(package):
    offending = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in imported_modules(path)
        if name == "tests" or name.startswith("tests.")
    }
    assert not offending, f"move what these use into harness/: {sorted(offending)}"


def test_slow_is_the_only_tier_marker():
    ini = configparser.ConfigParser()
    ini.read(ROOT / "pytest.ini")
    markers = [line.split(":", 1)[0].strip() for line in ini["pytest"]["markers"].strip().splitlines()]
    assert markers == ["slow"]


def test_test_fast_selects_by_the_marker_alone():
    recipe = (ROOT / "Makefile").read_text().split("\ntest-fast:", 1)[1].split("\n\n", 1)[0]
    assert '-m "not slow"' in recipe and "--ignore" not in recipe and "tests/" not in recipe
