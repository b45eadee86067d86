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
    li.textContent = `${c.channel} from ${who} on ${c.channelId} (queue ${c.queue}) since `
      + `${new Date(c.createdAt).toLocaleTimeString()}: ${c.waitingReason || "being offered"}`;
    list.append(li);
  }
  for (const item of items) {
    const li = document.createElement("li");
    li.textContent = `${item.kind} “${item.title}” (queue ${item.queue}): ${item.waitingReason || item.status}`;
    list.append(li);
  }
  $("no-waiting").hidden = waiting.length + items.length > 0;
}
