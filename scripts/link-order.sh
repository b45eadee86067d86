#!/usr/bin/env bash
# Writes Docker/link-order.txt: the functions of the shipped binary that run while the gateway starts and idles,
# for lld's --symbol-ordering-file (the Makefile's SHIPPED, Docker/Dockerfile). Linked first and together, the code
# a gateway touches at start fills fewer pages: the kernel maps a file's pages 64 kB around each one touched, so
# scattered code kept most of the binary's 31 MB of .text resident (19 MB) in an idle gateway.
#
# Run it after changes that move what runs at start (a new dependency, a new start-up step); a stale file only
# leaves new functions unordered (lld skips names it does not find). Needs valgrind (Debian's), about 3 minutes:
#   scripts/link-order.sh [BINARY]   (default: the binary `make release` builds)
# It starts BINARY under callgrind with the example configuration and 10,000 agents (as the bench's memory line), waits
# until it listens and 5 s more, stops it with SIGTERM, and lists every function of BINARY that ran, by its
# symbol name, in callgrind's order.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "link-order: $*" >&2; }
command -v valgrind >/dev/null || { say "needs valgrind (apt-get install valgrind)"; exit 1; }

binary=${1:-}
if [ -z "$binary" ]; then
    make release >&2
    binary="$(make -s --no-print-directory release-bin-path)/switchboard"
fi
work=$(mktemp -d)
trap 'kill -KILL "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the DWARF 5 that Swift writes; the symbol table is what the list needs.
objcopy --strip-debug "$binary" "$work/switchboard"

# The example configuration as the gateway reads it (every default written out, so that every section is decoded),
# with 10,000 agents like the first and a database of its own.
"$work/switchboard" check-config --config switchboard.example.json >"$work/effective.json"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
config = json.load(open(f"{work}/effective.json"))
example = {channel["id"]: channel for channel in json.load(open("switchboard.example.json"))["channels"]}
for channel in config["channels"]:  # check-config masks the secrets, and masked keys are not valid keys
    channel["credentials"] = example[channel["id"]].get("credentials", {})
template = config["agents"][0]
config["agents"] = [dict(template, id=f"agent{i}", name=f"Agent {i}", token=f"token-{i}", voiceEndpoint=f"client:agent{i}")
                    for i in range(10_000)]
config["adminToken"] = "admin-token"
config["listen"] = dict(config["listen"], host="127.0.0.1", port=0)
config["database"] = f"sqlite:{work}/order.sqlite"
json.dump(config, open(f"{work}/config.json", "w"))
PY

say "starting $binary under callgrind"
valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/callgrind.out" \
    "$work/switchboard" serve --config "$work/config.json" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
    grep -q "Server started and listening" "$work/serve.log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; say "the gateway stopped"; exit 1; }
    sleep 0.5
done
grep -q "Server started and listening" "$work/serve.log" || { say "the gateway did not listen in 5 minutes"; exit 1; }
sleep 5
kill -TERM "$pid"
wait "$pid" || true
pid=""

python3 - "$work/callgrind.out" "$work/switchboard" Docker/link-order.txt <<'PY'
import re, subprocess, sys
profile, binary, output = sys.argv[1:]
# callgrind names each object and function once, "(id) name", and refers to it as "(id)" afterwards.
pattern = re.compile(r"^(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$")
names = {"ob": {}, "fn": {}}
current_object, seen, order = None, set(), []
for line in open(profile, errors="replace"):
    match = pattern.match(line.rstrip("\n"))
    if not match:
        continue
    key, number, name = match.groups()
    kind = "ob" if key in ("ob", "cob") else "fn"
    if name:
        names[kind][number] = name
    if key == "ob":
        current_object = names["ob"].get(number)
    elif key == "fn" and current_object == binary:
        function = re.sub(r"'\d+$", "", names["fn"].get(number, ""))  # callgrind's recursion marks
        if function and not function.startswith("0x") and function not in seen:
            seen.add(function)
            order.append(function)
symbols = {line.split()[-1] for line in subprocess.run(["nm", binary], capture_output=True, text=True).stdout.splitlines()}
order = [function for function in order if function in symbols]
with open(output, "w") as file:
    file.write("# Functions that run while the gateway starts and idles, linked first (lld --symbol-ordering-file).\n")
    file.write("# Written by scripts/link-order.sh; stale names are skipped by the linker.\n")
    file.write("\n".join(order) + "\n")
print(f"link-order: {len(order)} functions written to {output}", file=sys.stderr)
PY
