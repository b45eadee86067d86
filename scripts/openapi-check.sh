#!/usr/bin/env bash
# The OpenAPI check (`make test-openapi`, issue 14):
#  1. validates Sources/Server/OpenAPI/openapi.json with openapi-spec-validator;
#  2. starts the built debug gateway (.build/debug/switchboard, or $SWITCHBOARD_BINARY) on a free loopback port,
#     on a temporary SQLite database with an admin token, two agents and a Twilio channel whose API is a closed
#     port, seeds two conversations by replaying fixtures, and runs Schemathesis against it with the admin token:
#     every answer must be documented (status, content type, headers, schema), no 5xx, auth enforced, invalid
#     input refused. The event stream (it never ends) is left out; OpenAPIDocumentTests and the SSE tests cover it.
# Bounded: --max-examples per operation (OPENAPI_MAX_EXAMPLES, 20) and --max-time (OPENAPI_MAX_TIME, 60 s), inside
# `timeout 300`. OPENAPI_SEED changes the seed (default 14, so a run is reproducible).
# Needs .venv with Tests/OpenAPI/requirements.txt (the Makefile's test-openapi installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
BINARY=${SWITCHBOARD_BINARY:-.build/debug/switchboard}
MAX_EXAMPLES=${OPENAPI_MAX_EXAMPLES:-20}
# Fuzzing and stateful testing repeat until --max-time is spent (--max-examples alone stops after a few seconds
# with little stateful coverage); OPENAPI_MAX_TIME= (empty) leaves it out.
MAX_TIME=${OPENAPI_MAX_TIME-60}
DOCUMENT=Sources/Server/OpenAPI/openapi.json

"$VENV/bin/openapi-spec-validator" "$DOCUMENT"

work=$(mktemp -d)
gateway=""
cleanup() {
    if [ -n "$gateway" ] && kill -0 "$gateway" 2>/dev/null; then
        kill -TERM "$gateway"
        wait "$gateway" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
admin="openapi-check-admin-token"
cat >"$work/switchboard.json" <<JSON
{
  "listen": { "host": "127.0.0.1", "port": $port },
  "publicURL": "$url",
  "database": "sqlite:$work/switchboard.sqlite",
  "defaultRegion": "US",
  "adminToken": "$admin",
  "channels": [
    { "id": "twilio-main", "provider": "twilio", "numbers": ["+14155550199"], "region": "US",
      "credentials": { "accountSID": "AC00000000000000000000000000000000", "authToken": "openapi-check-twilio" },
      "apiBaseURL": "http://127.0.0.1:9", "queue": "default" }
  ],
  "agents": [
    { "id": "alice", "name": "Alice", "token": "openapi-check-alice", "queues": ["default"] },
    { "id": "sam", "name": "Sam", "token": "openapi-check-sam", "role": "supervisor" }
  ]
}
JSON

env -u SWITCHBOARD_CONFIG LOG_LEVEL=warning "$BINARY" serve --config "$work/switchboard.json" >"$work/gateway.log" 2>&1 &
gateway=$!
for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$url/healthz" 2>/dev/null && break
    kill -0 "$gateway" 2>/dev/null || { cat "$work/gateway.log"; echo "the gateway did not start" >&2; exit 1; }
    sleep 0.1
done

# Conversations for the id routes to find (Schemathesis follows the document's links from the lists).
"$BINARY" replay Fixtures/twilio/inbound-sms.json Fixtures/twilio/inbound-mms.json \
    --config "$work/switchboard.json" --target "$url" >"$work/replay.log"

status=0
# --exclude-checks: positive_data_acceptance wants 2xx for every valid input, but random ids are unknown (404).
# From the temporary directory: Schemathesis keeps a cache of failing cases in ./.schemathesis.
root=$PWD
(cd "$work" && timeout 300 "$root/$VENV/bin/schemathesis" run "$root/$DOCUMENT" --url "$url" \
    -H "Authorization: Bearer $admin" \
    --exclude-path '/v1/agents/{id}/events' \
    --checks all --exclude-checks positive_data_acceptance \
    --max-examples "$MAX_EXAMPLES" ${MAX_TIME:+--max-time "$MAX_TIME"} --workers 1 --request-timeout 10 \
    --generation-database none --seed "${OPENAPI_SEED:-14}" --no-color) \
    || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- gateway log ($work/gateway.log) ---"
    tail -n 50 "$work/gateway.log"
fi
exit "$status"
