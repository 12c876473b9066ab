#!/usr/bin/env bash
# Builds the python:3 runtime image WITHOUT a registry: a `FROM scratch` image holding this host's Python 3
# interpreter at its own path, its standard library (without tests, IDLE, tkinter and the static build files), the
# shared libraries the interpreter and its extension modules link against, the CA certificates, and proxy.py.
# (With a registry, use the Dockerfile next to this script.)
#
# Usage: bash runtimes/python/build.sh [image-tag]        (default whirl/runtime-python:3)
# The interpreter: $WHIRL_PYTHON_BIN, else Debian's /usr/bin/python3, else the first python3 on PATH.
# Idempotent: the image carries a `whirl.content-hash` label over its inputs; an up-to-date tag is not rebuilt.
set -euo pipefail

TAG="${1:-whirl/runtime-python:3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROXY="$HERE/proxy.py"
# shellcheck source=../lib/scratch-image.sh
source "$HERE/../lib/scratch-image.sh"

PY="${WHIRL_PYTHON_BIN:-}"
if [ -z "$PY" ]; then
  if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY="$(command -v python3 || true)"; fi
fi
[ -n "$PY" ] || { echo "build.sh: no python3 found (install it: apt-get install python3)" >&2; exit 1; }
# Through shims (pyenv) to the real binary, and where its standard library lives.
PY_BIN="$("$PY" -c 'import os, sys; print(os.path.realpath(sys.executable))')"
STDLIB="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
[ -x "$PY_BIN" ] && [ -f "$STDLIB/os.py" ] || { echo "build.sh: $PY has no usable stdlib ($STDLIB)" >&2; exit 1; }

EXCLUDES=(test idlelib tkinter turtledemo ensurepip lib2to3 site-packages dist-packages pydoc_data '__phello__'
  'config-3*' '*.a')
TAR_EXCLUDES=()
for x in "${EXCLUDES[@]}"; do TAR_EXCLUDES+=("--exclude=./$x"); done

mapfile -t LIBS < <({
  ldd "$PY_BIN"
  find "$STDLIB" -path "$STDLIB/site-packages" -prune -o -path "$STDLIB/dist-packages" -prune -o -name '*.so' -print |
    while read -r so; do ldd "$so" 2>/dev/null || true; done
} | grep -o '/[^ ]*' | grep -v "^$STDLIB/" | sort -u)
CERTS=/etc/ssl/certs/ca-certificates.crt

DOCKERFILE=$(cat <<EOF
FROM scratch
COPY rootfs/ /
USER 10001
WORKDIR /tmp
ENV PORT=8080 PYTHONUTF8=1 PYTHONDONTWRITEBYTECODE=1 SSL_CERT_FILE=$CERTS
EXPOSE 8080
ENTRYPOINT ["$PY_BIN"]
CMD ["/app/python/proxy.py"]
EOF
)

# The hash covers the interpreter and libraries (bytes), the stdlib (names, sizes, times) and the proxy.
HASH="$({
  printf '%s\n' "$DOCKERFILE" "${EXCLUDES[@]}"
  cat "$PROXY" "$HERE/../lib/scratch-image.sh"
  sha256sum "$PY_BIN" "${LIBS[@]}" | cut -d' ' -f1
  find "$STDLIB" -printf '%P %s %T@\n' | sort
} | sha256sum | cut -c1-32)"

scratch_skip_if_current "$TAG" "$HASH"
scratch_rootfs
mkdir -p "$ROOT$STDLIB" "$ROOT/app/python"
scratch_copy "$PY_BIN" "${LIBS[@]}"
tar -C "$STDLIB" "${TAR_EXCLUDES[@]}" -cf - . | tar -C "$ROOT$STDLIB" -xf -
[ ! -f "$CERTS" ] || scratch_copy "$CERTS"
cp "$PROXY" "$ROOT/app/python/proxy.py"
chmod 0644 "$ROOT/app/python/proxy.py"
scratch_build "$TAG" "$HASH" "$DOCKERFILE"
echo "build.sh: built $TAG ($HASH, $("$PY_BIN" -c 'import platform; print("Python", platform.python_version())') from $PY_BIN)"
