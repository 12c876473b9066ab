#!/usr/bin/env bash
# Builds the nodejs runtime image WITHOUT a registry: a `FROM scratch` image holding this host's `node` binary, the
# shared libraries it links against, proxy.mjs and the shared zip reader (runtimes/lib). (With a registry, use the
# Dockerfile next to this script.)
#
# Usage: bash runtimes/nodejs/build.sh [image-tag]        (default whirl/runtime-nodejs:20)
#
# Idempotent and fast: the image carries a `whirl.content-hash` label over everything that goes into it; when the
# tag already exists with the same hash, nothing is built.
set -euo pipefail

TAG="${1:-whirl/runtime-nodejs:20}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROXY="$HERE/proxy.mjs"
# shellcheck source=../lib/scratch-image.sh
source "$HERE/../lib/scratch-image.sh"
UNZIP="$HERE/../lib/unzip.mjs"
UNTAR="$HERE/../lib/untar.mjs"

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
CMD ["/app/nodejs/proxy.mjs"]
EOF
)

# The hash covers the bytes of every input, so a node upgrade, a library update or a proxy edit rebuilds.
HASH="$({
  printf '%s\n' "$DOCKERFILE"
  for f in "$NODE_BIN" "${LIBS[@]}" "$PROXY"; do printf '%s ' "$f"; readlink -f "$f"; done
  cat "$PROXY" "$UNZIP" "$UNTAR" "$HERE/../lib/scratch-image.sh"
  sha256sum "$NODE_BIN" "${LIBS[@]}" | cut -d' ' -f1
} | sha256sum | cut -c1-32)"

scratch_skip_if_current "$TAG" "$HASH"
scratch_rootfs
mkdir -p "$ROOT/usr/local/bin" "$ROOT/app/nodejs" "$ROOT/app/lib"
cp -L "$NODE_BIN" "$ROOT/usr/local/bin/node"
scratch_copy "${LIBS[@]}"
cp "$PROXY" "$ROOT/app/nodejs/proxy.mjs"
cp "$UNZIP" "$UNTAR" "$ROOT/app/lib/"
chmod 0644 "$ROOT/app/nodejs/proxy.mjs" "$ROOT/app/lib/unzip.mjs" "$ROOT/app/lib/untar.mjs"
scratch_build "$TAG" "$HASH" "$DOCKERFILE"
echo "build.sh: built $TAG ($HASH)"
