#!/usr/bin/env bash
# The front door (README, "Scale-out"): HAProxy with deploy/haproxy/haproxy.cfg in front of
# two Rasa replicas, the action server and the demo page, on this machine.
#
#   scripts/frontdoor.sh [up]   everything: action server, two replicas (scripts/rasa-server.sh,
#                               that is `python -m bot.serving run`), the demo page (web.serve)
#                               and HAProxy; Ctrl-C stops them all. Open https://localhost:8443
#   scripts/frontdoor.sh prepare   only write $FRONTDOOR_DIR: certificate, origins, credentials,
#                                  endpoints (a container replica runs this before it starts)
#   scripts/frontdoor.sh balancer  only HAProxy, in the foreground (the tests use this)
#
# Settings (environment), with their defaults:
#   PMO_DATABASE_URL, PMO_REDIS_URL   required by `up`: the replicas share them
#   FRONTDOOR_DIR (build/frontdoor)   generated files and logs
#   FRONTDOOR_HOST (localhost)  FRONTDOOR_HTTP_PORT (8080)  FRONTDOOR_HTTPS_PORT (8443)
#   FRONTDOOR_ADDRESS (127.0.0.1)     the address HAProxy listens on (0.0.0.0 on a server)
#   FRONTDOOR_CERT                    a real certificate: one PEM file with the chain and the
#                                     key; without it a self-signed one for FRONTDOOR_HOST is made
#   FRONTDOOR_HSTS (31536000)         Strict-Transport-Security max-age (seconds)
#   FRONTDOOR_SERVER_TIMEOUT (60s)    a webhook request a replica has not answered by then gets 504
#   PMO_ALLOWED_ORIGINS               the origins browsers may open the widget from (space or
#                                     comma separated). The ONE setting for the origin check: it
#                                     is written both into the replicas' credentials file
#                                     (cors_allowed_origins) and into HAProxy's list. Default:
#                                     cors_allowed_origins of RASA_CREDENTIALS (credentials.yml)
#                                     plus https://FRONTDOOR_HOST:FRONTDOOR_HTTPS_PORT
#   PMO_RATE_LIMIT_PER_ADDRESS (120/60), PMO_MAX_BODY_BYTES (65536): the application's own
#                                     limits (scripts/rasa-server.sh), applied at the edge too
#   TICKET_LOCK_LIFETIME (15)         Rasa's conversation lock lifetime (its default is 60 s): how
#                                     long a conversation whose replica died mid-turn stays locked
#   PMO_REPLICA_1/2, PMO_WEB, PMO_ACTIONS_1, PMO_ACTIONS_BIND, FRONTDOOR_STATS_BIND: host:port
#     (127.0.0.1:5005, :5006, :8000, :5055, :5056, :8404)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON_BIN:-.venv/bin/python}"
export FRONTDOOR_DIR="${FRONTDOOR_DIR:-build/frontdoor}"
FRONTDOOR_HOST="${FRONTDOOR_HOST:-localhost}"
ADDRESS="${FRONTDOOR_ADDRESS:-127.0.0.1}"
export FRONTDOOR_HTTPS_PORT="${FRONTDOOR_HTTPS_PORT:-8443}"
export FRONTDOOR_HTTP_BIND="${FRONTDOOR_HTTP_BIND:-$ADDRESS:${FRONTDOOR_HTTP_PORT:-8080}}"
export FRONTDOOR_HTTPS_BIND="${FRONTDOOR_HTTPS_BIND:-$ADDRESS:$FRONTDOOR_HTTPS_PORT}"
export FRONTDOOR_STATS_BIND="${FRONTDOOR_STATS_BIND:-127.0.0.1:8404}"
export FRONTDOOR_HSTS="${FRONTDOOR_HSTS:-31536000}"
export FRONTDOOR_SERVER_TIMEOUT="${FRONTDOOR_SERVER_TIMEOUT:-60s}"
export FRONTDOOR_ORIGINS_FILE="$FRONTDOOR_DIR/origins.lst"
export PMO_REPLICA_1="${PMO_REPLICA_1:-127.0.0.1:5005}" PMO_REPLICA_2="${PMO_REPLICA_2:-127.0.0.1:5006}"
export PMO_WEB="${PMO_WEB:-127.0.0.1:8000}"
export PMO_ACTIONS_1="${PMO_ACTIONS_1:-127.0.0.1:5055}" PMO_ACTIONS_BIND="${PMO_ACTIONS_BIND:-127.0.0.1:5056}"
export PMO_MAX_BODY_BYTES="${PMO_MAX_BODY_BYTES:-65536}"
PUBLIC_ORIGIN="https://$FRONTDOOR_HOST:$FRONTDOOR_HTTPS_PORT"

# PMO_RATE_LIMIT_PER_ADDRESS as the application reads it (bot/channels/limits.py): "count/seconds",
# "count" (per 60 s), or 0/off/none for no limit.
rate="$(echo "${PMO_RATE_LIMIT_PER_ADDRESS:-120/60}" | tr '[:upper:]' '[:lower:]' | tr -d ' ')"
case "$rate" in
  ""|0|off|none) PMO_EDGE_RATE_COUNT=1000000000; PMO_EDGE_RATE_SECONDS=60 ;;
  */*) PMO_EDGE_RATE_COUNT="${rate%%/*}"; PMO_EDGE_RATE_SECONDS="${rate#*/}" ;;
  *) PMO_EDGE_RATE_COUNT="$rate"; PMO_EDGE_RATE_SECONDS=60 ;;
esac
PMO_EDGE_RATE_SECONDS="${PMO_EDGE_RATE_SECONDS%%.*}"  # HAProxy takes whole seconds
[ "$PMO_EDGE_RATE_COUNT" = 0 ] && PMO_EDGE_RATE_COUNT=1000000000
export PMO_EDGE_RATE_COUNT PMO_EDGE_RATE_SECONDS

haproxy_bin() { command -v haproxy || echo /usr/sbin/haproxy; }

prepare() {
  mkdir -p "$FRONTDOOR_DIR"
  if [ -z "${FRONTDOOR_CERT:-}" ]; then
    FRONTDOOR_CERT="$FRONTDOOR_DIR/selfsigned.pem"
    if [ ! -s "$FRONTDOOR_CERT" ]; then
      # Local use only: browsers warn about it. A real certificate: FRONTDOOR_CERT (README).
      openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$FRONTDOOR_HOST" \
        -addext "subjectAltName=DNS:$FRONTDOOR_HOST,DNS:localhost,IP:127.0.0.1" \
        -keyout "$FRONTDOOR_DIR/selfsigned.key" -out "$FRONTDOOR_DIR/selfsigned.crt" 2>/dev/null
      cat "$FRONTDOOR_DIR/selfsigned.crt" "$FRONTDOOR_DIR/selfsigned.key" > "$FRONTDOOR_CERT"
      chmod 600 "$FRONTDOOR_DIR/selfsigned.key" "$FRONTDOOR_CERT"
    fi
  fi
  export FRONTDOOR_CERT
  # The replicas' endpoints (in `up` and in deploy/compose.yaml): endpoints.production.yml as it is.
  cp endpoints.production.yml "$FRONTDOOR_DIR/endpoints.yml"
  # One list of origins, written for both the application and HAProxy.
  PUBLIC_ORIGIN="$PUBLIC_ORIGIN" "$PYTHON" - "${RASA_CREDENTIALS:-credentials.yml}" "$FRONTDOOR_DIR" <<'PY'
import os, re, sys
from pathlib import Path
import yaml
source, out = Path(sys.argv[1]), Path(sys.argv[2])
credentials = yaml.safe_load(source.read_text()) or {}
channel = credentials.setdefault("bot.channels.socketio.SocketIOInput", {}) or {}
credentials["bot.channels.socketio.SocketIOInput"] = channel
given = os.environ.get("PMO_ALLOWED_ORIGINS", "").strip()
if given:
    origins = [o for o in re.split(r"[\s,]+", given) if o]
else:
    listed = channel.get("cors_allowed_origins") or []
    origins = [*([listed] if isinstance(listed, str) else listed), os.environ["PUBLIC_ORIGIN"]]
origins = list(dict.fromkeys(o.rstrip("/") for o in origins))
if "*" in origins:
    sys.exit("frontdoor: PMO_ALLOWED_ORIGINS must list origins; '*' would let any website embed the bot")
channel["cors_allowed_origins"] = origins
(out / "credentials.yml").write_text("# Written by scripts/frontdoor.sh from " + str(source) + "\n"
                                     + yaml.safe_dump(credentials, sort_keys=False))
(out / "origins.lst").write_text("".join(o + "\n" for o in origins))
PY
}

check() { "$(haproxy_bin)" -c -q -f deploy/haproxy/haproxy.cfg; }

balancer() {
  [ -x "$(haproxy_bin)" ] || scripts/install-balancer.sh
  prepare
  check
  exec "$(haproxy_bin)" -db -f deploy/haproxy/haproxy.cfg
}

wait_for() {  # url name pid
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || { echo "$2 exited; see $FRONTDOOR_DIR/$2.log" >&2; return 1; }
    sleep 1
  done
  echo "$2 not ready; see $FRONTDOOR_DIR/$2.log" >&2
  return 1
}

up() {
  : "${PMO_DATABASE_URL:?set PMO_DATABASE_URL (e.g. postgresql://root@127.0.0.1:5432/test)}"
  : "${PMO_REDIS_URL:?set PMO_REDIS_URL (e.g. redis://127.0.0.1:6379/1)}"
  [ -x "$(haproxy_bin)" ] || scripts/install-balancer.sh
  prepare
  check
  pids=()
  trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
  .venv/bin/rasa run actions --actions actions --port "${PMO_ACTIONS_1##*:}" > "$FRONTDOOR_DIR/actions.log" 2>&1 &
  pids+=($!)
  for n in 1 2; do
    var="PMO_REPLICA_$n"
    RASA_PORT="${!var##*:}" RASA_ENDPOINTS="$FRONTDOOR_DIR/endpoints.yml" RASA_CREDENTIALS="$FRONTDOOR_DIR/credentials.yml" \
      ACTION_SERVER_URL="http://$PMO_ACTIONS_BIND/webhook" PMO_TRUSTED_PROXIES="${PMO_TRUSTED_PROXIES:-127.0.0.1}" \
      TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-15}" \
      scripts/rasa-server.sh > "$FRONTDOOR_DIR/replica$n.log" 2>&1 &
    pids+=($!)
  done
  [ -f web/dist/index.html ] || "$PYTHON" -m web.build  # the widget's files (make web-build)
  "$PYTHON" -m web.serve --host "${PMO_WEB%:*}" --port "${PMO_WEB##*:}" --socket-url "$PUBLIC_ORIGIN" \
    > "$FRONTDOOR_DIR/web.log" 2>&1 &
  pids+=($!)
  "$(haproxy_bin)" -db -f deploy/haproxy/haproxy.cfg > "$FRONTDOOR_DIR/haproxy.log" 2>&1 &
  pids+=($!)
  echo "Replicas are loading (about a minute; logs in $FRONTDOOR_DIR/)."
  wait_for "http://$PMO_REPLICA_1/" replica1 "${pids[1]}"
  wait_for "http://$PMO_REPLICA_2/" replica2 "${pids[2]}"
  echo "Front door up: open $PUBLIC_ORIGIN (self-signed certificate unless FRONTDOOR_CERT is set);"
  echo "HAProxy's stats: http://$FRONTDOOR_STATS_BIND/. Ctrl-C stops everything."
  wait -n "${pids[@]}" || true
  echo "A process of the front door exited; stopping the others (logs in $FRONTDOOR_DIR/)." >&2
  return 1
}

case "${1:-up}" in
  prepare) prepare ;;
  check) prepare; check ;;
  balancer) balancer ;;
  up) up ;;
  *) echo "usage: $0 [up|prepare|check|balancer]" >&2; exit 2 ;;
esac
