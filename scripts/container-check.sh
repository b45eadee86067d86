#!/usr/bin/env bash
# The container image's runtime stage, checked without a Docker daemon (`make test-container`).
#
# Reads the last stage of Docker/Dockerfile and carries it out in a chroot: a debootstrap minbase root of the
# stage's Debian release (what debian:*-slim is), then the stage's RUN lines verbatim (its `apt-get install` line,
# its useradd), its COPY lines (the build stage's /switchboard is the binary built here with the build stage's own
# `swift build` line), its ENV, USER and WORKDIR; then it runs the stage's ENTRYPOINT + CMD as that user, listening
# on a free loopback port, until GET /healthz answers 200, runs the stage's HEALTHCHECK command in the root, asks
# /readyz, checks the SQLite database landed in the VOLUME, and stops the gateway with SIGTERM. A shared library
# the binary needs and the stage does not install fails it, naming the library and the Debian package that has it.
#
# Environment:
#   SWITCHBOARD_CONTAINER_BINARY  a binary to use instead of building one (it must be built as the Dockerfile does)
#   SWITCHBOARD_CONTAINER_DIR     where the roots are cached (default .build-container/, git-ignored); CI=true
#                                 starts from a fresh debootstrap
#   SWITCHBOARD_DEBIAN_MIRROR     the Debian mirror (default: the one this machine's apt uses)
#   SWITCHBOARD_CONTAINER_TIMEOUT seconds the gateway has to answer /healthz (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then exec sudo --preserve-env "$0" "$@"; fi

started=$SECONDS
DOCKERFILE=Docker/Dockerfile
CACHE=${SWITCHBOARD_CONTAINER_DIR:-.build-container}
TIMEOUT=${SWITCHBOARD_CONTAINER_TIMEOUT:-60}
say() { printf 'container-check: %s\n' "$*"; }
fail() {
    printf 'container-check: FAILED after %ds: %s\n' $((SECONDS - started)) "$*" >&2
    exit 1
}
elapsed() { printf '%ds' $((SECONDS - ${1:-$started})); }

# --- the runtime stage, as shell variables ------------------------------------------------------------------------
# Every instruction of the stage is handled here or refused, so the check cannot silently skip one.
stage=$(
    python3 - "$DOCKERFILE" <<'PY'
import json, re, shlex, sys

text = open(sys.argv[1]).read()
lines, current = [], ""
for raw in text.splitlines():
    line = raw.strip()
    if not current and (not line or line.startswith("#")):
        continue
    if current and line.startswith("#"):
        continue
    if line.endswith("\\"):
        current += line[:-1].strip() + " "
        continue
    lines.append(current + line)
    current = ""
stages = [[]]
for line in lines:
    if line.split(None, 1)[0].upper() == "FROM":
        stages.append([])
    stages[-1].append(line)
build, runtime = stages[-2], stages[-1]

def words(rest):
    rest = rest.strip()
    return json.loads(rest) if rest.startswith("[") else None

def out(name, value):
    if isinstance(value, list):
        print(f"{name}=({' '.join(shlex.quote(v) for v in value)})")
    else:
        print(f"{name}={shlex.quote(value)}")

runs, copies, envs, volumes, packages = [], [], [], [], []
user, workdir, health, entrypoint, cmd = "root", "/", "", [], []
for line in runtime:
    instruction, rest = (line.split(None, 1) + [""])[:2]
    instruction = instruction.upper()
    if instruction == "FROM":
        image = rest.split()[0]
        match = re.fullmatch(r"debian:([a-z]+)-slim", image)
        if not match:
            sys.exit(f"the runtime stage is FROM {image}; this check knows debian:<release>-slim only")
        out("SUITE", match.group(1))
    elif instruction == "RUN":
        runs.append(rest)
        for install in re.findall(r"apt-get\s+install\s+([^&;|]*)", rest):
            packages += [w for w in install.split() if not w.startswith("-")]
    elif instruction == "COPY":
        parts = rest.split()
        source = next((p.split("=", 1)[1] for p in parts if p.startswith("--from=")), "")
        paths = [p for p in parts if not p.startswith("--")]
        if len(paths) != 2:
            sys.exit(f"COPY {rest}: this check knows COPY SOURCE DEST only")
        copies.append(f"{source}|{paths[0]}|{paths[1]}")
    elif instruction == "ENV":
        for pair in shlex.split(rest):
            if "=" not in pair:
                sys.exit(f"ENV {rest}: write ENV NAME=VALUE")
            envs.append(pair)
    elif instruction == "USER":
        user = rest.strip()
    elif instruction == "WORKDIR":
        workdir = rest.strip()
    elif instruction == "VOLUME":
        volumes += words(rest) or rest.split()
    elif instruction == "HEALTHCHECK":
        if "CMD" not in rest.split():
            sys.exit("HEALTHCHECK has no CMD")
        command = rest.split("CMD", 1)[1].strip()
        health = shlex.join(words(command)) if words(command) else command
    elif instruction == "ENTRYPOINT":
        entrypoint = words(rest) or sys.exit("write ENTRYPOINT in its JSON form")
    elif instruction == "CMD":
        cmd = words(rest) or sys.exit("write CMD in its JSON form")
    elif instruction in ("EXPOSE", "LABEL"):
        pass
    else:
        sys.exit(f"the runtime stage has {instruction}, which scripts/container-check.sh does not carry out yet")
swift_builds = [re.search(r"swift build[^&;|]*", l).group(0).strip() for l in build if re.search(r"^RUN .*swift build", l)]
if not swift_builds:
    sys.exit("the build stage has no `swift build` line")
if not packages:
    sys.exit("the runtime stage installs no package (no `apt-get install` line found)")
out("RUNS", runs); out("COPIES", copies); out("ENVS", envs); out("VOLUMES", volumes); out("PACKAGES", packages)
out("STAGE_USER", user); out("WORKDIR", workdir); out("HEALTH", health)
out("ENTRYPOINT", entrypoint); out("CMD", cmd); out("SWIFT_BUILD", swift_builds[0])
PY
) || fail "cannot read the runtime stage of $DOCKERFILE"
eval "$stage"
say "runtime stage: debian:$SUITE-slim + ${PACKAGES[*]}; user $STAGE_USER"

# --- the binary, built as the Dockerfile builds it ------------------------------------------------------------------
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
BASE="$CACHE/minbase-$SUITE"
ROOT="$CACHE/runtime-root"
unmount_all() { # whatever an interrupted run left mounted under the cache, deepest first
    local m
    for m in $(awk -v root="$CACHE/" 'index($2, root) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m"
    done
}
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
    unmount_all
}
trap cleanup EXIT
unmount_all
if [ "${CI:-}" = true ]; then # CI starts from a fresh debootstrap
    rm -rf --one-file-system "$BASE" "$ROOT"
fi

# `make release` and `make bench` build the image's binary too (the Makefile's SHIPPED): the same words, any order.
shipped=$(make -s --no-print-directory -n release SWIFT=swift | tail -1)
words_of() { tr -s ' ' '\n' <<<"$1" | grep -v '^$' | sort; }
[ "$(words_of "$shipped")" = "$(words_of "$SWIFT_BUILD")" ] \
    || fail "$DOCKERFILE builds with \"$SWIFT_BUILD\" and the Makefile's release with \"$shipped\": make them the same"

binary=${SWITCHBOARD_CONTAINER_BINARY:-}
if [ -z "$binary" ]; then
    t=$SECONDS
    say "building the binary as the Dockerfile does: $SWIFT_BUILD"
    read -r -a build_command <<<"$SWIFT_BUILD"
    "${build_command[@]}" >"$CACHE/build.log" 2>&1 || { tail -30 "$CACHE/build.log" >&2; fail "$SWIFT_BUILD failed"; }
    binary="$("${build_command[@]}" --show-bin-path)/switchboard"
    say "binary built in $(elapsed "$t")"
fi
[ -x "$binary" ] || fail "no binary at $binary"
if ldd "$binary" | grep -q 'libswiftCore'; then
    fail "$binary links the Swift runtime dynamically; the image's binary is built with --static-swift-stdlib"
fi

# --- the root file system: debootstrap (cached), then the stage's RUN lines (cached by their text) -------------------
mirror=${SWITCHBOARD_DEBIAN_MIRROR:-$(
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
        | grep -v '^[[:space:]]*#' | grep -oE '(https?://[^ ]*/debian)/?( |$)' | head -1 | tr -d ' ' || true
)}
[ -n "$mirror" ] || fail "no Debian mirror in /etc/apt/sources.list*: set SWITCHBOARD_DEBIAN_MIRROR"
mirror=${mirror%/}
security=$(
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
        | grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]*/debian-security' | head -1 || true
)
# The security archive sits beside the release archive unless the sources name another one.
security=${security:-${mirror}-security}

if [ ! -f "$BASE/.complete" ]; then
    command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install debootstrap)"
    t=$SECONDS
    rm -rf --one-file-system "$BASE"
    say "debootstrap --variant=minbase $SUITE from $mirror (first run; cached in $BASE)"
    debootstrap --variant=minbase "$SUITE" "$BASE" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
        || { tail -20 "$CACHE/debootstrap.log" >&2; fail "debootstrap failed (log: $CACHE/debootstrap.log)"; }
    # What debian:<release>-slim's apt sees: the release, its updates and its security updates.
    cat >"$BASE/etc/apt/sources.list" <<EOF
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
deb $security $SUITE-security main
EOF
    rm -rf "$BASE/var/lib/apt/lists/"* "$BASE/var/cache/apt/archives/"*.deb
    touch "$BASE/.complete"
    say "debootstrap took $(elapsed "$t")"
fi

stamp=$(printf '%s\n' "$SUITE" "${RUNS[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$ROOT/.stage" 2>/dev/null)" != "$stamp" ]; then
    t=$SECONDS
    rm -rf --one-file-system "$ROOT"
    cp -a "$BASE" "$ROOT"
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
    mount -t proc proc "$ROOT/proc"
    for run in "${RUNS[@]}"; do
        say "RUN $run"
        chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
            /bin/sh -c "$run" >"$CACHE/run.log" 2>&1 \
            || { tail -30 "$CACHE/run.log" >&2; fail "the runtime stage's RUN line failed in the root (log: $CACHE/run.log)"; }
    done
    umount "$ROOT/proc"
    echo "$stamp" >"$ROOT/.stage"
    say "runtime stage's RUN lines took $(elapsed "$t")"
else
    say "runtime root cached ($ROOT)"
fi
for package in "${PACKAGES[@]}"; do
    chroot "$ROOT" dpkg -s "$package" >/dev/null 2>&1 || fail "package $package is not installed in the root"
done

# --- COPY -----------------------------------------------------------------------------------------------------------
for copy in "${COPIES[@]}"; do
    IFS='|' read -r from source dest <<<"$copy"
    if [ "$from" = build ]; then
        [ "$source" = /switchboard ] || fail "COPY --from=build $source: only the build stage's /switchboard is known here"
        source=$binary
    elif [ -n "$from" ]; then
        fail "COPY --from=$from: unknown stage"
    fi
    case "$dest" in */) dest="$dest$(basename "$source")" ;; esac
    mkdir -p "$ROOT$(dirname "$dest")"
    cp "$source" "$ROOT$dest"
done

# --- the shared libraries -------------------------------------------------------------------------------------------
program=${ENTRYPOINT[0]:-${CMD[0]}}
missing=$(chroot "$ROOT" /usr/bin/ldd "$program" 2>&1 | awk '/not found/ { print $1 }' || true)
if [ -n "$missing" ]; then
    for library in $missing; do
        package=$(dpkg -S "*/$library" 2>/dev/null | head -1 | cut -d: -f1 || true)
        hint=""
        [ -n "$package" ] && hint="; Debian package $package has it: add it to the runtime stage's apt-get install line"
        printf 'container-check: %s is not in the image%s\n' "$library" "$hint" >&2
    done
    fail "$program needs shared libraries that $DOCKERFILE's runtime stage does not install"
fi

# --- start it as the stage's user, on a free loopback port, with the stage's ENV --------------------------------------
uid=$(chroot "$ROOT" id -u "$STAGE_USER") || fail "user $STAGE_USER does not exist in the root"
gid=$(chroot "$ROOT" id -g "$STAGE_USER")
home=$(chroot "$ROOT" getent passwd "$STAGE_USER" | cut -d: -f6)
for volume in "${VOLUMES[@]}"; do
    rm -f "$ROOT$volume"/*.sqlite* # a fresh volume each run
done
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
environment=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" "${ENVS[@]}"
    SWITCHBOARD_LISTEN_HOST=127.0.0.1 SWITCHBOARD_LISTEN_PORT="$port")
mount -t proc proc "$ROOT/proc"
log="$CACHE/serve.log"
say "starting ${ENTRYPOINT[*]} ${CMD[*]} as $STAGE_USER ($uid:$gid) in $WORKDIR on 127.0.0.1:$port"
t=$SECONDS
chroot --userspec="$uid:$gid" --groups="$gid" "$ROOT" /usr/bin/env -i "${environment[@]}" \
    /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$WORKDIR" "${ENTRYPOINT[@]}" "${CMD[@]}" >"$log" 2>&1 </dev/null &
server_pid=$!

http_status() { # the status of GET $1 on the gateway, from bash alone
    local status=""
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
    read -r -t 5 _ status _ <&3 || true
    exec 3<&- 3>&-
    status=${status%$'\r'}
    echo "$status"
}
status=""
while [ $((SECONDS - t)) -lt "$TIMEOUT" ]; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        wait "$server_pid" && code=0 || code=$?
        tail -20 "$log" >&2
        grep -q 'error while loading shared libraries' "$log" \
            && fail "the gateway cannot load a shared library in the image (above)"
        fail "the gateway exited with status $code before answering /healthz (log: $log)"
    fi
    status=$(http_status /healthz 2>/dev/null || true)
    [ "$status" = 200 ] && break
    sleep 0.5
done
[ "$status" = 200 ] || { tail -20 "$log" >&2; fail "GET /healthz did not answer 200 within ${TIMEOUT}s (last: ${status:-no answer})"; }
say "GET /healthz 200 after $(elapsed "$t")"

if [ -n "$HEALTH" ]; then
    chroot --userspec="$uid:$gid" --groups="$gid" "$ROOT" /usr/bin/env -i "${environment[@]}" /bin/sh -c "$HEALTH" \
        || fail "the Dockerfile's HEALTHCHECK command failed in the image: $HEALTH"
    say "HEALTHCHECK command passes: $HEALTH"
fi
status=$(http_status /readyz 2>/dev/null || true)
[ "$status" = 200 ] || fail "GET /readyz answered ${status:-nothing}, not 200"
say "GET /readyz 200"
for volume in "${VOLUMES[@]}"; do
    ls "$ROOT$volume"/*.sqlite >/dev/null 2>&1 && say "the SQLite database is in the volume $volume"
done
ls "$ROOT"/var/lib/switchboard/*.sqlite >/dev/null 2>&1 \
    || fail "no SQLite database under /var/lib/switchboard (the default configuration should keep it in the volume)"

kill -TERM "$server_pid"
for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$server_pid" 2>/dev/null; then fail "the gateway did not stop within 30 s of SIGTERM"; fi
wait "$server_pid" && code=0 || code=$?
server_pid=""
[ "$code" = 0 ] || { tail -20 "$log" >&2; fail "the gateway exited with status $code after SIGTERM"; }
say "stopped by SIGTERM, exit 0"
say "passed in $(elapsed)"
