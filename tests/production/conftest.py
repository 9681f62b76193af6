"""Two real stacks, started once per test session and stopped at its end.

``embedded``: what `make run` uses (SQLite file, in-memory locks), one Rasa
server and the action server. ``shared``: the scale-out deployment, two Rasa
replicas (one with two Sanic workers and the HTTP API behind a token, one
without API) and the action server, sharing a fresh PostgreSQL database and
Redis locks. PostgreSQL or Redis missing is a failure, not a skip.
"""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from harness import servers
from tests.production import services, stack


@pytest.fixture(scope="session")
def embedded(tmp_path_factory) -> Iterator[stack.Stack]:
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("embedded")
    db_file = workdir / "conversations.db"
    url = f"sqlite:///{db_file}"
    actions = servers.action_server(workdir, env={"PMO_DATABASE_URL": url})
    actions.env.pop("SANIC_HOST", None)  # the default (actions/__init__.py) must bind 127.0.0.1
    endpoints = servers.write_endpoints(
        workdir, actions.port, stack.TRACKER_STORE.format(db=db_file), stack.LOCK_STORE.format(extra="")
    )
    rasa = servers.rasa_server(workdir, endpoints)  # no PMO_DATABASE_URL: the `db` file, as in make run
    running = stack.Stack(workdir, url, actions, [rasa])
    try:
        actions.start()
        rasa.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def shared(tmp_path_factory) -> Iterator[stack.Stack]:
    services.require_postgres()
    services.require_redis()
    if not servers.MODEL.exists():
        pytest.fail(f"no trained model at {servers.MODEL}: run `make train`")
    workdir = tmp_path_factory.mktemp("shared")
    with services.fresh_database("pmo_scale") as url:
        env = {"PMO_DATABASE_URL": url, "PMO_REDIS_URL": services.REDIS_URL}
        actions = servers.action_server(workdir, env=env)
        prefix = "pmo" + uuid.uuid4().hex[:8]
        endpoints = servers.write_endpoints(
            workdir,
            actions.port,
            stack.TRACKER_STORE.format(db="unused.db"),
            stack.LOCK_STORE.format(extra=f"  key_prefix: {prefix}\n"),
            name="endpoints-shared.yml",
        )
        with_api = stack.replica(workdir, endpoints, {**env, "SANIC_WORKERS": "2", "RASA_AUTH_TOKEN": stack.TOKEN})
        without_api = stack.replica(workdir, endpoints, env)
        running = stack.Stack(workdir, url, actions, [with_api, without_api])
        try:
            actions.start()
            # one at a time: each loads TensorFlow and the model, and there are two cores
            with_api.start()
            stack.wait_for_workers(with_api, 2)
            without_api.start()
            yield running
        finally:
            running.stop()
