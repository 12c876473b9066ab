#!/usr/bin/env bash
#
# `npm test`: prepares private services (Redis with AOF, an in-memory CouchDB-protocol server, Docker and the nodejs
# runtime image), then runs typecheck, lint, the import-cycle check and vitest, stopping at the first failure and
# exiting with its status. Extra arguments go to vitest (`npm test -- test/unit/foo.test.ts`).
#
# Works on a fresh Debian machine as root with only Node/npm (installs redis-server and docker.io with apt) and on a
# machine where everything already runs (its Redis/CouchDB on the default ports are left alone; a running Docker
# engine is used, not stopped). Under CI=true a service that cannot be prepared fails the run; locally it is a loud
# warning and the tests that need it skip loudly. Everything it started is stopped on exit.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/services.sh
source scripts/services.sh

RUN_START_MS="$(svc_now_ms)"
SUMMARY=()

elapsed() { awk -v ms="$(($(svc_now_ms) - $1))" 'BEGIN { printf "%.1fs", ms / 1000 }'; }

# Runs one phase with a header and its timing; returns its status.
phase() {
  local name="$1" start status
  shift
  printf '\n==> [%s] %s\n' "$name" "$*"
  start="$(svc_now_ms)"
  "$@"
  status=$?
  if [ "$status" -eq 0 ]; then
    printf '<== [%s] ok (%s)\n' "$name" "$(elapsed "$start")"
    SUMMARY+=("$name: ok ($(elapsed "$start"))")
  else
    printf '<== [%s] FAILED with status %s (%s)\n' "$name" "$status" "$(elapsed "$start")"
    SUMMARY+=("$name: FAILED status $status ($(elapsed "$start"))")
  fi
  return "$status"
}

on_exit() {
  local status=$?
  trap - EXIT INT TERM
  printf '\n==> [cleanup]\n'
  svc_cleanup
  printf '\n==> summary (total %s)\n' "$(elapsed "$RUN_START_MS")"
  local line
  for line in "${SUMMARY[@]}"; do printf '    %s\n' "$line"; done
  if [ "${#SVC_FAILED[@]}" -gt 0 ]; then printf '    services NOT prepared: %s\n' "${SVC_FAILED[*]}"; fi
  printf '    exit status %s\n' "$status"
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

install_if_missing() {
  if [ -d node_modules ] && [ -x node_modules/.bin/vitest ]; then
    echo "node_modules present"
    return 0
  fi
  npm ci
}

phase deps install_if_missing || exit $?
phase services svc_prepare_all || exit $?
printf '    WHIRL_TEST_REDIS_URL=%s\n' "${WHIRL_TEST_REDIS_URL:-<unset>}"
printf '    WHIRL_TEST_REDIS_SERVER_BIN=%s\n' "${WHIRL_TEST_REDIS_SERVER_BIN:-<unset>}"
printf '    WHIRL_TEST_COUCHDB_URL=%s\n' "${WHIRL_TEST_COUCHDB_URL:-<unset>}"
printf '    WHIRL_TEST_KAFKA_BROKERS=%s\n' "${WHIRL_TEST_KAFKA_BROKERS:-<unset>}"
printf '    WHIRL_TEST_DOCKER_SOCKET=%s\n' "${WHIRL_TEST_DOCKER_SOCKET:-<unset>}"
printf '    WHIRL_TEST_NODEJS_IMAGE=%s\n' "${WHIRL_TEST_NODEJS_IMAGE:-<unset>}"
printf '    WHIRL_TEST_PYTHON_IMAGE=%s\n' "${WHIRL_TEST_PYTHON_IMAGE:-<unset>}"
printf '    WHIRL_TEST_BLACKBOX_IMAGE=%s\n' "${WHIRL_TEST_BLACKBOX_IMAGE:-<unset>}"
printf '    WHIRL_TEST_CHROMIUM=%s\n' "${WHIRL_TEST_CHROMIUM:-<unset>}"
printf '    WHIRL_TEST_SCHEMATHESIS=%s\n' "${WHIRL_TEST_SCHEMATHESIS:-<unset>}"

phase typecheck npm run --silent typecheck || exit $?
phase lint npm run --silent lint || exit $?
phase cycles npm run --silent cycles || exit $?
phase vitest npx vitest run "$@" || exit $?
# Fault tests (test/faults: services killed and restarted under load) after everything else, one file at a time.
# Skipped when arguments pick particular tests (`npm test -- test/unit/foo.test.ts`).
if [ "$#" -eq 0 ]; then
  phase faults npx vitest run --config test/faults/vitest.config.ts || exit $?
fi
exit 0
