// The sandbox page: renders the state the server streams (server-sent
// events) and plays the users by calling the sandbox, which goes through
// the fake Telegram Bot API. No build step, no dependencies.
"use strict";

let state = null;
const picked = { returnee: null, staff: null };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function status(text, error) {
  const s = document.getElementById("status");
  s.textContent = text || "";
  s.style.color = error ? "#ffd0d0" : "";
}

async function call(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
  let data = {};
  try { data = await res.json(); } catch (_) { /* empty answer */ }
  if (!res.ok && res.status !== 422) throw new Error(data.error || res.statusText);
  return data;
}

function chatByID(id) { return state && state.chats.find((c) => c.id === id); }

function currentChat(column) {
  if (!state) return null;
  if (column === "manager") return state.chats.find((c) => c.role === "manager");
  const want = picked[column];
  const list = state.chats.filter((c) => column === "returnee" ? c.role === "returnee" : (c.role === "caseworker" || c.role === "supervisor"));
  return list.find((c) => c.id === want) || list.find((c) => c.role === "caseworker") || list[0];
}

function fillPicker(select, chats, column) {
  if (select.options.length === chats.length) return;
  select.replaceChildren(...chats.map((c) => el("option", { value: c.id }, `${c.name} · ${c.key} · ${c.lang}`)));
  select.onchange = () => { picked[column] = Number(select.value); render(); };
  const cur = currentChat(column);
  if (cur) select.value = cur.id;
}

function renderMessage(chat, m) {
  const b = el("div", { class: "msg" + (m.mine ? " mine" : " bot") + (m.deleted ? " deleted" : ""), dir: "auto", "data-id": m.id });
  // The bubble's dir="auto" takes its direction from the text (its first
  // strong character); the buttons and the date follow it.
  b.append(el("span", { class: "text" }, m.text));
  if (m.document) {
    const name = "📄 " + m.document.name;
    b.append(el("div", {}, m.document.url ? el("a", { class: "doc", href: m.document.url, download: m.document.name }, name) : el("span", { class: "doc" }, name)));
  }
  if (m.buttons && !m.deleted) {
    const kb = el("div", { class: "kb" });
    for (const row of m.buttons) {
      const r = el("div", { class: "row" });
      for (const btn of row) {
        if (btn.url) { r.append(el("a", { href: btn.url, target: "_blank", rel: "noopener" }, btn.text)); continue; }
        r.append(el("button", { type: "button", "data-data": btn.data, onclick: () => press(chat.id, m.id, btn.data) }, btn.text));
      }
      kb.append(r);
    }
    b.append(kb);
  }
  b.append(el("span", { class: "meta" }, el("bdi", { dir: "ltr" }, m.date + (m.edited ? " · edited" : ""))));
  return b;
}

function renderPhone(column) {
  const section = document.getElementById(column);
  const chat = currentChat(column);
  if (!chat) return;
  section.dataset.chat = chat.id;
  section.querySelector(".compose input").dir = chat.lang === "ar" ? "rtl" : "auto";
  if (column === "manager") section.querySelector(".who").textContent = `${chat.name} · ${chat.key}`;
  const box = section.querySelector(".messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren(...chat.messages.map((m) => renderMessage(chat, m)));
  if (atBottom || box.dataset.chat !== String(chat.id)) box.scrollTop = box.scrollHeight;
  box.dataset.chat = chat.id;
  const cmds = section.querySelector(".commands");
  cmds.replaceChildren(...(chat.commands || []).map((c) =>
    el("button", { type: "button", title: c.description, onclick: () => {
      const input = section.querySelector(".compose input");
      input.value = "/" + c.command + " "; input.focus();
    } }, "/" + c.command)));
  if (column === "returnee") {
    const inv = document.getElementById("invite");
    inv.replaceChildren();
    if (chat.token && chat.messages.length === 0) {
      inv.append("Invitation for " + chat.key + ": ",
        el("button", { type: "button", id: "use-invitation", onclick: () => send(chat.id, "/start " + chat.token) }, "Open the invitation"));
    }
  }
}

function render() {
  if (!state) return;
  document.getElementById("clock").textContent = state.clock;
  document.getElementById("ahead").textContent = state.ahead;
  fillPicker(document.getElementById("pick-returnee"), state.chats.filter((c) => c.role === "returnee"), "returnee");
  fillPicker(document.getElementById("pick-staff"), state.chats.filter((c) => c.role === "caseworker" || c.role === "supervisor"), "staff");
  for (const column of ["returnee", "staff", "manager"]) renderPhone(column);
  document.getElementById("flows").replaceChildren(...state.flows.map((f) =>
    el("li", {}, `${f.id} v${f.version}: ${f.title} (${f.schedule})`)));
  document.getElementById("flows-dir").textContent = state.flows_dir ? "Folder: " + state.flows_dir : "Set SUIVI_FLOWS_DIR to edit flows and reload them here.";
  document.getElementById("reload").disabled = !state.flows_dir;
  const p = document.getElementById("problems");
  if (state.reload) {
    p.className = state.reload.ok ? "ok" : "";
    p.textContent = state.reload.ok ? `Reloaded at ${state.reload.at}: the new versions are used from now on.`
      : `Refused at ${state.reload.at}:\n` + (state.reload.problems.join("\n") || state.reload.error);
  }
  if (state.restarting) status("restarting…");
  else if (state.notices.length) status(state.notices[state.notices.length - 1].text);
}

async function send(chat, text) {
  try { await call("/sandbox/send", { chat, text }); } catch (e) { status(e.message, true); }
}

async function press(chat, message, data) {
  try { await call("/sandbox/press", { chat, message, data }); } catch (e) { status(e.message, true); }
}

for (const column of ["returnee", "staff", "manager"]) {
  const form = document.querySelector(`#${column} .compose`);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = form.querySelector("input");
    const chat = currentChat(column);
    if (!chat || !input.value.trim()) return;
    send(chat.id, input.value);
    input.value = "";
  });
}

const clockButtons = document.querySelectorAll("[data-step]");
for (const b of clockButtons) {
  b.addEventListener("click", async () => {
    clockButtons.forEach((x) => { x.disabled = true; });
    status("moving the clock…");
    try { await call("/sandbox/clock", { step: b.dataset.step }); status(""); } catch (e) { status(e.message, true); }
    clockButtons.forEach((x) => { x.disabled = false; });
  });
}

document.getElementById("reset").addEventListener("click", async () => {
  if (!confirm("Delete everything in the sandbox and start again from the demonstration data?")) return;
  status("resetting…");
  try { await call("/sandbox/reset"); } catch (e) { status(e.message, true); }
});

document.getElementById("reload").addEventListener("click", async () => {
  status("reloading flows…");
  try {
    const r = await call("/sandbox/flows/reload");
    status(r.ok ? "flows reloaded" : "flows refused", !r.ok);
  } catch (e) { status(e.message, true); }
});

function connect() {
  const es = new EventSource("/sandbox/events");
  es.onmessage = (ev) => { state = JSON.parse(ev.data); render(); };
  es.onerror = () => { status("reconnecting…"); };
  es.onopen = () => { status(""); };
}
connect();
