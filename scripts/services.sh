# shellcheck shell=bash
#
# Service preparation for tests and benchmarks. Sourced by scripts/test.sh and scripts/bench.sh, never run directly.
#
# Contract:
#   svc_init                 once, before anything else; installs nothing, starts nothing.
#   svc_prepare_all          Redis, CouchDB-protocol server, Docker + runtime image; exports WHIRL_TEST_* for each
#                            service it could prepare. Under CI=true a service that cannot be prepared exits the
#                            shell non-zero (the EXIT trap still cleans up); locally it prints a loud warning and
#                            the tests that need it skip loudly (see test/helpers/services.ts).
#   svc_cleanup              kills what svc_* started (and only that), removes test containers. Safe to call twice.
#
# Everything this starts is private: free ports on 127.0.0.1, state under .services/, so services that already run on
# the default ports (a developer's Redis on 6379, CouchDB on 5984) are left alone. A Docker engine that was already
# running is used, never stopped.

SVC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SVC_DIR="$SVC_ROOT/.services"
SVC_APT_UPDATED=0
SVC_REDIS_DIR=''
SVC_REDIS_PIDFILE=''
SVC_POUCH_DIR=''
SVC_POUCH_PID=''
SVC_DOCKERD_PID=''
SVC_DOCKER_OK=0
SVC_FAILED=()

svc_log() { printf '[services] %s\n' "$*" >&2; }

svc_banner() {
  printf '\n[services] !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '[services] !!! %s\n' "$@" >&2
  printf '[services] !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}

# A service could not be prepared. CI must not go green with tests silently skipped, so there it is fatal.
svc_unavailable() {
  local name="$1" why="$2"
  SVC_FAILED+=("$name")
  if [ "${CI:-}" = "true" ]; then
    svc_banner "FATAL: $name cannot be prepared: $why" "CI=true: refusing to run the tests without it."
    exit 1
  fi
  svc_banner "WARNING: $name cannot be prepared: $why" "Tests that need $name will be SKIPPED (they say so)."
  return 1
}

svc_init() {
  mkdir -p "$SVC_DIR"
}

svc_now_ms() { date +%s%3N; }

# A port that was free a moment ago. The tiny race with other processes is covered by the retries of the starters.
svc_free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

svc_is_root() { [ "$(id -u)" = "0" ]; }

# Installs Debian packages when we are root on an apt system; `apt-get update` runs at most once per shell.
svc_apt_install() {
  if ! svc_is_root || ! command -v apt-get >/dev/null 2>&1; then
    svc_log "cannot install $* (not root, or no apt-get)"
    return 1
  fi
  if [ "$SVC_APT_UPDATED" = 0 ]; then
    svc_log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    SVC_APT_UPDATED=1
  fi
  svc_log "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

svc_pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# TERM, then KILL after ~10 s. Only ever given pids this file started.
svc_kill_pid() {
  local pid="$1" i
  svc_pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    svc_pid_alive "$pid" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Per-run state directories are named by port. One whose process is gone was left by a run that was killed hard:
# remove it. One whose process lives may belong to a concurrent run: leave it.
svc_sweep_stale() {
  local base="$1" d pid
  [ -d "$base" ] || return 0
  for d in "$base"/*/; do
    [ -d "$d" ] || continue
    pid="$(cat "$d/pid" 2>/dev/null || true)"
    if ! svc_pid_alive "$pid"; then rm -rf "$d"; fi
  done
}

# ---------------------------------------------------------------- Redis

# PING over bash's /dev/tcp, so waiting does not depend on redis-cli being installed.
svc_redis_ping() {
  local reply
  # A subshell, so a refused connection cannot take the calling shell's file descriptors (or the shell) with it.
  reply="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 line <&3 && printf '%s' "$line"
  )" || return 1
  [ "${reply%$'\r'}" = "+PONG" ]
}

svc_start_redis() {
  local bin port attempt i
  bin="$(command -v redis-server || true)"
  if [ -z "$bin" ]; then
    svc_apt_install redis-server || true
    bin="$(command -v redis-server || true)"
  fi
  [ -n "$bin" ] || { svc_unavailable redis "redis-server is not installed and could not be installed"; return 1; }
  svc_sweep_stale "$SVC_DIR/redis"
  for attempt in 1 2 3; do
    port="$(svc_free_port)"
    SVC_REDIS_DIR="$SVC_DIR/redis/$port"
    SVC_REDIS_PIDFILE="$SVC_REDIS_DIR/pid"
    rm -rf "$SVC_REDIS_DIR" && mkdir -p "$SVC_REDIS_DIR"
    # AOF on (tests of durability restart Redis and expect jobs back); RDB snapshots off.
    "$bin" --port "$port" --bind 127.0.0.1 --dir "$SVC_REDIS_DIR" \
      --appendonly yes --save '' \
      --daemonize yes --pidfile "$SVC_REDIS_PIDFILE" --logfile "$SVC_REDIS_DIR/redis.log" >&2 || true
    for i in $(seq 1 100); do
      if svc_redis_ping "$port"; then
        export WHIRL_TEST_REDIS_URL="redis://127.0.0.1:$port"
        export WHIRL_TEST_REDIS_SERVER_BIN="$bin"
        svc_log "redis: $WHIRL_TEST_REDIS_URL (pid $(cat "$SVC_REDIS_PIDFILE" 2>/dev/null), data $SVC_REDIS_DIR)"
        return 0
      fi
      sleep 0.1
    done
    svc_log "redis did not answer on port $port (attempt $attempt); log:"
    tail -n 5 "$SVC_REDIS_DIR/redis.log" >&2 2>/dev/null || true
    svc_stop_redis
  done
  svc_unavailable redis "redis-server did not start (see .services/redis/*/redis.log)"
}

svc_stop_redis() {
  [ -n "$SVC_REDIS_PIDFILE" ] || return 0
  svc_kill_pid "$(cat "$SVC_REDIS_PIDFILE" 2>/dev/null || true)"
  rm -rf "$SVC_REDIS_DIR"
  SVC_REDIS_PIDFILE=''
  SVC_REDIS_DIR=''
}

# ---------------------------------------------------------------- CouchDB protocol (pouchdb-server, in memory)

svc_http_ok() {
  node -e "fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" "$1"
}

# pouchdb-server is a test-only service, not one of Whirl's dependencies: it is installed from its own lockfile
# (scripts/pouchdb/) into .services/pouchdb-server/, reinstalled when that lockfile changes. Exports
# WHIRL_TEST_POUCHDB_BIN (the fault tests start private instances with it).
svc_prepare_pouchdb() {
  local dir="$SVC_DIR/pouchdb-server" src="$SVC_ROOT/scripts/pouchdb" stamp
  stamp="$(cat "$src/package.json" "$src/package-lock.json" | sha256sum | cut -c1-16)"
  if [ ! -x "$dir/node_modules/.bin/pouchdb-server" ] || [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
    svc_log "installing pouchdb-server into $dir (npm ci, scripts/pouchdb/package-lock.json)"
    rm -rf "$dir" && mkdir -p "$dir" && cp "$src/package.json" "$src/package-lock.json" "$dir/"
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2; then
      svc_unavailable couchdb "npm ci of pouchdb-server failed (see above)"
      return 1
    fi
    echo "$stamp" >"$dir/.stamp"
  fi
  export WHIRL_TEST_POUCHDB_BIN="$dir/node_modules/.bin/pouchdb-server"
}

svc_start_couchdb() {
  local bin port attempt i
  svc_prepare_pouchdb || return 1
  bin="$WHIRL_TEST_POUCHDB_BIN"
  svc_sweep_stale "$SVC_DIR/pouchdb"
  for attempt in 1 2 3; do
    port="$(svc_free_port)"
    SVC_POUCH_DIR="$SVC_DIR/pouchdb/$port"
    rm -rf "$SVC_POUCH_DIR" && mkdir -p "$SVC_POUCH_DIR"
    # Run inside its own directory: pouchdb-server writes config.json and log.txt to its working directory.
    (cd "$SVC_POUCH_DIR" && exec "$bin" --in-memory --host 127.0.0.1 --port "$port" --no-color) \
      >"$SVC_POUCH_DIR/stdout.log" 2>&1 &
    SVC_POUCH_PID=$!
    echo "$SVC_POUCH_PID" >"$SVC_POUCH_DIR/pid"
    for i in $(seq 1 150); do
      if ! svc_pid_alive "$SVC_POUCH_PID"; then break; fi
      if svc_http_ok "http://127.0.0.1:$port/"; then
        export WHIRL_TEST_COUCHDB_URL="http://127.0.0.1:$port"
        svc_log "couchdb (pouchdb-server, in memory): $WHIRL_TEST_COUCHDB_URL (pid $SVC_POUCH_PID)"
        return 0
      fi
      sleep 0.2
    done
    svc_log "pouchdb-server did not answer on port $port (attempt $attempt); log:"
    tail -n 5 "$SVC_POUCH_DIR/stdout.log" >&2 2>/dev/null || true
    svc_stop_couchdb
  done
  svc_unavailable couchdb "pouchdb-server did not start (see .services/pouchdb/*/stdout.log)"
}

svc_stop_couchdb() {
  [ -n "$SVC_POUCH_PID" ] || return 0
  svc_kill_pid "$SVC_POUCH_PID"
  wait "$SVC_POUCH_PID" 2>/dev/null || true
  rm -rf "$SVC_POUCH_DIR"
  SVC_POUCH_PID=''
  SVC_POUCH_DIR=''
}

# ---------------------------------------------------------------- Docker

svc_docker_info() { timeout 15 docker info >/dev/null 2>&1; }

svc_start_docker() {
  local i
  # Both the client and the engine binary are needed, unless the client already reaches a running engine.
  if ! command -v docker >/dev/null 2>&1 || { ! command -v dockerd >/dev/null 2>&1 && ! svc_docker_info; }; then
    svc_apt_install docker.io || true
  fi
  command -v docker >/dev/null 2>&1 || { svc_unavailable docker "docker is not installed and could not be installed"; return 1; }
  if ! svc_docker_info; then
    command -v dockerd >/dev/null 2>&1 || { svc_unavailable docker "no Docker engine answers and dockerd is missing"; return 1; }
    svc_is_root || { svc_unavailable docker "no Docker engine answers and only root may start dockerd"; return 1; }
    svc_log "starting dockerd (log: .services/dockerd.log)"
    dockerd >"$SVC_DIR/dockerd.log" 2>&1 &
    SVC_DOCKERD_PID=$!
    for i in $(seq 1 60); do
      svc_docker_info && break
      svc_pid_alive "$SVC_DOCKERD_PID" || break
      sleep 1
    done
    if ! svc_docker_info; then
      tail -n 10 "$SVC_DIR/dockerd.log" >&2 2>/dev/null || true
      svc_unavailable docker "dockerd did not come up within 60 s (see .services/dockerd.log)"
      return 1
    fi
  else
    svc_log "docker: using the engine that is already running (it will not be stopped)"
  fi
  [ -S /var/run/docker.sock ] || { svc_unavailable docker "the engine answers but /var/run/docker.sock is not a socket"; return 1; }
  SVC_DOCKER_OK=1
  export WHIRL_TEST_DOCKER_SOCKET=/var/run/docker.sock
  svc_log "docker: $WHIRL_TEST_DOCKER_SOCKET"
}

# The nodejs:20 runtime image, built locally (no registry is reachable).
svc_build_runtime_image() {
  local script="$SVC_ROOT/runtimes/nodejs/build.sh"
  [ "$SVC_DOCKER_OK" = 1 ] || { svc_log "runtime image: skipped (no Docker)"; return 0; }
  export WHIRL_TEST_NODEJS_IMAGE="${WHIRL_TEST_NODEJS_IMAGE:-whirl/runtime-nodejs:20}"
  if [ ! -f "$script" ]; then
    svc_unavailable runtime-image "$script does not exist"
    return 1
  fi
  if ! bash "$script" >&2; then
    svc_unavailable runtime-image "$script failed"
    return 1
  fi
  svc_log "runtime image: $WHIRL_TEST_NODEJS_IMAGE"
  svc_build_python_image || true
  svc_build_blackbox_image || true
}

# The interpreters and toolchain the runtime tests use on the host: python3 (python kinds in process containers, the
# python image build, `python3 -m venv --without-pip` virtualenvs) and go (a compiled blackbox `exec`).
svc_prepare_runtime_hosts() {
  if [ ! -x /usr/bin/python3 ] && ! command -v python3 >/dev/null 2>&1; then
    svc_apt_install python3 || true
  fi
  command -v python3 >/dev/null 2>&1 || [ -x /usr/bin/python3 ] || {
    svc_unavailable python3 "python3 is not installed and could not be installed"
    return 1
  }
  if ! command -v go >/dev/null 2>&1; then
    if [ -x /usr/local/go/bin/go ]; then
      export PATH="$PATH:/usr/local/go/bin"
    else
      svc_apt_install golang-go || true
    fi
  fi
  command -v go >/dev/null 2>&1 || { svc_unavailable go "go is not installed and could not be installed"; return 1; }
  svc_log "runtime hosts: $(python3 --version 2>&1), $(go version 2>/dev/null | cut -d' ' -f3)"
}

# whirl/runtime-python:3 from the host's python3 (runtimes/python/build.sh; Debian's /usr/bin/python3 first).
svc_build_python_image() {
  export WHIRL_TEST_PYTHON_IMAGE="${WHIRL_TEST_PYTHON_IMAGE:-whirl/runtime-python:3}"
  if [ ! -x /usr/bin/python3 ] && ! command -v python3 >/dev/null 2>&1; then
    svc_apt_install python3 || true
  fi
  if ! bash "$SVC_ROOT/runtimes/python/build.sh" "$WHIRL_TEST_PYTHON_IMAGE" >&2; then
    svc_unavailable python-image "runtimes/python/build.sh failed"
    return 1
  fi
  svc_log "runtime image: $WHIRL_TEST_PYTHON_IMAGE"
}

# whirl/runtime-blackbox:latest, the docker skeleton (runtimes/blackbox/build.sh).
svc_build_blackbox_image() {
  export WHIRL_TEST_BLACKBOX_IMAGE="${WHIRL_TEST_BLACKBOX_IMAGE:-whirl/runtime-blackbox:latest}"
  if ! bash "$SVC_ROOT/runtimes/blackbox/build.sh" "$WHIRL_TEST_BLACKBOX_IMAGE" >&2; then
    svc_unavailable blackbox-image "runtimes/blackbox/build.sh failed"
    return 1
  fi
  svc_log "runtime image: $WHIRL_TEST_BLACKBOX_IMAGE"
}

# Containers that tests leave behind when a worker dies mid-test: labelled `whirl.test=true`, or named `whirl-test*`
# (`whirl-test-…`, and `whirl-test<id>-…` from invokers whose id starts with "test", as test/helpers/whirl.ts uses).
svc_remove_test_containers() {
  local ids name id
  [ "$SVC_DOCKER_OK" = 1 ] || return 0
  ids="$(docker ps -aq --filter label=whirl.test=true 2>/dev/null || true)"
  while read -r id name; do
    case "$name" in whirl-test*) ids="$ids $id" ;; esac
  done < <(docker ps -a --format '{{.ID}} {{.Names}}' 2>/dev/null || true)
  ids="$(echo $ids | tr ' ' '\n' | sort -u | tr '\n' ' ')"
  if [ -n "${ids// /}" ]; then
    svc_log "removing leftover test containers: $ids"
    # shellcheck disable=SC2086
    docker rm -f $ids >/dev/null 2>&1 || true
  fi
}

svc_stop_docker() {
  [ -n "$SVC_DOCKERD_PID" ] || return 0
  svc_log "stopping the dockerd we started (pid $SVC_DOCKERD_PID)"
  svc_kill_pid "$SVC_DOCKERD_PID"
  wait "$SVC_DOCKERD_PID" 2>/dev/null || true
  SVC_DOCKERD_PID=''
  SVC_DOCKER_OK=0
}

# ---------------------------------------------------------------- Chromium (web console browser tests)

# Debian's chromium for test/integration/console-browser.test.ts (playwright-core drives it; no browser download).
svc_prepare_chromium() {
  local bin
  bin="$(command -v chromium || true)"
  if [ -z "$bin" ]; then
    svc_apt_install chromium || true
    bin="$(command -v chromium || true)"
  fi
  [ -n "$bin" ] || { svc_unavailable chromium "chromium is not installed and could not be installed"; return 1; }
  export WHIRL_TEST_CHROMIUM="$bin"
  svc_log "chromium: $bin"
}

# ---------------------------------------------------------------- bubblewrap (the process-container sandbox)

# Debian's bubblewrap, which sandboxes the embedded default's process containers (docs/isolation.md); the sandbox
# tests (test/isolation/sandbox.test.ts) need it and a kernel that lets it create namespaces.
svc_prepare_bubblewrap() {
  local bin
  bin="$(command -v bwrap || true)"
  if [ -z "$bin" ]; then
    svc_apt_install bubblewrap || true
    bin="$(command -v bwrap || true)"
  fi
  [ -n "$bin" ] || { svc_unavailable bubblewrap "bwrap is not installed and could not be installed"; return 1; }
  if ! "$bin" --unshare-all --die-with-parent --ro-bind / / --proc /proc --dev /dev true >/dev/null 2>&1; then
    svc_unavailable bubblewrap "$bin cannot create namespaces on this host (user namespaces disabled?)"
    return 1
  fi
  svc_log "bubblewrap: $bin"
}

# ---------------------------------------------------------------- Kafka (single-node KRaft broker from Maven Central jars)

SVC_KAFKA_DIR=''

svc_start_kafka() {
  local script="$SVC_ROOT/scripts/kafka/broker.sh" port attempt
  command -v java >/dev/null 2>&1 || svc_apt_install default-jre-headless || true
  command -v mvn >/dev/null 2>&1 || svc_apt_install maven || true
  command -v java >/dev/null 2>&1 || { svc_unavailable kafka "java is not installed and could not be installed"; return 1; }
  bash "$script" fetch || { svc_unavailable kafka "could not fetch Kafka's jars with mvn (scripts/kafka/pom.xml)"; return 1; }
  svc_sweep_stale "$SVC_DIR/kafka/run"
  for attempt in 1 2 3; do
    port="$(svc_free_port)"
    SVC_KAFKA_DIR="$SVC_DIR/kafka/run/$port"
    rm -rf "$SVC_KAFKA_DIR"
    if bash "$script" start "$SVC_KAFKA_DIR" "$port"; then
      export WHIRL_TEST_KAFKA_BROKERS="127.0.0.1:$port"
      export WHIRL_TEST_KAFKA_SCRIPT="$script"
      svc_log "kafka (KRaft, single node): $WHIRL_TEST_KAFKA_BROKERS (pid $(cat "$SVC_KAFKA_DIR/pid"))"
      return 0
    fi
    svc_log "kafka did not start on port $port (attempt $attempt)"
    svc_stop_kafka
  done
  svc_unavailable kafka "the Kafka broker did not start (see .services/kafka/run/*/broker.log)"
}

svc_stop_kafka() {
  [ -n "$SVC_KAFKA_DIR" ] || return 0
  bash "$SVC_ROOT/scripts/kafka/broker.sh" stop "$SVC_KAFKA_DIR" || true
  rm -rf "$SVC_KAFKA_DIR"
  SVC_KAFKA_DIR=''
}

# ---------------------------------------------------------------- schemathesis (API fuzzing, test/fuzz/)

# schemathesis from PyPI in a venv under .services/ (kept between runs: a cache, reinstalled only when missing).
svc_prepare_schemathesis() {
  local venv="$SVC_DIR/schemathesis-venv" py
  if [ ! -x "$venv/bin/schemathesis" ]; then
    py="$(command -v python3 || true)"
    if [ -z "$py" ] || ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
      svc_apt_install python3 python3-venv || true
      py="$(command -v python3 || true)"
    fi
    [ -n "$py" ] || { svc_unavailable schemathesis "python3 is not installed and could not be installed"; return 1; }
    svc_log "installing schemathesis into $venv (pip)"
    rm -rf "$venv"
    if ! { "$py" -m venv "$venv" && "$venv/bin/pip" install -q schemathesis; } >&2; then
      rm -rf "$venv"
      svc_unavailable schemathesis "pip install schemathesis failed"
      return 1
    fi
  fi
  export WHIRL_TEST_SCHEMATHESIS="$venv/bin/schemathesis"
  svc_log "schemathesis: $("$WHIRL_TEST_SCHEMATHESIS" --version 2>/dev/null)"
}

# ---------------------------------------------------------------- all

svc_prepare_all() {
  svc_init
  svc_start_redis || true
  svc_start_couchdb || true
  svc_start_kafka || true
  svc_start_docker || true
  svc_prepare_runtime_hosts || true
  svc_build_runtime_image || true
  svc_prepare_chromium || true
  svc_prepare_bubblewrap || true
  svc_prepare_schemathesis || true
  if [ "${#SVC_FAILED[@]}" -gt 0 ]; then
    svc_banner "services NOT prepared: ${SVC_FAILED[*]} — tests needing them will be skipped"
  fi
}

svc_cleanup() {
  svc_remove_test_containers
  svc_stop_couchdb
  svc_stop_kafka
  svc_stop_redis
  svc_stop_docker
}
