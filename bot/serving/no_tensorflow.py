"""Memory: TensorFlow left out of the serving process, since nothing in this pipeline runs it.

``python -X importtime -m bot.serving run`` shows why Rasa 3.6 loads it anyway:
``rasa.core.actions.action`` imports ``rasa.core.policies.policy``, which imports the
featurizers, ``rasa.nlu.extractors.extractor``, ``rasa.utils.train_utils`` and
``rasa.utils.tensorflow.callback``, whose first line is ``import tensorflow``; 18
modules (Rasa's DIET, TED, ResponseSelector and ``rasa.utils.tensorflow.*``, thinc's
optional TF shims) then use it only to *define* things: base classes, decorators,
annotations. On this machine ``import tensorflow`` alone is about 400 MB resident
and 2-5 s (``python -m benchmarks.lean``).

So, before anything imports it, ``tensorflow`` (and ``keras``, ``tensorboard``) are
made stand-ins whose every attribute is a stand-in *class*: it can be subclassed,
used in annotations and ``isinstance`` (always false: no tensor can exist), and
called as a decorator (the function is returned unchanged). Nothing else works.

The guards, so a Rasa that changed or a model that needs TensorFlow fails loudly:

- :func:`check_model`, when the model has loaded: a graph component whose class (or a
  base class) comes from a module that uses TensorFlow refuses to start, and names it
  and ``PMO_TENSORFLOW=on``;
- from then on, calling anything of TensorFlow's raises :class:`TensorFlowLeftOut`
  instead of returning a stand-in (a code path nobody measured stops that turn, with
  the apology, and says why in the log);
- if TensorFlow was imported before :func:`install`, it refuses to start.

``PMO_TENSORFLOW=on`` keeps the real TensorFlow (a pipeline with DIET or TED).
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from bot.serving.patching import ServingPatchError, expect, expect_function, originals, replace
from bot.settings import TENSORFLOW_ENV, Settings

NAME = "TensorFlow left out of the serving process"
ENV = TENSORFLOW_ENV
LEFT_OUT = ("tensorflow", "keras", "tensorboard")
STUB_VERSION = "0+left.out"


class TensorFlowLeftOut(RuntimeError):
    """Something called TensorFlow in a process that serves without it."""


_state: Dict[str, bool] = {"serving": False}


def wanted(settings: Settings) -> bool:
    """True unless ``PMO_TENSORFLOW`` is on (``on``, ``1``, ``true``, ``yes``)."""
    return not settings.tensorflow


class _Stand(type):
    """The type of every stand-in: attributes are stand-ins, calls decorate or fail."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return stand_in(f"{cls.__qualname__}.{name}")

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if _state["serving"]:
            raise TensorFlowLeftOut(
                f"{cls.__qualname__} was called, but TensorFlow is left out of this process "
                f"(bot/serving/no_tensorflow.py); start it with {ENV}=on"
            )
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], _Stand):
            return args[0]  # used as a decorator: @tf.function, @register_keras_serializable(...)
        return stand_in(f"{cls.__qualname__}()")

    def __iter__(cls) -> Iterator[Any]:
        return iter(())

    def __len__(cls) -> int:
        return 0

    def __bool__(cls) -> bool:
        return False

    def __getitem__(cls, item: Any) -> Any:
        return cls

    def __or__(cls, other: Any) -> Any:
        return cls

    def __ror__(cls, other: Any) -> Any:
        return cls


def stand_in(qualname: str) -> Any:
    return _Stand(qualname.rsplit(".", 1)[-1], (), {"__qualname__": qualname, "__module__": "tensorflow"})


class StandInModule(types.ModuleType):
    """``tensorflow`` (or one of its modules): every attribute a stand-in."""

    def __getattr__(self, name: str) -> Any:
        if name == "__version__":
            return STUB_VERSION
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = stand_in(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: Any = None, target: Any = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname.split(".", 1)[0] not in LEFT_OUT:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = StandInModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


_finder = _Finder()


def loaded() -> List[str]:
    """The real TensorFlow modules in memory (none, when this works)."""
    return sorted(
        name
        for name, module in list(sys.modules.items())
        if name.split(".", 1)[0] in LEFT_OUT and module is not None and not isinstance(module, StandInModule)
    )


def uses_tensorflow(cls: type) -> Optional[str]:
    """The module in ``cls``'s bases that uses TensorFlow (holds a stand-in), or None."""
    for klass in cls.__mro__:
        module = sys.modules.get(klass.__module__)
        if module is None or isinstance(module, StandInModule):
            continue
        if any(isinstance(value, (StandInModule, _Stand)) for value in list(vars(module).values())):
            return klass.__module__
    return None


def check_model(components: Sequence[Tuple[str, type]]) -> None:
    """Refuse a model with a component that needs TensorFlow; from now on TensorFlow calls fail."""
    needing = [(name, cls.__name__, module) for name, cls in components if (module := uses_tensorflow(cls))]
    if needing:
        described = ", ".join(f"{name} ({cls} from {module})" for name, cls, module in needing)
        raise ServingPatchError(
            f"the model needs TensorFlow ({described}), which bot/serving/no_tensorflow.py left out; "
            f"start with {ENV}=on"
        )
    _state["serving"] = True


def graph_components(agent: Any) -> List[Tuple[str, type]]:
    """(node name, component class) of every node the loaded model runs."""
    runner = getattr(getattr(agent, "processor", None), "graph_runner", None)
    nodes = getattr(runner, "_instantiated_nodes", None)
    expect(isinstance(nodes, dict), NAME, "the agent's graph runner has no _instantiated_nodes")
    assert isinstance(nodes, dict)
    found: List[Tuple[str, type]] = []
    for name, node in nodes.items():
        cls = getattr(node, "_component_class", None)
        expect(isinstance(cls, type), NAME, f"graph node {name} has no _component_class")
        if isinstance(cls, type):
            found.append((str(name), cls))
    return found


def install() -> None:
    """Stand-ins for TensorFlow (before anything imports it) and the check when the model loads."""
    real = loaded()
    if real:
        raise ServingPatchError(
            f"bot.serving patch '{NAME}': TensorFlow was imported before the patch ({real[0]}); "
            f"install it first or set {ENV}=on"
        )
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    import rasa.core.run

    original = expect_function(
        NAME,
        rasa.core.run,
        "load_agent_on_start",
        ("model_path", "endpoints", "remote_storage", "app", "loop"),
        is_async=True,
    )
    originals["rasa.core.run.load_agent_on_start (TensorFlow check)"] = original

    @functools.wraps(original)  # the readiness patch reads its source through __wrapped__
    async def load_agent_on_start(model_path: str, endpoints: Any, remote_storage: Any, app: Any, loop: Any) -> Any:
        agent = await original(model_path, endpoints, remote_storage, app, loop)
        if agent is not None and agent.is_ready():
            check_model(graph_components(agent))
        return agent

    replace(rasa.core.run, "load_agent_on_start", load_agent_on_start)
