// Switchboard agent console: the supervisor's view of agents and waiting work.
// A classic script loaded after console.js, sharing its globals (state, call, $, fieldList); no build step.
"use strict";

// ---- supervisor ----

async function refreshSupervisor() {
  const [{ agents }, { conversations }] = await Promise.all([
    call("GET", "/agents"), call("GET", "/conversations?status=open"),
  ]);
  const body = $("agents-table").tBodies[0];
  body.replaceChildren();
  for (const agent of agents) {
    const row = body.insertRow();
    row.dataset.agentId = agent.id;
    const cells = [`${agent.name || agent.id} (${agent.id}, ${agent.role})`, agent.presence, agent.presenceSetBy,
      agent.presenceReason || "", agent.signedIn ? "yes" : "no", String(agent.activeSessions),
      `${agent.usedCapacity} / ${agent.capacity}`];
    cells.forEach((value, index) => {
      const cell = row.insertCell();
      cell.textContent = value;
      cell.className = ["name", "presence", "set-by", "reason", "signed-in", "sessions", "capacity"][index];
    });
    const reset = document.createElement("button");
    reset.type = "button";
    reset.textContent = "Reset presence";
    reset.setAttribute("aria-label", `Reset presence of ${agent.name || agent.id}`);
    reset.addEventListener("click", () =>
      call("POST", `/agents/${encodeURIComponent(agent.id)}/presence/reset`).then(refreshSupervisor));
    row.insertCell().append(reset);
  }
  const waiting = conversations.filter((c) => !c.assignedAgent);
  let items = [];
  try {
    items = (await call("GET", "/work-items?status=waiting")).workItems || [];
  } catch (e) {
    items = []; // work items arrive with their own issue
  }
  const list = $("waiting");
  list.replaceChildren();
  for (const c of waiting) {
    const li = document.createElement("li");
    const who = (c.contact && c.contact.name) || c.customerPhone;
    li.dataset.conversationId = c.id;
    li.append(`${c.channel} from ${who} on ${c.channelId} (queue ${c.queue}) since `
      + `${new Date(c.createdAt).toLocaleTimeString()}: ${c.waitingReason || "being offered"}`,
      decisionsOf("conversationId", c.id));
    list.append(li);
  }
  for (const item of items) {
    const li = document.createElement("li");
    li.dataset.workItemId = item.id;
    li.append(`${item.kind} “${item.title}” (queue ${item.queue}): ${item.waitingReason || item.status}`,
      decisionsOf("workItemId", item.id));
    list.append(li);
  }
  $("no-waiting").hidden = waiting.length + items.length > 0;
}

// ---- the router's decisions about one item (GET /v1/decisions), newest first, loaded when opened ----

const openDecisions = new Set(); // "conversationId:conv_…": stays open across the view's refreshes

function decisionsOf(key, id) {
  const details = document.createElement("details");
  details.className = "decisions";
  const summary = document.createElement("summary");
  summary.textContent = "Why? (the router's decisions)";
  const entries = document.createElement("ol");
  details.append(summary, entries);
  const load = async () => {
    const { decisions } = await call("GET", `/decisions?${key}=${encodeURIComponent(id)}&limit=50`);
    entries.replaceChildren(...decisions.map((d) => {
      const entry = document.createElement("li");
      entry.className = `decision ${d.kind}`;
      entry.textContent = `${new Date(d.at).toLocaleTimeString()} ${d.kind}`
        + `${d.agentId ? " " + d.agentId : ""}: ${d.reason}`;
      return entry;
    }));
  };
  details.addEventListener("toggle", () => {
    if (details.open) {
      openDecisions.add(`${key}:${id}`);
      load();
    } else {
      openDecisions.delete(`${key}:${id}`);
    }
  });
  if (openDecisions.has(`${key}:${id}`)) details.open = true;
  return details;
}
