// Switchboard agent console (issue 8): plain JavaScript, no build step. Talks to the gateway's /v1 API
// (CONTRACT.md §5) and follows the agent's event stream (§6) with EventSource, which reconnects by itself and
// sends Last-Event-ID, so the server replays what was missed. sessions.js and supervisor.js add the session
// tabs and the supervisor's view; all three are classic scripts sharing these globals.
"use strict";

const api = "../v1"; // relative: works behind a proxy's path prefix
const $ = (id) => document.getElementById(id);
const STATUS_ORDER = ["queued", "sending", "sent", "delivered", "failed", "undelivered", "opted-out"];
const BANNER_TEXT = {
  missed: "You missed a notification, so your presence is Inactive and no new work is offered to you.",
  rejected: "You rejected a notification, so your presence is Do not disturb and no new work is offered to you.",
  "max-sessions": "You reached the session limit, so your presence is Do not disturb and no new work is offered to you.",
};

const state = {
  agentId: null, token: null, role: null, events: null,
  seen: new Map(),      // notification id → {data, element?, desktop?, timer?}
  alertQueue: [],       // alert notification ids waiting for the dialog, oldest first
  shownAlert: null,     // id of the alert in the dialog
  sessions: new Map(),  // conversation id → {panel, tab, messages: Map(id → li)}
  statuses: new Map(),  // message id → newest status seen (a status may arrive before the POST answer)
  supervisorTimer: null,
};

// ---- HTTP ----

async function call(method, path, body) {
  const response = await fetch(api + path, {
    method,
    headers: { Authorization: "Bearer " + state.token, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const message = json.message || json.error || response.statusText; // CONTRACT.md §9: {error, message}
    throw new Error(`${response.status}: ${message}`);
  }
  return json;
}

// ---- sign-in ----

async function signIn(agentId, token) {
  state.agentId = agentId;
  state.token = token;
  const agent = await call("GET", "/agents/" + encodeURIComponent(agentId));
  state.role = agent.role;
  sessionStorage.setItem("switchboard.console", JSON.stringify({ agentId, token }));
  $("sign-in").hidden = true;
  $("whoami").hidden = false;
  $("agent-name").textContent = `${agent.name || agent.id} (${agent.role})`;
  showPresence(agent);
  updateDesktopPrompt();
  registerWorker();
  if (agent.role === "supervisor") {
    $("supervisor-view").hidden = false;
    refreshSupervisor();
    state.supervisorTimer = setInterval(refreshSupervisor, 5000);
  } else {
    $("agent-view").hidden = false;
    const open = await call("GET", "/conversations?status=open");
    for (const conversation of open.conversations.reverse()) {
      if (conversation.assignedAgent === agentId) await openSession(conversation.id, false);
    }
  }
  connect();
}

function connect() {
  const url = `${api}/agents/${encodeURIComponent(state.agentId)}/events?access_token=${encodeURIComponent(state.token)}`;
  const events = new EventSource(url);
  state.events = events;
  events.onopen = () => setConnection(true);
  events.onerror = () => setConnection(false); // EventSource retries by itself, sending Last-Event-ID
  const on = (type, handler) => events.addEventListener(type, (e) => handler(JSON.parse(e.data)));
  on("notification", onNotification);
  on("notification.closed", onNotificationClosed);
  on("presence", onPresence);
  on("message", (d) => onMessage(d.conversationId, d.message));
  on("message.status", (d) => setMessageStatus(d.messageId, d.status, d.error));
  on("conversation.closed", onConversationClosed);
}

function setConnection(live) {
  $("connection").textContent = live ? "Connected" : "Reconnecting…";
  $("connection").classList.toggle("live", live);
}

function signOut() {
  sessionStorage.removeItem("switchboard.console");
  if (state.events) state.events.close();
  location.reload();
}

// ---- presence ----

function showPresence(p) {
  const status = p.presence !== undefined ? p.presence : p.status;
  $("presence").value = status;
  const setBy = p.presenceSetBy || p.setBy;
  const reason = p.presenceReason || p.reason;
  $("presence-detail").textContent = `set by ${setBy}${reason ? " (" + reason + ")" : ""}`;
}

async function setPresence(status) {
  const agent = await call("PUT", `/agents/${encodeURIComponent(state.agentId)}/presence`, { status });
  showPresence(agent);
}

function onPresence(p) {
  if (p.agentId === state.agentId) showPresence(p);
  if (state.role === "supervisor") refreshSupervisor();
}

// ---- notifications ----

function onNotification(n) {
  if (state.seen.has(n.id)) return; // re-sent after a reconnect (same data.id)
  const entry = { data: n };
  state.seen.set(n.id, entry);
  if (n.expiresAt && Date.parse(n.expiresAt) <= Date.now() && n.kind !== "banner") return; // stale replay
  if (n.kind === "alert") {
    state.alertQueue.push(n.id);
    showNextAlert();
  } else if (n.kind === "toast") {
    showToast(entry);
    // transfers and escalations are assigned already: the session opens beside the current one
    if (n.conversationId && state.role !== "supervisor") openSession(n.conversationId, false);
  } else {
    showBanner(entry);
  }
  if (n.kind !== "banner") desktopNotify(entry);
}

function onNotificationClosed({ id, outcome }) {
  const entry = state.seen.get(id) || { data: { id } };
  state.seen.set(id, entry);
  entry.closed = outcome;
  if (entry.desktop) entry.desktop.close();
  if (entry.element) entry.element.remove();
  if (entry.timer) clearTimeout(entry.timer);
  state.alertQueue = state.alertQueue.filter((queued) => queued !== id);
  if (state.shownAlert === id) hideAlert();
  if ((outcome === "accepted" || outcome === "auto-accepted") && entry.data.conversationId && state.role !== "supervisor") {
    openSession(entry.data.conversationId, outcome === "accepted" && entry.acceptedHere);
  }
}

/// When the notification's time is up: the server closes it (timed-out); this is the fallback if the stream
/// is down. Uses the server's duration, not its clock, so a skewed clock does not end it early.
function deadlineOf(n) {
  if (!n.expiresAt) return null;
  const duration = Date.parse(n.expiresAt) - Date.parse(n.createdAt);
  return Date.now() + (isNaN(duration) ? (n.timeoutSeconds || 0) * 1000 : duration);
}

function fieldList(dl, fields) {
  dl.replaceChildren();
  for (const f of (fields || []).slice(0, 4)) {
    const dt = document.createElement("dt");
    dt.textContent = f.header;
    const dd = document.createElement("dd");
    dd.textContent = f.value;
    dl.append(dt, dd);
  }
}

function customerNote(customer) {
  if (!customer) return "";
  if (customer.matchCount > 1) return `${customer.matchCount} contacts match this number.`;
  if (customer.matchCount === 0) return "No contact matches this number.";
  return "";
}

function showNextAlert() {
  if (state.shownAlert || state.alertQueue.length === 0) return;
  const id = state.alertQueue.shift();
  const entry = state.seen.get(id);
  const n = entry.data;
  state.shownAlert = id;
  $("alert-title").textContent = n.title;
  fieldList($("alert-fields"), n.fields);
  $("alert-customer-note").textContent = customerNote(n.customer);
  $("alert-error").textContent = "";
  const accept = $("alert-accept");
  accept.textContent = n.autoAssign ? "Open" : "Accept";
  $("alert-reject").hidden = !n.allowReject || n.autoAssign;
  const deadline = deadlineOf(n);
  const countdown = $("alert-countdown");
  countdown.hidden = !n.showTimeout || deadline === null;
  const tick = () => {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    countdown.textContent = `${left} s left to answer`;
    // Hidden or not, the timeout is enforced: the dialog goes when the time is up.
    if (deadline !== null && Date.now() >= deadline + 2000) {
      onNotificationClosed({ id, outcome: "timed-out" });
    }
  };
  if (deadline !== null) {
    tick();
    entry.timer = setInterval(tick, 250);
  }
  const dialog = $("alert");
  if (!dialog.open) dialog.showModal();
  accept.focus();
}

function hideAlert() {
  const entry = state.seen.get(state.shownAlert);
  if (entry && entry.timer) clearInterval(entry.timer);
  state.shownAlert = null;
  $("alert").close();
  showNextAlert();
}

async function answer(id, action) {
  const entry = state.seen.get(id);
  try {
    if (action === "accept") entry.acceptedHere = true;
    const result = await call("POST", `/notifications/${encodeURIComponent(id)}/${action}`);
    onNotificationClosed({ id, outcome: action === "accept" ? "accepted" : "rejected" });
    if (result.conversationId && state.role !== "supervisor") openSession(result.conversationId, true);
  } catch (error) {
    if (state.shownAlert === id) $("alert-error").textContent = `Could not ${action}: ${error.message}`;
  }
}

function showToast(entry) {
  const n = entry.data;
  const toast = document.createElement("section");
  toast.className = "toast";
  toast.setAttribute("role", "status");
  const title = document.createElement("h2");
  title.textContent = n.title;
  const fields = document.createElement("dl");
  fieldList(fields, n.fields);
  const open = document.createElement("button");
  open.type = "button";
  open.textContent = "Open";
  open.addEventListener("click", () => {
    if (n.conversationId) openSession(n.conversationId, true);
    onNotificationClosed({ id: n.id, outcome: "accepted" });
  });
  toast.append(title, fields, open);
  $("toasts").append(toast);
  entry.element = toast;
  const deadline = deadlineOf(n);
  const ms = deadline !== null ? deadline - Date.now() : (n.timeoutSeconds || 10) * 1000;
  entry.timer = setTimeout(() => toast.remove(), Math.max(0, ms)); // toasts go by themselves
}

function showBanner(entry) {
  const n = entry.data;
  const banner = document.createElement("div");
  banner.className = "banner";
  banner.setAttribute("role", "alert");
  banner.dataset.scenario = n.scenario;
  const text = document.createElement("p");
  text.textContent = BANNER_TEXT[n.scenario] || n.title;
  if (n.reason) text.title = n.reason;
  const back = document.createElement("button");
  back.type = "button";
  back.textContent = "Set available";
  back.addEventListener("click", () => setPresence("available").catch((e) => { text.textContent = e.message; }));
  banner.append(text, back);
  $("banners").append(banner);
  entry.element = banner;
}

// ---- desktop notifications (Notification API) ----

function updateDesktopPrompt() {
  $("desktop-prompt").hidden = !("Notification" in window) || Notification.permission !== "default";
}

function pageInBackground() {
  return document.visibilityState !== "visible" || !document.hasFocus();
}

/// The service worker's registration once it is active, for notifications with buttons; null without one.
let worker = null;

function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("sw.js").then(() => navigator.serviceWorker.ready).then((r) => { worker = r; })
    .catch(() => { worker = null; }); // plain notifications still work
  navigator.serviceWorker.addEventListener("message", (event) => {
    const { type, action, id } = event.data || {};
    if (type !== "desktop-click") return;
    window.focus();
    if (action === "accept" || action === "reject") answer(id, action);
  });
  navigator.serviceWorker.startMessages();
}

function desktopNotify(entry) {
  const n = entry.data;
  const Desktop = window.Notification;
  if (!Desktop || Desktop.permission !== "granted") return;
  if (n.desktop === "never" || (n.desktop === "background" && !pageInBackground())) return;
  const body = (n.fields || []).slice(0, 4).map((f) => `${f.header}: ${f.value}`).join("\n");
  const options = { body, tag: n.id, requireInteraction: n.kind === "alert", data: { id: n.id } };
  if (worker && n.kind === "alert" && (Desktop.maxActions || 0) > 0) {
    options.actions = [{ action: "accept", title: n.autoAssign ? "Open" : "Accept" }];
    if (n.allowReject && !n.autoAssign) options.actions.push({ action: "reject", title: "Reject" });
    worker.showNotification(n.title, options).then(() => worker.getNotifications({ tag: n.id }))
      .then(([shown]) => { if (entry.closed && shown) shown.close(); else entry.desktop = shown; });
    return;
  }
  const shown = new Desktop(n.title, options);
  // Clicking the body brings the console forward with the in-app notification; the timeout still applies.
  shown.onclick = () => {
    window.focus();
    shown.close();
  };
  entry.desktop = shown;
}

// ---- wiring ----

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    $("sign-in-error").textContent = "";
    signIn($("agent-id").value.trim(), $("agent-token").value).catch((e) => {
      $("sign-in-error").textContent = "Sign-in failed: " + e.message;
    });
  });
  $("sign-out").addEventListener("click", signOut);
  $("presence").addEventListener("change", (event) =>
    setPresence(event.target.value).catch((e) => { $("presence-detail").textContent = e.message; }));
  $("alert-accept").addEventListener("click", () => answer(state.shownAlert, "accept"));
  $("alert-reject").addEventListener("click", () => answer(state.shownAlert, "reject"));
  // Escape must not dismiss an alert: it needs an answer or its timeout.
  $("alert").addEventListener("cancel", (event) => event.preventDefault());
  $("desktop-allow").addEventListener("click", () => Notification.requestPermission().then(updateDesktopPrompt));
  const saved = sessionStorage.getItem("switchboard.console");
  if (saved) {
    const { agentId, token } = JSON.parse(saved);
    signIn(agentId, token).catch(() => sessionStorage.removeItem("switchboard.console"));
  }
});

// For tests and embedders: feed an event as if it came from the stream.
window.switchboardConsole = { handle: (type, data) => ({
  notification: onNotification, "notification.closed": onNotificationClosed, presence: onPresence,
  "message.status": (d) => setMessageStatus(d.messageId, d.status, d.error),
}[type] || (() => {}))(data) };
