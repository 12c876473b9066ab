#!/usr/bin/env bash
# Builds the nodejs runtime image WITHOUT a registry: a `FROM scratch` image holding this host's `node` binary, the
# shared libraries it links against, and proxy.mjs. (With a registry, use the Dockerfile next to this script.)
#
# Usage: bash runtimes/nodejs/build.sh [image-tag]        (default whirl/runtime-nodejs:20)
#
# Idempotent and fast: the image carries a `whirl.content-hash` label over everything that goes into it; when the
# tag already exists with the same hash, nothing is built.
set -euo pipefail

TAG="${1:-whirl/runtime-nodejs:20}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROXY="$HERE/proxy.mjs"

NODE_BIN="$(readlink -f "$(command -v node)")"
[ -x "$NODE_BIN" ] || { echo "build.sh: node not found on PATH" >&2; exit 1; }

# Every absolute path ldd prints: the libraries (`lib => /path`) and the dynamic loader (`/lib64/ld-…`).
mapfile -t LIBS < <(ldd "$NODE_BIN" | grep -o '/[^ ]*' | sort -u)

DOCKERFILE=$(cat <<'EOF'
FROM scratch
COPY rootfs/ /
USER 10001
WORKDIR /tmp
ENV PORT=8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/node"]
CMD ["/app/proxy.mjs"]
EOF
)

# The hash covers the bytes of every input, so a node upgrade, a library update or a proxy edit rebuilds.
HASH="$({
  printf '%s\n' "$DOCKERFILE"
  for f in "$NODE_BIN" "${LIBS[@]}" "$PROXY"; do printf '%s ' "$f"; readlink -f "$f"; done
  cat "$PROXY"
  sha256sum "$NODE_BIN" "${LIBS[@]}" | cut -d' ' -f1
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
mkdir -p "$ROOT/usr/local/bin" "$ROOT/app" "$ROOT/etc" "$ROOT/tmp"

cp -L "$NODE_BIN" "$ROOT/usr/local/bin/node"
for lib in "${LIBS[@]}"; do
  mkdir -p "$ROOT$(dirname "$lib")"
  cp -L "$lib" "$ROOT$lib"
done
cp "$PROXY" "$ROOT/app/proxy.mjs"
chmod 0644 "$ROOT/app/proxy.mjs"

cat >"$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
whirl:x:10001:10001:whirl:/tmp:/sbin/nologin
EOF
cat >"$ROOT/etc/group" <<'EOF'
root:x:0:
whirl:x:10001:
EOF
# The container's tmpfs at /tmp takes the image directory's mode, so the image must already have a sticky 1777 /tmp.
chmod 1777 "$ROOT/tmp"

printf '%s\n' "$DOCKERFILE" >"$CTX/Dockerfile.scratch"
# The legacy builder warns about its own deprecation on every build: show docker's output only when it fails.
if ! docker build --quiet --label "whirl.content-hash=$HASH" -f "$CTX/Dockerfile.scratch" -t "$TAG" "$CTX" \
  >"$LOG" 2>&1; then
  cat "$LOG" >&2
  exit 1
fi
echo "build.sh: built $TAG ($HASH)"
