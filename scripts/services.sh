#!/usr/bin/env bash
# Make the local services Suivi needs answer on 127.0.0.1, starting them, or
# installing them with apt-get first (Debian, Ubuntu), when they do not.
# One script for every caller: .ci/run asks for all three, `make run` (the
# sandbox) for PostgreSQL only.
#
#   scripts/services.sh [postgres] [redis] [chromium]
#
# PostgreSQL is set up the way the tests and the sandbox connect: user
# postgres over TCP on 127.0.0.1:5432 without a password.
set -euo pipefail

log() { printf '[services] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

# wait_for CHECK NAME: up to 30 s for CHECK to succeed.
wait_for() {
  for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done
  log "$2 does not answer on 127.0.0.1 after 30 s"
  return 1
}

ensure_postgres() {
  if command -v pg_isready >/dev/null && pg_up; then return 0; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"
    apt_install postgresql postgresql-client
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -1)
    # Tests and the sandbox connect as postgres over TCP without a password.
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  log "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_for pg_up PostgreSQL
}

ensure_redis() {
  if command -v redis-cli >/dev/null && redis_up; then return 0; fi
  if ! command -v redis-server >/dev/null; then
    log "installing Redis"
    apt_install redis-server
  fi
  log "starting Redis"
  mkdir -p /tmp/suivi-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/suivi-redis
  wait_for redis_up Redis
}

# chromium runs the sandbox's browser test (sandbox/browser_test.go); the
# emoji font makes its screenshots show the alerts' signs.
ensure_chromium() {
  if command -v chromium >/dev/null; then return 0; fi
  log "installing chromium"
  apt_install chromium fonts-noto-color-emoji
}

main() {
  [ $# -gt 0 ] || set -- postgres redis
  for svc in "$@"; do
    case "$svc" in
      postgres) ensure_postgres ;;
      redis) ensure_redis ;;
      chromium) ensure_chromium ;;
      *) log "unknown service $svc (want postgres, redis or chromium)"; exit 2 ;;
    esac
  done
}

main "$@"
