"""`make train` retrains whenever anything the trained model is made of changes.

The model's prerequisites are read from make's own database (`make -pq`, which
runs nothing), following prerequisites that are themselves targets, and compared
with what training reads: config.yml, the domain, every file under data/, the
knowledge base's YAML, and the Python modules config.yml names together with
every module of ``bot`` they import, directly or not.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path
from typing import Dict, Iterator, List, Set

import yaml

ROOT = Path(__file__).resolve().parents[1]
MODEL = "models/pmo.tar.gz"
_RULE = re.compile(r"^([^\s#:=][^:=]*?):(?![:=])\s*(.*)$")


def make_rules() -> Dict[str, List[str]]:
    """target -> prerequisites, as make sees them with the Makefile's variables expanded."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    printed = subprocess.run(
        ["make", "-pqrR", "-f", "Makefile", MODEL], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    rules: Dict[str, List[str]] = {}
    for line in printed.stdout.splitlines():
        found = _RULE.match(line)
        if found and "=" not in found.group(1):
            prerequisites = found.group(2).split("|")[0].split()
            rules.setdefault(found.group(1).strip(), []).extend(prerequisites)
    assert MODEL in rules, f"no rule for {MODEL} in the Makefile:\n{printed.stderr}"
    return rules


def model_inputs() -> Set[str]:
    rules = make_rules()
    seen: Set[str] = set()
    pending = list(rules[MODEL])
    while pending:
        prerequisite = pending.pop()
        if prerequisite not in seen:
            seen.add(prerequisite)
            pending.extend(rules.get(prerequisite, []))
    return seen


def module_file(name: str) -> Path:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py") if path.with_suffix(".py").is_file() else path / "__init__.py"


def imported_project_modules(path: Path) -> Iterator[str]:
    """Names of the ``bot`` modules ``path`` imports (anywhere in it, lazy imports included)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.split(".")[0] == "bot")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "bot":
            module = str(node.module)
            yield module
            # "from bot.nlu import extract": the submodule, when it is one
            yield from (f"{module}.{a.name}" for a in node.names if module_file(f"{module}.{a.name}").is_file())


def pipeline_modules() -> Set[str]:
    """Project modules config.yml names (components and policies with a module path)."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    names = [str(entry["name"]) for key in ("pipeline", "policies") for entry in config.get(key) or []]
    return {name.rsplit(".", 1)[0] for name in names if "." in name}


def modules_training_runs() -> Set[str]:
    """The files of the configured modules and of every project module they import, transitively."""
    pending = sorted(pipeline_modules())
    assert pending, "config.yml names no project module: this test would check nothing"
    files: Set[str] = set()
    while pending:
        path = module_file(pending.pop())
        relative = path.relative_to(ROOT).as_posix()
        if relative in files:
            continue
        assert path.is_file(), f"config.yml or an import names {path}, which does not exist"
        files.add(relative)
        pending.extend(imported_project_modules(path))
    return files


def test_every_module_training_runs_retrains_the_model():
    missing = modules_training_runs() - model_inputs()
    assert (
        not missing
    ), f"{MODEL} does not depend on {sorted(missing)}: add them to the Makefile's KNOWLEDGE or TRAINING"


def test_every_data_file_retrains_the_model():
    data = {p.relative_to(ROOT).as_posix() for p in (ROOT / "data").rglob("*.yml")}
    domain = (
        {p.relative_to(ROOT).as_posix() for p in (ROOT / "domain").rglob("*.yml")}
        if (ROOT / "domain").is_dir()
        else {"domain.yml"}
    )
    knowledge = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bot" / "knowledge").glob("*.yml")}
    assert data and knowledge
    missing = (data | domain | knowledge | {"config.yml"}) - model_inputs()
    assert not missing, f"{MODEL} does not depend on {sorted(missing)}: add them to the Makefile's training inputs"


def test_the_model_depends_on_nothing_that_does_not_exist():
    rules = make_rules()
    stale = sorted(p for p in model_inputs() if p not in rules and not (ROOT / p).exists())
    assert not stale, f"the Makefile's training inputs name files that do not exist: {stale}"


def test_the_import_walk_finds_the_modules_components_use():
    """Guards the walk itself: components.py's own imports are followed."""
    found = modules_training_runs()
    assert {
        "bot/nlu/components.py",
        "bot/nlu/extract.py",
        "bot/nlu/patterns.py",
        "bot/knowledge_base.py",
        "bot/nlu/featurizers.py",
        "bot/nlu/classifier.py",
    } <= found
