"""How every serving patch installs itself: checked first, recorded, undoable.

Each patch calls :func:`expect_function` (and :func:`expect`) on what it is about to
replace, so a Rasa that changed shape refuses to start with :class:`ServingPatchError`
instead of running half-patched; :func:`replace` records the attribute it swapped,
so :func:`undo_all` puts Rasa back as it was (tests).
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

EXPECTED_RASA_VERSION = "3.6.21"

# What each patch replaced, for tests that compare old and new behaviour.
originals: Dict[str, Any] = {}
# (owner, attribute, value before) for every attribute a patch replaced, in order.
replaced: List[Tuple[Any, str, Any]] = []
_MISSING = object()


class ServingPatchError(RuntimeError):
    """The installed Rasa is not shaped as a patch here expects: refuse to start."""


def replace(owner: Any, attribute: str, value: Any) -> None:
    replaced.append((owner, attribute, owner.__dict__.get(attribute, _MISSING)))
    setattr(owner, attribute, value)


def undo_all() -> None:
    """Put back every attribute a patch replaced, newest first."""
    while replaced:
        owner, attribute, before = replaced.pop()
        if before is _MISSING:
            delattr(owner, attribute)
        else:
            setattr(owner, attribute, before)
    originals.clear()


def expect(condition: bool, patch: str, what: str) -> None:
    if not condition:
        raise ServingPatchError(
            f"bot.serving patch '{patch}' does not fit the installed Rasa: {what}; "
            f"refusing to start (check bot/serving/ against Rasa's source)"
        )


def expect_function(
    patch: str,
    owner: Any,
    attribute: str,
    parameters: Tuple[str, ...],
    is_async: bool,
    source_has: Tuple[str, ...] = (),
) -> Any:
    """The function ``owner.attribute`` as a patch expects it (signature, sync or async, source)."""
    import inspect

    where = getattr(owner, "__qualname__", getattr(owner, "__name__", repr(owner)))  # a class or a module
    raw = owner.__dict__.get(attribute)
    expect(raw is not None, patch, f"{where}.{attribute} is missing")
    function = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
    expect(
        inspect.iscoroutinefunction(function) == is_async,
        patch,
        f"{where}.{attribute} is {'not ' if is_async else ''}async",
    )
    names = tuple(inspect.signature(function).parameters)
    expect(names == parameters, patch, f"{where}.{attribute}{names} is not {attribute}{parameters}")
    if source_has:
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            source = ""
        for text in source_has:
            expect(text in source, patch, f"{where}.{attribute} no longer contains {text!r}")
    return function
