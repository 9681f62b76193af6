"""Speed: Rasa's graph runs as a cached sequence of calls instead of through dask.

``DaskGraphRunner.run`` rebuilds the minimal graph (an unmemoised recursion),
formats its inputs into a debug f-string and schedules through dask on every call,
three times a turn. The graphs are small chains, so the execution order is cached
per target list and the same nodes are called in that order.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from bot.serving.patching import expect_function, originals, replace

NAME = "sequential graph runner"

Plan = List[Tuple[Text, List[Text]]]


def execution_plan(schema: Any, targets: List[Text]) -> Plan:
    """Nodes needed for ``targets`` in an order where parents come first."""
    order: List[Text] = []
    seen: Dict[Text, bool] = {}

    def visit(name: Text) -> None:
        if name in seen or name not in schema.nodes:
            return  # placeholders such as __message__ are inputs, not nodes
        seen[name] = True
        for parent in schema.nodes[name].needs.values():
            visit(parent)
        order.append(name)

    for target in targets:
        visit(target)
    return [(name, list(schema.nodes[name].needs.values())) for name in order]


def install() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    expect_function("sequential graph runner", DaskGraphRunner, "run", ("self", "inputs", "targets"), is_async=False)
    expect_function(
        "sequential graph runner",
        DaskGraphRunner,
        "__init__",
        ("self", "graph_schema", "model_storage", "execution_context", "hooks"),
        is_async=False,
        source_has=("self._graph_schema = ", "self._instantiated_nodes"),
    )

    def run(
        self: DaskGraphRunner,
        inputs: Optional[Dict[Text, Any]] = None,
        targets: Optional[List[Text]] = None,
    ) -> Dict[Text, Any]:
        run_targets = targets if targets else self._graph_schema.target_names
        plans: Dict[Tuple[Text, ...], Plan] = self.__dict__.setdefault("_sequential_plans", {})
        key = tuple(run_targets)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = execution_plan(self._graph_schema, list(run_targets))
        results: Dict[Text, Any] = {}
        for name, value in (inputs or {}).items():
            if name in self._graph_schema.nodes:
                raise GraphRunError(
                    f"Input value '{name}' clashes with a node name. Make sure that none "
                    f"of the input names passed to the `run` method are the same as "
                    f"node names in the graph schema."
                )
            results[name] = (name, value)
        try:
            for name, needs in plan:
                # Like dask, an unresolved input is passed as its bare name.
                results[name] = self._instantiated_nodes[name](*[results.get(n, n) for n in needs])
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e
        return dict(results[t] for t in run_targets)

    originals["DaskGraphRunner.run"] = DaskGraphRunner.run
    replace(DaskGraphRunner, "run", run)
