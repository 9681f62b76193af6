"""Speed: event types resolved once per name, slots copied directly.

- ``Event.resolve_by_type`` walks every subclass of ``Event`` (with an
  ``inspect.isabstract`` check on each) for every event it deserialises; the answer
  is remembered per type name.
- Every tracker Rasa builds (about nine a turn, replaying the conversation) copies
  each slot with ``copy.copy``, whose generic path (``__reduce_ex__``) costs more
  than the copy; ``Slot.__copy__`` does the same shallow copy directly.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text, Type

from bot.serving.patching import expect, expect_function, originals, replace

EVENT_LOOKUP = "cached event type lookup"
SLOT_COPY = "direct slot copy"


def install_event_lookup() -> None:
    from rasa.shared.core.events import Event

    expect(
        isinstance(Event.__dict__.get("resolve_by_type"), staticmethod),
        "cached event type lookup",
        "Event.resolve_by_type is not a staticmethod",
    )
    expect_function("cached event type lookup", Event, "resolve_by_type", ("type_name", "default"), is_async=False)
    original: Callable[..., Optional[Type[Event]]] = Event.resolve_by_type
    originals["Event.resolve_by_type"] = original
    known: Dict[Text, Type[Event]] = {}

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        cls = known.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                known[type_name] = cls
        return cls

    replace(Event, "resolve_by_type", staticmethod(resolve_by_type))


def shallow_copy(obj: Any) -> Any:
    """What ``copy.copy`` does for a plain object (no ``__slots__``, no custom state)."""
    new = obj.__class__.__new__(obj.__class__)
    new.__dict__.update(obj.__dict__)
    return new


def install_slot_copy() -> None:
    from rasa.shared.core.slots import Slot

    def custom(cls: type) -> bool:
        # An empty __slots__ (abc.ABC's) adds no state; until 30 November this check
        # counted it, so the patch was silently never installed while apply() listed it.
        return any(
            (name in vars(k)) and (name != "__slots__" or bool(vars(k)[name]))
            for k in cls.__mro__[:-1]
            for name in ("__slots__", "__getstate__", "__setstate__", "__reduce__", "__reduce_ex__")
        )

    classes = [Slot, *_subclasses(Slot)]
    expect(
        not any(custom(cls) for cls in classes) and "__copy__" not in vars(Slot),
        "direct slot copy",
        "a slot class has its own copy state (__slots__, __getstate__, __reduce__ or __copy__)",
    )
    originals["Slot.__copy__"] = Slot.__dict__.get("__copy__")
    replace(Slot, "__copy__", shallow_copy)


def _subclasses(cls: type) -> List[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found
