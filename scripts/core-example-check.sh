#!/usr/bin/env bash
# The example core of README "Putting Switchboard in front of your core" (`make test-core-example`, issue 15):
# starts examples/core/core.py and the built debug gateway (.build/debug/switchboard, or $SWITCHBOARD_BINARY)
# with examples/core/switchboard.json on free loopback ports and a temporary database, replays a customer's SMS,
# and checks that the core verified and printed its events and that its answer, sent through /v1 with the core's
# token, is in the conversation. Needs .venv with examples/core/requirements.txt (the Makefile installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
BINARY=${SWITCHBOARD_BINARY:-.build/debug/switchboard}
CONFIG=examples/core/switchboard.json
TOKEN=demo-core-token-change-me

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
gateway_port=$(free_port)
core_port=$(free_port)
url="http://127.0.0.1:$gateway_port"
# The example's file as it is; only the ports and the database differ (SWITCHBOARD_* overrides).
export SWITCHBOARD_LISTEN_PORT=$gateway_port SWITCHBOARD_PUBLICURL=$url
export SWITCHBOARD_DATABASE="sqlite:$work/switchboard.sqlite" SWITCHBOARD_ROUTER_URL="http://127.0.0.1:$core_port/events"

CORE_PORT=$core_port SWITCHBOARD_URL=$url "$VENV/bin/python" examples/core/core.py >"$work/core.log" 2>&1 &
pids+=($!)
env -u SWITCHBOARD_CONFIG LOG_LEVEL=warning "$BINARY" serve --config "$CONFIG" >"$work/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && break
    sleep 0.1
done
"$BINARY" replay Fixtures/twilio/inbound-sms.json --config "$CONFIG" --target "$url"

fail() {
    echo "core example: $1" >&2
    echo "--- core.py" >&2; cat "$work/core.log" >&2
    echo "--- gateway" >&2; cat "$work/gateway.log" >&2
    exit 1
}
for _ in $(seq 1 100); do
    grep -q "replied: 202" "$work/core.log" && break
    sleep 0.1
done
grep -q "^message.received conv_" "$work/core.log" || fail "the core printed no message.received"
grep -q "^notification.request conv_" "$work/core.log" || fail "the core printed no notification.request"
grep -q "replied: 202" "$work/core.log" || fail "the core's reply was not accepted"
conversation=$(grep -o "^message.received conv_[0-9a-f]*" "$work/core.log" | head -1 | cut -d' ' -f2)
answer=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$url/v1/conversations/$conversation")
"$VENV/bin/python" - "$answer" <<'PY' || fail "the conversation does not hold the core's answer"
import json, sys
messages = json.loads(sys.argv[1])["messages"]
assert [m["direction"] for m in messages] == ["inbound", "outbound"], messages
assert messages[1]["text"].startswith("Thanks, we got your message"), messages[1]
PY
echo "core example: PASS (events verified and printed; the core's reply is in conversation $conversation)"
cat "$work/core.log"
