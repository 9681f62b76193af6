"""Rasa SDK custom actions: thin glue between the tracker and ``bot``."""

import os

# The action server is internal: Rasa calls it, nobody else should reach it.
# rasa_sdk binds 0.0.0.0 unless SANIC_HOST says otherwise, and reads SANIC_HOST
# only after importing this package, so this makes 127.0.0.1 the default for
# every way of starting it. A deployment whose Rasa replicas run on other hosts
# sets SANIC_HOST to the private interface (README, "Production").
os.environ.setdefault("SANIC_HOST", "127.0.0.1")
