#!/usr/bin/env bash
# Start one Rasa server replica the production way (README, "Production").
#
#   RASA_PORT (5005)  RASA_INTERFACE (127.0.0.1; 0.0.0.0 behind a load balancer)
#   RASA_MODEL (models/pmo.tar.gz)  RASA_ENDPOINTS (endpoints.yml)  RASA_CREDENTIALS (credentials.yml)
#   PMO_DATABASE_URL, PMO_REDIS_URL, SANIC_WORKERS: read by the stores in endpoints.yml
#   PMO_MAX_CONCURRENT_MESSAGES (2): messages one server works on at once; a message waiting
#     on the action server (or Slack's/Teams' API) holds no place meanwhile (bot/serving)
#   PMO_ACTION_TIMEOUT (5): seconds a custom action call may take; then the user gets the
#     apology with the contact route and the conversation goes on (bot/serving)
#   PMO_STORE_TIMEOUT (10): seconds one tracker store read or write may take (bot/storage)
#   PMO_RATE_LIMIT_PER_SENDER (20/60), PMO_RATE_LIMIT_PER_ADDRESS (120/60): messages per
#     seconds one sender id / one client address may send on REST and socket.io; more get
#     a polite "slow down" (REST: 429 with Retry-After) and no turn; 0 turns one off. With
#     PMO_REDIS_URL the counters are in Redis, shared by replicas (if Redis fails, messages
#     are let through) (bot/channels/limits.py)
#   PMO_TRUSTED_PROXIES (none): comma-separated IPs/CIDRs of the load balancers whose
#     X-Forwarded-For gives the client address; otherwise the socket's peer address is used
#   PMO_MAX_BODY_BYTES (65536): largest request body on the REST, Slack and Teams webhooks;
#     bigger gets 413 and is never read whole (bot/channels/body.py)
#   PYTHON_BIN (.venv/bin/python); RASA_BIN replaces the whole command (tests use echo)
#
# It runs `python -m bot.serving run`: Rasa's own `rasa run` with the speed-ups in
# bot/serving (same answers, less CPU a message; docs/bench.md).
#
# The HTTP API (/conversations, /model, ...) is on only with a secret:
#   RASA_AUTH_TOKEN=...  (token auth)  or  RASA_JWT_SECRET=...  (JWT, HS256)
# Without one the server has only the channel webhooks and /, and this script
# refuses --enable-api, which in Rasa would open the API to anyone.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${RASA_BIN:-}" ]; then
  RASA=("$RASA_BIN")
else
  RASA=("${PYTHON_BIN:-.venv/bin/python}" -m bot.serving)
fi
ENDPOINTS="${RASA_ENDPOINTS:-endpoints.yml}"
# Rasa leaves an unset ${VAR} in the endpoints file as it is (an action server
# URL of "${ACTION_SERVER_URL}" fails only on the first message): refuse here.
for var in $(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "$ENDPOINTS" | tr -d '${}' | sort -u); do
  if [ -z "${!var:-}" ]; then
    echo "$ENDPOINTS needs $var to be set" >&2
    exit 2
  fi
done
args=(run
  --model "${RASA_MODEL:-models/pmo.tar.gz}"
  --endpoints "$ENDPOINTS"
  --credentials "${RASA_CREDENTIALS:-credentials.yml}"
  --port "${RASA_PORT:-5005}"
  --interface "${RASA_INTERFACE:-127.0.0.1}")
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
  args+=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
elif [ -n "${RASA_JWT_SECRET:-}" ]; then
  args+=(--enable-api --jwt-secret "$RASA_JWT_SECRET" --jwt-method HS256)
else
  for arg in "$@"; do
    if [ "$arg" = "--enable-api" ]; then
      echo "refusing --enable-api without RASA_AUTH_TOKEN or RASA_JWT_SECRET" >&2
      exit 2
    fi
  done
fi
export RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
exec "${RASA[@]}" "${args[@]}" "$@"
