#!/usr/bin/env bash
#
# Runs the invoke benchmark against the same private services as `npm test` (see scripts/services.sh), with the
# WHIRL_TEST_* variables exported. Arguments go to the benchmark: `bash scripts/bench.sh --latency-n 200`.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/services.sh
source scripts/services.sh

on_exit() {
  local status=$?
  trap - EXIT INT TERM
  svc_cleanup
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ -x node_modules/.bin/tsx ] || npm ci || exit $?
svc_prepare_all
npx tsx bench/invoke/main.ts "$@"
