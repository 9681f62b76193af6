#!/usr/bin/env bash
# Debian's PostgreSQL and Redis binaries for the tests' throwaway servers
# (harness/throwaway.py), installed with apt-get when they are needed and missing.
# PostgreSQL's always (the scale-out stack runs on one of its own), unless PMO_TEST_SERVICES=machine
# or PMO_TEST_POSTGRES_URL is set; Redis's when PMO_TEST_SERVICES=throwaway, or when nothing answers
# on 127.0.0.1:6379 and no PMO_TEST_REDIS_URL is set. The tests start and stop the servers
# themselves (own data directory, free ports); this only installs.
set -euo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
has_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; }
has_redis() { command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ]; }
has_pg_client() { command -v psql >/dev/null && command -v pg_dump >/dev/null && command -v pg_restore >/dev/null; }

mode="${PMO_TEST_SERVICES:-auto}"
packages=()
if [ "$mode" != machine ]; then
  # Always when missing: the scale-out tests start a PostgreSQL of their own (they restart it).
  if [ -z "${PMO_TEST_POSTGRES_URL:-}" ] && ! has_postgres; then
    packages+=(postgresql)
  fi
  if [ -z "${PMO_TEST_REDIS_URL:-}" ] && ! has_redis && { [ "$mode" = throwaway ] || ! answers 6379; }; then
    packages+=(redis-server)
  fi
fi
# tests/storage load, dump and restore databases with PostgreSQL's client programs, whichever server they use.
if ! has_pg_client && [[ " ${packages[*]} " != *" postgresql "* ]]; then
  packages+=(postgresql-client)
fi
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Missing for the tests: run 'apt-get install ${packages[*]}' as root." >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing Debian's ${packages[*]} (for the tests' throwaway servers)..."
$sudo apt-get update -qq
# Only the binaries are used: the tests start their own servers. A cluster the package may
# make and start is left alone (the tests use a machine's server only when they can log in).
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
has_postgres || [[ " ${packages[*]} " != *" postgresql "* ]] || { echo "PostgreSQL did not install" >&2; exit 1; }
has_redis || [[ " ${packages[*]} " != *" redis-server "* ]] || { echo "Redis did not install" >&2; exit 1; }
