// Switchboard agent console: one tab per accepted conversation, its history and the reply box.
// A classic script loaded after console.js, sharing its globals (state, call, $, fieldList); no build step.
"use strict";

// ---- sessions ----

async function openSession(conversationId, select) {
  if (state.sessions.has(conversationId)) {
    if (select) selectSession(conversationId);
    return;
  }
  const placeholder = { pending: true };
  state.sessions.set(conversationId, placeholder);
  let conversation;
  try {
    conversation = await call("GET", "/conversations/" + encodeURIComponent(conversationId));
  } catch (error) {
    state.sessions.delete(conversationId);
    return;
  }
  const panel = $("session-template").content.firstElementChild.cloneNode(true);
  panel.id = "session-" + conversationId;
  const who = (conversation.contact && conversation.contact.name) || conversation.customerPhone;
  panel.querySelector(".customer").textContent = who;
  const notes = [];
  if (conversation.contact) notes.push(conversation.customerPhone);
  if (conversation.contactCandidates && conversation.contactCandidates.length > 1) {
    notes.push(`${conversation.contactCandidates.length} contacts match this number`);
  }
  notes.push(`${conversation.channel} on ${conversation.channelId}, queue ${conversation.queue}`);
  panel.querySelector(".customer-note").textContent = notes.join(" · ");
  showContext(panel, conversation.context);

  const tab = document.createElement("button");
  tab.type = "button";
  tab.setAttribute("role", "tab");
  tab.id = "tab-" + conversationId;
  tab.setAttribute("aria-controls", panel.id);
  panel.setAttribute("aria-labelledby", tab.id);
  tab.textContent = who;
  tab.addEventListener("click", () => selectSession(conversationId));
  tab.addEventListener("keydown", moveBetweenTabs);

  const session = { panel, tab, messages: new Map(), list: panel.querySelector(".messages") };
  state.sessions.set(conversationId, session);
  for (const message of conversation.messages || []) addMessage(session, message);

  const form = panel.querySelector(".reply");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply(conversationId, form);
  });
  panel.querySelector(".close-session").addEventListener("click", () =>
    call("POST", `/conversations/${encodeURIComponent(conversationId)}/close`)
      .then(() => removeSession(conversationId))
      .catch((e) => { form.querySelector(".error").textContent = e.message; }));
  $("session-tabs").append(tab);
  $("session-panels").append(panel);
  $("no-sessions").hidden = true;
  if (select || state.sessions.size === 1) selectSession(conversationId);
  else panel.hidden = true;
}

function showContext(panel, context) {
  if (!context) return;
  const details = panel.querySelector(".bot-context");
  details.hidden = false;
  const bot = context.bot || {};
  const rows = [["Reason", context.reason], ["Topic", bot.lastTopic], ["Summary", bot.summary],
    ["Language", bot.language], ["Priority", context.priority]];
  for (const [name, value] of Object.entries(bot.variables || {})) rows.push([name, String(value)]);
  fieldList(details.querySelector(".bot-summary"), []);
  for (const [header, value] of rows) {
    if (value === undefined || value === null || value === "") continue;
    const dt = document.createElement("dt");
    dt.textContent = header;
    const dd = document.createElement("dd");
    dd.textContent = value;
    details.querySelector(".bot-summary").append(dt, dd);
  }
  for (const line of context.transcript || []) {
    const li = document.createElement("li");
    li.textContent = `${line.from}: ${line.text}`;
    details.querySelector(".transcript").append(li);
  }
}

function selectSession(conversationId) {
  for (const [id, session] of state.sessions) {
    if (session.pending) continue;
    const selected = id === conversationId;
    session.tab.setAttribute("aria-selected", String(selected));
    session.tab.tabIndex = selected ? 0 : -1;
    session.panel.hidden = !selected;
  }
  const session = state.sessions.get(conversationId);
  if (session && !session.pending) session.panel.querySelector("textarea").focus();
}

function moveBetweenTabs(event) {
  const tabs = [...$("session-tabs").querySelectorAll("[role=tab]")];
  const index = tabs.indexOf(event.target);
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (step === undefined) return;
  const next = tabs[(index + step + tabs.length) % tabs.length];
  next.focus();
  next.click();
}

function removeSession(conversationId) {
  const session = state.sessions.get(conversationId);
  if (!session || session.pending) return;
  session.tab.remove();
  session.panel.remove();
  state.sessions.delete(conversationId);
  const first = [...state.sessions.keys()][0];
  if (first) selectSession(first);
  $("no-sessions").hidden = state.sessions.size > 0;
}

function addMessage(session, message) {
  if (session.messages.has(message.id)) return;
  const li = document.createElement("li");
  li.className = message.direction;
  li.dataset.messageId = message.id;
  const text = document.createElement("span");
  text.className = "text";
  text.textContent = message.text;
  const meta = document.createElement("span");
  meta.className = "meta";
  const time = new Date(message.createdAt || Date.now()).toLocaleTimeString();
  meta.append(`${message.author}, ${time} · `);
  const status = document.createElement("span");
  status.className = "status";
  meta.append(status);
  li.append(text);
  const media = mediaList(message.media);
  if (media) li.append(media);
  li.append(meta);
  session.messages.set(message.id, li);
  session.list.append(li);
  li.scrollIntoView({ block: "nearest" });
  setMessageStatus(message.id, message.status, message.error);
}

function onMessage(conversationId, message) {
  const session = state.sessions.get(conversationId);
  if (session && !session.pending) addMessage(session, message);
  else if (!session) openSession(conversationId, false);
}

/// Statuses never move back (CONTRACT.md §5): a late `sent` after `delivered` is ignored.
function setMessageStatus(messageId, status, error) {
  const known = state.statuses.get(messageId);
  if (known && STATUS_ORDER.indexOf(known) > STATUS_ORDER.indexOf(status)) status = known;
  state.statuses.set(messageId, status);
  for (const session of state.sessions.values()) {
    const li = session.messages && session.messages.get(messageId);
    if (!li) continue;
    const element = li.querySelector(".status");
    element.textContent = status + (error ? ` (${error.code}: ${error.message})` : "");
    element.className = "status status-" + status;
  }
}

/// Text, a media URL, or both (CONTRACT.md §5); the gateway refuses media where the channel cannot send it.
async function sendReply(conversationId, form) {
  const textarea = form.querySelector("textarea");
  const mediaInput = form.querySelector("input[name=media]");
  const text = textarea.value.trim();
  const mediaURL = mediaInput.value.trim();
  if (!text && !mediaURL) return;
  const body = mediaURL ? { text, media: [mediaURL] } : { text };
  const error = form.querySelector(".error");
  error.textContent = "";
  try {
    const answer = await call("POST", `/conversations/${encodeURIComponent(conversationId)}/messages`, body);
    textarea.value = "";
    mediaInput.value = "";
    addMessage(state.sessions.get(conversationId), {
      id: answer.messageId, direction: "outbound", author: "agent", text, status: answer.status,
      media: mediaURL ? [{ url: mediaURL, contentType: null }] : [], createdAt: new Date().toISOString(),
    });
  } catch (e) {
    error.textContent = "Not sent: " + e.message;
  }
}

function onConversationClosed({ conversationId, reason }) {
  const session = state.sessions.get(conversationId);
  if (!session || session.pending) return;
  session.panel.querySelector(".customer-note").textContent += ` · closed (${reason})`;
  session.panel.querySelector(".reply").hidden = true;
}
