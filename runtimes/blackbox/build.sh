#!/usr/bin/env bash
# Builds the blackbox (docker skeleton) runtime image WITHOUT a registry: a `FROM scratch` image holding this host's
# `node` (runs proxy.mjs) and `sh` (so /action/exec may be a shell script), the shared libraries they link against,
# proxy.mjs and the stub /action/exec. Actions use it as `{"kind":"blackbox","image":"whirl/runtime-blackbox"}` with
# a script as code, or through an image built FROM it that COPYs its own /action/exec (any static binary works).
#
# Usage: bash runtimes/blackbox/build.sh [image-tag]        (default whirl/runtime-blackbox:latest)
# Idempotent: the image carries a `whirl.content-hash` label over its inputs; an up-to-date tag is not rebuilt.
set -euo pipefail

TAG="${1:-whirl/runtime-blackbox:latest}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROXY="$HERE/proxy.mjs"
STUB="$HERE/exec.stub"

NODE_BIN="$(readlink -f "$(command -v node)")"
SH_BIN="$(readlink -f /bin/sh)"
[ -x "$NODE_BIN" ] || { echo "build.sh: node not found on PATH" >&2; exit 1; }

mapfile -t LIBS < <({ ldd "$NODE_BIN"; ldd "$SH_BIN"; } | grep -o '/[^ ]*' | sort -u)

DOCKERFILE=$(cat <<'EOF2'
FROM scratch
COPY rootfs/ /
USER 10001
WORKDIR /tmp
ENV PORT=8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/node"]
CMD ["/app/proxy.mjs"]
EOF2
)

HASH="$({
  printf '%s\n' "$DOCKERFILE"
  cat "$PROXY" "$STUB"
  sha256sum "$NODE_BIN" "$SH_BIN" "${LIBS[@]}" | cut -d' ' -f1
} | sha256sum | cut -c1-32)"

EXISTING="$(docker image inspect --format '{{ index .Config.Labels "whirl.content-hash" }}' "$TAG" 2>/dev/null || true)"
if [ "$EXISTING" = "$HASH" ]; then
  echo "build.sh: $TAG is up to date ($HASH)"
  exit 0
fi

CTX="$(mktemp -d)"
LOG="$(mktemp)"
trap 'rm -rf "$CTX" "$LOG"' EXIT
ROOT="$CTX/rootfs"
mkdir -p "$ROOT/usr/local/bin" "$ROOT/bin" "$ROOT/app" "$ROOT/action" "$ROOT/etc" "$ROOT/tmp"
cp -L "$NODE_BIN" "$ROOT/usr/local/bin/node"
cp -L "$SH_BIN" "$ROOT/bin/sh"
for lib in "${LIBS[@]}"; do
  mkdir -p "$ROOT$(dirname "$lib")"
  cp -L "$lib" "$ROOT$lib"
done
cp "$PROXY" "$ROOT/app/proxy.mjs"
chmod 0644 "$ROOT/app/proxy.mjs"
cp "$STUB" "$ROOT/action/exec"
chmod 0755 "$ROOT/action/exec"
printf 'root:x:0:0:root:/root:/sbin/nologin\nwhirl:x:10001:10001:whirl:/tmp:/sbin/nologin\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nwhirl:x:10001:\n' >"$ROOT/etc/group"
# The container's tmpfs at /tmp takes the image directory's mode.
chmod 1777 "$ROOT/tmp"

printf '%s\n' "$DOCKERFILE" >"$CTX/Dockerfile.scratch"
if ! docker build --quiet --label "whirl.content-hash=$HASH" -f "$CTX/Dockerfile.scratch" -t "$TAG" "$CTX" >"$LOG" 2>&1; then
  cat "$LOG" >&2
  exit 1
fi
echo "build.sh: built $TAG ($HASH)"
