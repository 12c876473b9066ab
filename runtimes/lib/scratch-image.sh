# Shared steps of the registry-free runtime image builds (runtimes/*/build.sh), sourced by them: a `FROM scratch`
# image from host files, labelled with a content hash so an unchanged image is never rebuilt.
#
#   scratch_skip_if_current TAG HASH    exits the build when TAG already carries HASH
#   scratch_rootfs                      sets CTX (build context) and ROOT (its rootfs/): /etc/passwd and /etc/group
#                                       with uid 10001, a sticky 1777 /tmp; both are removed when the build exits
#   scratch_copy FILE...                copies each (symlinks resolved) to the same path under ROOT
#   scratch_build TAG HASH DOCKERFILE   builds ROOT with DOCKERFILE, quietly unless it fails

scratch_skip_if_current() {
  local existing
  existing="$(docker image inspect --format '{{ index .Config.Labels "whirl.content-hash" }}' "$1" 2>/dev/null || true)"
  if [ "$existing" = "$2" ]; then
    echo "build.sh: $1 is up to date ($2)"
    exit 0
  fi
}

scratch_rootfs() {
  CTX="$(mktemp -d)"
  trap 'rm -rf "$CTX"' EXIT
  ROOT="$CTX/rootfs"
  mkdir -p "$ROOT/etc" "$ROOT/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nwhirl:x:10001:10001:whirl:/tmp:/sbin/nologin\n' >"$ROOT/etc/passwd"
  printf 'root:x:0:\nwhirl:x:10001:\n' >"$ROOT/etc/group"
  # The container's tmpfs at /tmp takes the image directory's mode, so the image must already have a sticky 1777 /tmp.
  chmod 1777 "$ROOT/tmp"
}

scratch_copy() {
  local f
  for f in "$@"; do
    mkdir -p "$ROOT$(dirname "$f")"
    cp -L "$f" "$ROOT$f"
  done
}

scratch_build() {
  printf '%s\n' "$3" >"$CTX/Dockerfile.scratch"
  # The legacy builder warns about its own deprecation on every build: show docker's output only when it fails.
  if ! docker build --quiet --label "whirl.content-hash=$2" -f "$CTX/Dockerfile.scratch" -t "$1" "$CTX" \
    >"$CTX/build.log" 2>&1; then
    cat "$CTX/build.log" >&2
    exit 1
  fi
}
