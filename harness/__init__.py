"""Real servers for the tests and the benchmarks: one way to start each.

``servers``: the Rasa server (always through ``python -m bot.serving``, the one entry
point users run) and the action server, on free ports, with their logs; ``throwaway``:
PostgreSQL and Redis when the machine has none (or when ``PMO_TEST_SERVICES=throwaway``);
``services``: fresh PostgreSQL databases and the checks that the stores answer; ``stack``:
production replicas (``scripts/rasa-server.sh``) and talking to them over REST; ``frontdoor``:
HAProxy in front of two replicas; ``stubs``: HTTP stubs standing in for Slack and Teams;
``socketio_client``: a socket.io visitor, as the website widget talks; ``browser``: headless
Chromium. Both ``tests/`` and ``benchmarks/`` import this package; it imports neither.
"""
