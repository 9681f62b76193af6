"""Imports run one way: from a higher layer to a lower one, and only public names across packages.

The layers are written down in docs/architecture.md ("Layers"); ``LAYERS`` below is that list,
lowest first, and the first test checks the two agree. A package is ``bot.X`` (a module or a
folder) or ``actions``; imports inside one package are free. Every import counts, those inside
functions too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A package may import from the layers below its own, never from its own
# layer's other packages or from above.
LAYERS: Tuple[Tuple[str, ...], ...] = (
    ("bot.settings", "bot.turns", "bot.text", "bot.words", "bot.knowledge_base", "bot.jobs"),
    ("bot",),  # the package itself: re-exports the knowledge base
    ("bot.recommend", "bot.render"),
    ("bot.answers",),
    ("bot.nlu",),
    ("bot.dialogue", "bot.enquiries"),
    ("bot.storage",),
    ("bot.outbox", "bot.insights"),
    ("bot.privacy", "bot.review", "bot.channels"),
    ("bot.serving", "actions"),
)

# Imports of bot/dialogue that break the rules, left to the rewrite of bot/dialogue (handover
# of issue 21, parts 1 and 2: listed in that report, fixed by the lead's rewrite). Empty: none.
DIALOGUE_HANDOVER: Tuple[Tuple[str, str], ...] = ()

LAYER_OF: Dict[str, int] = {package: n for n, layer in enumerate(LAYERS) for package in layer}


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[0] if parts[0] == "actions" else ".".join(parts[:2])


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> Iterator[Tuple[str, str, str]]:
    """(where, module, text) of every module in bot/ and actions/."""
    for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("actions/**/*.py")]):
        module = module_name(path)
        where = str(path.relative_to(ROOT))
        yield where, module + (".__init__" if path.name == "__init__.py" else ""), path.read_text()


def is_package(module: str) -> bool:
    return (ROOT / module.replace(".", "/") / "__init__.py").exists() or (
        ROOT / (module.replace(".", "/") + ".py")
    ).exists()


def imports(module: str, text: str) -> Iterator[Tuple[int, str, List[str]]]:
    """(line, module, names imported from it) for every project import in ``text``.

    ``module`` ends in ``.__init__`` for a package's own file (relative imports start there).
    """
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("bot", "actions"):
                    yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            target: Optional[str] = node.module
            if node.level:  # relative: resolved against this module's package
                base = module.split(".")[: -node.level]
                target = ".".join([*base, *([node.module] if node.module else [])])
            if not target or target.split(".")[0] not in ("bot", "actions"):
                continue
            names = [alias.name for alias in node.names]
            # ``from bot import answers`` imports the package bot.answers, not the root
            submodules = [n for n in names if target == "bot" and is_package(f"bot.{n}")]
            for name in submodules:
                yield node.lineno, f"bot.{name}", []
            rest = [n for n in names if n not in submodules]
            if rest:
                yield node.lineno, target, rest


def dotted(node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def private_attributes(module: str, text: str) -> Iterator[Tuple[int, str, str]]:
    """(line, module, name) for every ``module._name`` read through an imported project module."""
    tree = ast.parse(text)
    bound: Dict[str, str] = {}  # local name -> project module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("bot", "actions"):
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        top = alias.name.split(".")[0]
                        bound[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("bot", "actions"):
            for alias in node.names:
                if is_package(f"{node.module}.{alias.name}"):
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            name = dotted(node.value)
            if name is None or name.split(".")[0] not in bound:
                continue
            first, _, rest = name.partition(".")
            target = bound[first] + (f".{rest}" if rest else "")
            if is_package(target):
                yield node.lineno, target, node.attr


def violations(modules: Iterable[Tuple[str, str, str]]) -> Tuple[List[str], List[str]]:
    upward, private = [], []
    for where, module, text in modules:
        source = package_of(module.removesuffix(".__init__"))
        for line, target, names in imports(module, text):
            destination = package_of(target)
            if destination == source:
                continue
            if LAYER_OF[destination] >= LAYER_OF[source]:
                upward.append(f"{where}:{line} {source} imports {target} ({destination} is not below it)")
            private.extend(
                f"{where}:{line} {source} imports {target}.{name}"
                for name in names
                if name.startswith("_") and not name.startswith("__")
            )
        for line, target, name in private_attributes(module, text):
            if package_of(target) != source:
                private.append(f"{where}:{line} {source} reads {target}.{name}")
    return upward, private


def handed_over(found: List[str]) -> List[str]:
    return [
        v
        for v in found
        if not any(v.startswith(f"{file}:") and f" {target}" in v for file, target in DIALOGUE_HANDOVER)
    ]


def test_the_layers_are_the_ones_written_in_the_architecture_doc():
    doc = (ROOT / "docs" / "architecture.md").read_text()
    section = doc.split("## Layers", 1)[1].split("\n## ", 1)[0]
    written = [tuple(re.findall(r"`([\w.]+)`", line)) for line in section.splitlines() if re.match(r"\d+\. ", line)]
    assert tuple(written) == LAYERS


def test_every_package_has_a_layer():
    packages = {package_of(module.removesuffix(".__init__")) for _, module, _ in sources()}
    assert packages == set(LAYER_OF)


def test_imports_run_from_higher_layers_to_lower_ones():
    upward, _ = violations(sources())
    assert handed_over(upward) == []


def test_no_private_name_is_imported_from_another_package():
    _, private = violations(sources())
    assert handed_over(private) == []


def test_the_checks_find_what_they_are_meant_to():
    made_up = [
        ("bot/storage/x.py", "bot.storage.x", "def f():\n    from bot.serving import waiting_on_io\n"),
        ("bot/channels/y.py", "bot.channels.y", "from bot.storage.database import _secret, make_engine\n"),
        ("bot/channels/z.py", "bot.channels.z", "from . import limits\nfrom .limits import _private\n"),
        ("bot/answers/w.py", "bot.answers.w", "from bot import dialogue, load_knowledge_base\n"),
        (
            "bot/outbox/v.py",
            "bot.outbox.v",
            "import bot.storage.database\nfrom bot.storage import schema\n"
            "a = bot.storage.database._secret\nb = schema._hidden\n",
        ),
    ]
    upward, private = violations(made_up)
    assert upward == [
        "bot/storage/x.py:2 bot.storage imports bot.serving (bot.serving is not below it)",
        "bot/answers/w.py:1 bot.answers imports bot.dialogue (bot.dialogue is not below it)",
    ]
    assert private == [
        "bot/channels/y.py:1 bot.channels imports bot.storage.database._secret",
        "bot/outbox/v.py:3 bot.outbox reads bot.storage.database._secret",
        "bot/outbox/v.py:4 bot.outbox reads bot.storage.schema._hidden",
    ]
