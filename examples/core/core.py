"""A minimal contact-center core behind Switchboard (remote mode, CONTRACT.md section 11).

It verifies each event's Standard Webhooks signature, prints it, and answers every customer message through
Switchboard's /v1 API. Run it, then serve Switchboard with examples/core/switchboard.json (README: "Putting
Switchboard in front of your core").
"""

import json
import os
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

SECRET = os.environ.get("CORE_SECRET", "whsec_ZGVtby1jb3JlLXNlY3JldC1jaGFuZ2UtbWU=")
TOKEN = os.environ.get("CORE_TOKEN", "demo-core-token-change-me")
GATEWAY = os.environ.get("SWITCHBOARD_URL", "http://127.0.0.1:8080")
PORT = int(os.environ.get("CORE_PORT", "8099"))
webhook = Webhook(SECRET)
seen = set()  # webhook-ids already handled: delivery is at least once


def reply(conversation_id, text):
    """POST /v1/conversations/{id}/messages with the core's token."""
    request = urllib.request.Request(
        f"{GATEWAY}/v1/conversations/{conversation_id}/messages",
        data=json.dumps({"text": text}).encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            print(f"  replied: {answer.status} {answer.read().decode()}", flush=True)
    except urllib.error.HTTPError as error:  # 409 opted-out, closed, ...
        print(f"  reply refused: {error.code} {error.read().decode()}", flush=True)


class Events(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            event = webhook.verify(body, dict(self.headers))
        except WebhookVerificationError as error:
            self.send_response(401)
            self.end_headers()
            print(f"refused an event: {error}", flush=True)
            return
        self.send_response(204)  # answer first: Switchboard waits for it before this conversation's next event
        self.end_headers()
        if event["id"] in seen:
            return
        seen.add(event["id"])
        print(f"{event['type']} {event['conversationId']} {event['customer']['phone']}", flush=True)
        message = event.get("message") or {}
        if event["type"] == "message.received" and message.get("author") == "customer":
            text = f"Thanks, we got your message: {message.get('text', '')!r}. An agent will answer soon."
            threading.Thread(target=reply, args=(event["conversationId"], text)).start()

    def log_message(self, *arguments):  # quiet: the events are printed above
        pass


if __name__ == "__main__":
    print(f"core listening on 127.0.0.1:{PORT}, answering through {GATEWAY}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", PORT), Events).serve_forever()
