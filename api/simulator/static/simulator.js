// The resident simulator: sends through the WeChat stand-in's residents' side and shows what reaches the
// resident (passive replies, customer-service messages, template and subscribe pushes) from its messages log.
import { GridMap } from "/staff/static/gridmap.js";

const RESIDENTS = "/sandbox/api/residents";
const POLL_MS = 1500;
const $ = (selector) => document.querySelector(selector);

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// ---- who is typing -------------------------------------------------------------------------------
const params = new URLSearchParams(location.search);
let openid = params.get("openid") || localStorage.getItem("gongzhi.sim.openid") || newOpenid();
function newOpenid() {
  return "o_sim_" + Math.random().toString(36).slice(2, 10);
}
const mineKey = () => `gongzhi.sim.mine.${openid}`;
let mine = [];      // what this resident sent: {afterSeq, kind, text?, image?, label?}
let log = [];       // what reached the resident (the stand-in's messages log)
let lastSeq = 0;
let polling = null;

function remember() {
  localStorage.setItem("gongzhi.sim.openid", openid);
  localStorage.setItem(mineKey(), JSON.stringify(mine.map((m) => ({ ...m, image: m.image && m.image.length < 200000 ? m.image : null }))));
}

// ---- drawing -------------------------------------------------------------------------------------
function bubble(who, ...content) {
  return h("div", { class: `msg ${who}` }, h("div", { class: "avatar" }, who === "me" ? "我" : "共治"), ...content);
}
function drawMine(m) {
  if (m.kind === "image") return bubble("me", h("div", { class: "body" }, m.image ? h("img", { src: m.image, alt: "我发的照片" }) : "［照片］"));
  if (m.kind === "location") {
    return bubble("me", h("div", { class: "card loc" }, h("div", { class: "title" }, m.label || "位置"), h("div", { class: "pin" }, "📍")));
  }
  if (m.kind === "event") return h("div", { class: "system" }, m.text);
  return bubble("me", h("div", { class: "body" }, m.text));
}
// How WeChat shows the sandbox's template / subscribe messages: a title and labelled fields per template.
const TEMPLATES = [
  { match: "rating", title: "服务评价邀请", labels: { character_string1: "工单编号", thing2: "问题", thing3: "评价" } },
  { match: "filed", title: "反映受理通知",
    labels: { character_string1: "工单编号", thing2: "问题类别", thing3: "负责网格", time4: "受理时间" } },
  { match: "status", title: "工单进度通知",
    labels: { character_string1: "工单编号", phrase2: "办理状态", thing3: "说明", thing4: "承办单位", time5: "时间" } },
];
function templateOf(entry) {
  const id = String((entry.body && entry.body.template_id) || "");
  return TEMPLATES.find((t) => id.includes(t.match)) || { title: entry.via === "template" ? "模板消息" : "服务通知", labels: {} };
}
function drawLogged(entry) {
  if (entry.via === "system") return h("div", { class: "system", "data-via": "system" }, entry.text);
  if (entry.via === "template" || entry.via === "subscribe") {
    const data = (entry.body && entry.body.data) || {};
    const template = templateOf(entry);
    const lines = Object.entries(data).map(([key, item]) => {
      const label = template.labels[key];
      return h("div", { class: "line" }, label ? h("span", {}, `${label}：`) : null, item.value);
    });
    return bubble("bot", h("div", { class: "card", "data-via": entry.via },
      h("div", { class: "title" }, template.title), lines));
  }
  if (entry.msgtype === "image") {
    return bubble("bot", h("div", { class: "body", "data-via": entry.via }, "［图片］"));
  }
  return bubble("bot", h("div", { class: "body", "data-via": entry.via }, entry.text || ""));
}
function redraw() {
  const chat = $("#chat");
  chat.replaceChildren();
  const byAfter = new Map();
  for (const m of mine) {
    if (!byAfter.has(m.afterSeq)) byAfter.set(m.afterSeq, []);
    byAfter.get(m.afterSeq).push(m);
  }
  for (const m of byAfter.get(0) || []) chat.append(drawMine(m));
  for (const entry of log) {
    chat.append(drawLogged(entry));
    for (const m of byAfter.get(entry.seq) || []) chat.append(drawMine(m));
  }
  const pending = mine.filter((m) => m.afterSeq > lastSeq);
  for (const m of pending) chat.append(drawMine(m));
  chat.scrollTop = chat.scrollHeight;
}

async function poll() {
  try {
    const response = await fetch(`/sandbox/api/messages?openid=${encodeURIComponent(openid)}`);
    if (!response.ok) return;
    const entries = await response.json();
    const changed = entries.length !== log.length || entries.some((e) => e.seq > lastSeq);
    log = entries;
    if (changed) {
      lastSeq = entries.length ? entries[entries.length - 1].seq : 0;
      redraw();
    }
  } catch {
    // the server restarted or the network blinked: the next poll tries again
  }
}

// ---- sending -------------------------------------------------------------------------------------
let sending = Promise.resolve();
function send(message, shown) {
  const entry = { afterSeq: lastSeq, ...shown };
  mine.push(entry);
  remember();
  redraw();
  sending = sending.then(async () => {
    try {
      await fetch(`${RESIDENTS}/${encodeURIComponent(openid)}/send`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(message),
      });
    } finally {
      await poll();
    }
  });
  return sending;
}

function sendText() {
  const input = $("#text");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  send({ kind: "text", content: text }, { kind: "text", text });
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function sendPhoto(file) {
  const dataUrl = await readFile(file);
  const base64 = String(dataUrl).split(",", 2)[1];
  $("#tray").hidden = true;
  await send({ kind: "image", image_base64: base64, filename: file.name || "photo.jpg" }, { kind: "image", image: dataUrl });
}

// ---- location sheet ------------------------------------------------------------------------------
let map = null;
let picked = null;
async function openLocation() {
  $("#tray").hidden = true;
  $("#location-sheet").hidden = false;
  if (!map) {
    map = new GridMap($("#location-map"), {
      height: 300,
      onClick: ({ lat, lng, grid }) => pick({ lat, lng, label: grid ? `${grid.street}${grid.community.replace(/(居民|村民)委员会$/, "")}${grid.grid_name}附近` : "辖区外某处" }),
    });
    await map.load().catch(() => { $("#picked").textContent = "地图加载失败，可以从下面的地点中选择"; });
  }
  await loadPlaces("");
}
function pick(place) {
  picked = place;
  if (map) { map.clearMarkers(); map.addMarker(place.lat, place.lng, place.label); }
  $("#picked").textContent = `已选：${place.label}（${place.lat.toFixed(5)}, ${place.lng.toFixed(5)}）`;
  $("#send-location").disabled = false;
}
async function loadPlaces(q) {
  const response = await fetch(`/sandbox/simulator/places?limit=30${q ? `&q=${encodeURIComponent(q)}` : ""}`);
  const places = response.ok ? await response.json() : [];
  $("#places").replaceChildren(...places.map((p) => h("li", {
    "data-name": p.name,
    onclick: (event) => {
      for (const li of $("#places").children) li.classList.remove("active");
      event.currentTarget.classList.add("active");
      pick({ lat: p.lat, lng: p.lng, label: p.name });
      if (map) map.focus(p.lat, p.lng, 0.03);
    },
  }, p.name, h("small", {}, [p.street, p.community.replace(/(居民|村民)委员会$/, ""), p.grid_name].filter(Boolean).join(" · ")))));
}
function closeLocation() {
  $("#location-sheet").hidden = true;
}

// ---- start ---------------------------------------------------------------------------------------
function switchTo(id) {
  openid = id;
  $("#openid").value = openid;
  mine = JSON.parse(localStorage.getItem(mineKey()) || "[]");
  log = [];
  lastSeq = 0;
  remember();
  redraw();
  return poll().then(() => {
    if (!log.length && mine.some((m) => m.afterSeq > 0)) {
      mine = [];  // the server restarted and forgot this conversation: start afresh
      remember();
      redraw();
    }
    if (!mine.length && !log.length) {
      return send({ kind: "event", event: "subscribe" }, { kind: "event", text: "你关注了公众号" });
    }
    return null;
  });
}

$("#send").addEventListener("click", sendText);
$("#text").addEventListener("keydown", (event) => { if (event.key === "Enter" && !event.isComposing) sendText(); });
$("#plus").addEventListener("click", () => { $("#tray").hidden = !$("#tray").hidden; });
$("#photo").addEventListener("change", (event) => {
  const file = event.target.files[0];
  if (file) sendPhoto(file);
  event.target.value = "";
});
$("#open-location").addEventListener("click", openLocation);
$("#close-location").addEventListener("click", closeLocation);
$("#send-location").addEventListener("click", () => {
  if (!picked) return;
  const place = picked;
  closeLocation();
  send({ kind: "location", lat: place.lat, lng: place.lng, label: place.label }, { kind: "location", label: place.label });
});
let searchTimer = null;
$("#place-search").addEventListener("input", (event) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => loadPlaces(event.target.value.trim()), 250);
});
for (const button of document.querySelectorAll("#menu button")) {
  button.addEventListener("click", () => send({ kind: "event", event: "CLICK", key: button.dataset.key },
    { kind: "event", text: `点击菜单「${button.textContent}」` }));
}
$("#openid").addEventListener("change", (event) => { if (event.target.value.trim()) switchTo(event.target.value.trim()); });
$("#new-resident").addEventListener("click", () => switchTo(newOpenid()));
$("#clear").addEventListener("click", async () => {
  await fetch(`/sandbox/api/messages?openid=${encodeURIComponent(openid)}`, { method: "DELETE" });
  mine = [];
  log = [];
  lastSeq = 0;
  remember();
  redraw();
});

switchTo(openid);
polling = setInterval(poll, POLL_MS);
window.gongzhiSimulator = { get openid() { return openid; }, poll, get polling() { return polling; } };
