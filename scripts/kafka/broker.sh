#!/usr/bin/env bash
#
# A single-node Apache Kafka broker (KRaft: broker and controller in one JVM) on loopback, from the jars on Maven
# Central. Used by scripts/services.sh (the shared test broker) and by tests that restart a private broker.
#
#   broker.sh fetch                      downloads the jars (mvn, scripts/kafka/pom.xml) into $KAFKA_LIBS once
#   broker.sh start <dir> <port>         formats <dir> on first use, starts the broker in the background, writes
#                                        <dir>/pid, waits until <port> accepts connections (exit 1 if it does not)
#   broker.sh stop <dir>                 TERM (a clean shutdown flushes the log), KILL after 20 s
#
# Small settings on purpose: one partition per internal topic, replication 1, no rebalance delay, short minimum
# session timeouts (tests kill consumers and want their partitions back in seconds).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
KAFKA_LIBS="${KAFKA_LIBS:-$ROOT/.services/kafka/libs}"
STAMP="$KAFKA_LIBS/.pom.sha"

fetch() {
  local sum
  sum="$(sha1sum "$HERE/pom.xml" | cut -d' ' -f1)"
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$sum" ]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || { echo "broker.sh: mvn is not installed" >&2; return 1; }
  rm -rf "$KAFKA_LIBS"
  mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIBS" >&2
  echo "$sum" >"$STAMP"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

java_cmd() {
  local dir="$1"
  shift
  # Serial GC and a small heap: a test broker on a 2-core machine shared with everything else.
  exec java -Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dkafka.logs.dir="$dir" \
    -cp "$KAFKA_LIBS/*" "$@"
}

start() {
  local dir="$1" port="$2" cport i
  fetch
  mkdir -p "$dir"
  if [ ! -f "$dir/server.properties" ]; then
    cport="$(free_port)"
    cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=500
group.classic.min.session.timeout.ms=500
auto.create.topics.enable=true
log.segment.bytes=16777216
PROPS
    (java_cmd "$dir" kafka.tools.StorageTool format -t "whirl-test-$(printf '%s' "$dir" | sha1sum | cut -c1-16)" \
      -c "$dir/server.properties" >"$dir/format.log" 2>&1) || { cat "$dir/format.log" >&2; return 1; }
  fi
  (java_cmd "$dir" kafka.Kafka "$dir/server.properties" >"$dir/broker.log" 2>&1) &
  echo $! >"$dir/pid"
  for i in $(seq 1 600); do
    if port_open "$port"; then return 0; fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "broker.sh: Kafka did not listen on $port; log:" >&2
  tail -n 20 "$dir/broker.log" >&2 || true
  return 1
}

stop() {
  local dir="$1" pid i
  pid="$(cat "$dir/pid" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
  fetch) fetch ;;
  start) start "$2" "$3" ;;
  stop) stop "$2" ;;
  *) echo "usage: broker.sh fetch | start <dir> <port> | stop <dir>" >&2; exit 2 ;;
esac
