"""Fixtures for the console's browser tests: a fake Twilio API, a real gateway process, headless Chromium.

The gateway is the built `.build/debug/switchboard` (override with SWITCHBOARD_BINARY) serving a temporary
configuration; the fake provider answers Twilio's Messages API and records what the gateway sent.
"""

import base64
import hashlib
import hmac
import json
import os
import pathlib
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".build-browser" / "screenshots"
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "browser-test-twilio-token"
CHANNEL_NUMBER = "+14155550199"
TOKENS = {"alice": "alice-browser-token", "sam": "sam-browser-token", "admin": "admin-browser-token"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeTwilio:
    """Twilio's `POST /2010-04-01/Accounts/{sid}/Messages.json`: records each request, answers with a sid."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                form = dict(urllib.parse.parse_qsl(body))
                with fake.lock:
                    fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "form": form})
                    sid = f"SMfake{len(fake.requests)}"
                answer = json.dumps({"sid": sid, "status": "queued"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for_request(self, count, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.requests) >= count:
                    return self.requests[count - 1]
            time.sleep(0.05)
        raise AssertionError(f"the fake Twilio API received {len(self.requests)} requests, expected {count}")


class Gateway:
    """`switchboard serve` on a free port with a temporary SQLite database."""

    def __init__(self, fake, notifications, workdir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = {
            "listen": {"host": "127.0.0.1", "port": self.port},
            "publicURL": self.url,
            "database": f"sqlite:{workdir}/switchboard.sqlite",
            "defaultRegion": "US",
            "adminToken": TOKENS["admin"],
            "channels": [{
                "id": "twilio-main", "provider": "twilio", "numbers": [CHANNEL_NUMBER], "region": "US",
                "credentials": {"accountSID": ACCOUNT_SID, "authToken": AUTH_TOKEN},
                "apiBaseURL": fake.url, "queue": "default",
            }],
            "agents": [
                {"id": "alice", "name": "Alice", "token": TOKENS["alice"], "queues": ["default"]},
                {"id": "sam", "name": "Sam", "token": TOKENS["sam"], "role": "supervisor"},
            ],
            "notifications": notifications,
        }
        path = pathlib.Path(workdir) / "switchboard.json"
        path.write_text(json.dumps(config))
        binary = os.environ.get("SWITCHBOARD_BINARY", str(ROOT / ".build" / "debug" / "switchboard"))
        self.command = [binary, "serve", "--config", str(path)]
        self.log = open(pathlib.Path(workdir) / "gateway.log", "a")
        self.start()

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
        self.process = subprocess.Popen(self.command, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the gateway did not start; see {self.log.name}")
                time.sleep(0.1)

    def stop(self, close_log=True):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        if close_log:
            self.log.close()

    def api(self, method, path, body=None, token=TOKENS["admin"]):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def twilio_webhook(self, kind, params):
        """Posts a Twilio webhook signed as Twilio does: HMAC-SHA1 over the URL and the sorted parameters."""
        url = f"{self.url}/webhooks/twilio-main/{kind}"
        signed = url + "".join(name + value for name, value in sorted(params.items()))
        signature = base64.b64encode(hmac.new(AUTH_TOKEN.encode(), signed.encode(), hashlib.sha1).digest()).decode()
        request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("X-Twilio-Signature", signature)
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, f"{kind} webhook answered {response.status}"

    def inbound_sms(self, sid, sender, text):
        self.twilio_webhook("inbound", {"MessageSid": sid, "AccountSid": ACCOUNT_SID, "From": sender,
                                        "To": CHANNEL_NUMBER, "Body": text, "NumMedia": "0"})


@pytest.fixture(scope="module")
def fake_twilio():
    fake = FakeTwilio()
    yield fake
    fake.server.shutdown()


@pytest.fixture(scope="module")
def make_gateway(fake_twilio):
    gateways = []
    directories = []

    def start(**notifications):
        directory = tempfile.TemporaryDirectory(prefix="switchboard-browser-")
        directories.append(directory)
        gateway = Gateway(fake_twilio, notifications, directory.name)
        gateways.append(gateway)
        return gateway

    yield start
    for gateway in gateways:
        gateway.stop()
    for directory in directories:
        directory.cleanup()


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,860",
                     "--disable-gpu", "--lang=en-US"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")),
                              options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def screenshot(browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()

    def take(name):
        browser.save_screenshot(str(SCREENSHOTS / f"{name}.png"))

    return take
