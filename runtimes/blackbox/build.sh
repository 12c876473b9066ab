#!/usr/bin/env bash
# Builds the blackbox (docker skeleton) runtime image WITHOUT a registry: a `FROM scratch` image holding this host's
# `node` (runs proxy.mjs and the shared zip reader) and `sh` (so /action/exec may be a shell script), the shared libraries they link against,
# proxy.mjs and the stub /action/exec. Actions use it as `{"kind":"blackbox","image":"whirl/runtime-blackbox"}` with
# a script as code, or through an image built FROM it that COPYs its own /action/exec (any static binary works).
#
# Usage: bash runtimes/blackbox/build.sh [image-tag]        (default whirl/runtime-blackbox:latest)
# Idempotent: the image carries a `whirl.content-hash` label over its inputs; an up-to-date tag is not rebuilt.
set -euo pipefail

TAG="${1:-whirl/runtime-blackbox:latest}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROXY="$HERE/proxy.mjs"
UNZIP="$HERE/../lib/unzip.mjs"
STUB="$HERE/exec.stub"
# shellcheck source=../lib/scratch-image.sh
source "$HERE/../lib/scratch-image.sh"

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
CMD ["/app/blackbox/proxy.mjs"]
EOF2
)

HASH="$({
  printf '%s\n' "$DOCKERFILE"
  cat "$PROXY" "$UNZIP" "$STUB" "$HERE/../lib/scratch-image.sh"
  sha256sum "$NODE_BIN" "$SH_BIN" "${LIBS[@]}" | cut -d' ' -f1
} | sha256sum | cut -c1-32)"

scratch_skip_if_current "$TAG" "$HASH"
scratch_rootfs
mkdir -p "$ROOT/usr/local/bin" "$ROOT/bin" "$ROOT/app/blackbox" "$ROOT/app/lib" "$ROOT/action"
cp -L "$NODE_BIN" "$ROOT/usr/local/bin/node"
cp -L "$SH_BIN" "$ROOT/bin/sh"
scratch_copy "${LIBS[@]}"
cp "$PROXY" "$ROOT/app/blackbox/proxy.mjs"
cp "$UNZIP" "$ROOT/app/lib/unzip.mjs"
chmod 0644 "$ROOT/app/blackbox/proxy.mjs" "$ROOT/app/lib/unzip.mjs"
cp "$STUB" "$ROOT/action/exec"
chmod 0755 "$ROOT/action/exec"
scratch_build "$TAG" "$HASH" "$DOCKERFILE"
echo "build.sh: built $TAG ($HASH)"
