// The console's shared helpers: DOM building, the API client (session cookie + CSRF header), the signed-in
// account, labels and times. The session lives in an HttpOnly cookie shared by every tab and reload; the
// CSRF token is read from its readable companion cookie and sent with every change.

// The case vocabulary (status labels, open statuses, role names) as the server has it, written into each page.
const VOCABULARY = JSON.parse(document.getElementById("vocabulary").textContent);
export const STATUS = VOCABULARY.statuses;
export const OPEN = VOCABULARY.open;
export const EVENT = {
  filed: "居民提交", transition: "状态变更", reclassified: "改类", relocated: "改址", reminder: "办理提醒",
  rated: "居民评价", rating_comment: "评价留言", callback_flagged: "需回访", called_back: "已回访", note: "备注",
  cluster_joined: "合并办理", repeat_reporter: "一人多诉", handover: "转人工", staff_reply: "答复居民",
  urge: "催办", supervise: "督办", escalated: "超期升级", verified: "核查通过", assigned: "指派",
  extension_requested: "申请延期", extension_decided: "延期审批",
};
export const ACTOR = { resident: "居民", system: "系统" };
export const ROLE = VOCABULARY.roles;

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Times are shown in the centre's time zone whatever the browser's.
const CENTRE_TIME = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  hourCycle: "h23",
});
export function when(value) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const part = Object.fromEntries(CENTRE_TIME.formatToParts(d).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}
/** "剩 5 小时 20 分" or "超期 2 天 3 小时": the countdown to a due time. */
export function countdown(due, status) {
  if (!due || !OPEN.includes(status)) return "";
  const ms = new Date(due) - Date.now();
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86400000);
  const hours = Math.floor((abs % 86400000) / 3600000);
  const minutes = Math.floor((abs % 3600000) / 60000);
  const text = days ? `${days} 天 ${hours} 小时` : hours ? `${hours} 小时 ${minutes} 分` : `${minutes} 分钟`;
  return ms < 0 ? `超期 ${text}` : `剩 ${text}`;
}
export const statusLabel = (code, label) => label || STATUS[code] || code || "";

export function flash(message, bad = false) {
  const box = $("#flash");
  box.textContent = message;
  box.classList.toggle("bad", bad);
  box.hidden = false;
  clearTimeout(flash.timer);
  if (!bad) flash.timer = setTimeout(() => { box.hidden = true; }, 4000);  // errors stay until closed
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(describe(detail) || `请求失败（${status}）`);
    this.status = status;
    this.detail = detail;
  }
}
function describe(detail) {
  if (!detail) return "";
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) return detail.map((d) => d.msg || JSON.stringify(d)).join("；");
  if (detail.message) return detail.message;
  return JSON.stringify(detail);
}
function csrf() {
  const found = document.cookie.split("; ").find((c) => c.startsWith("gz_csrf="));
  return found ? decodeURIComponent(found.slice(8)) : "";
}

let pending = 0;
function busy(delta) {
  pending += delta;
  document.body.classList.toggle("loading", pending > 0);
}

export async function api(method, path, body = undefined, { raw = false, form = false } = {}) {
  const headers = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrf();
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  busy(1);
  let response;
  try {
    response = await fetch(path, { method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : form ? body : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "网络连接失败，请检查网络后重试");
  } finally {
    busy(-1);
  }
  if (response.status === 401 && document.body.dataset.page !== "login") {
    location.href = `/staff/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new ApiError(401, "请先登录");
  }
  if (raw && response.ok) return response;
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data && data.detail);
  return data;
}

export async function download(path, filename) {
  const response = await api("GET", path, undefined, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  h("a", { href: url, download: filename }).click();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/** Run ``work``; an error is shown in ``box`` (or the flash) and kept until the next try. */
export async function attempt(work, box = null) {
  if (box) box.hidden = true;
  try {
    return await work();
  } catch (exc) {
    if (box) { box.textContent = exc.message; box.hidden = false; } else flash(exc.message, true);
    return undefined;
  }
}

export function table(tableEl, head, rows, empty) {
  tableEl.replaceChildren(h("thead", {}, h("tr", {}, head.map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.length ? rows.map((r) => h("tr", {}, r.map((v) => h("td", {}, v))))
      : h("tr", {}, h("td", { colspan: head.length, class: "muted" }, empty))));
}
export function linkList(numbers) {
  return h("span", {}, numbers.map((n, i) => [i ? "、" : "", h("a", { href: `/staff/cases/${encodeURIComponent(n)}` }, n)]));
}

/** The signed-in account (``GET /api/staff/session``), the nav for its role and the logout buttons. */
export async function chrome() {
  const me = await api("GET", "/api/staff/session");
  document.body.dataset.role = me.role;
  $("#who").textContent = `${me.name}（${me.department || ROLE[me.role] || me.role}）`;
  for (const link of $$("nav a[data-roles]")) link.hidden = !link.dataset.roles.split(" ").includes(me.role);
  $("#logout").addEventListener("click", async () => {
    await api("DELETE", "/api/staff/session").catch(() => null);
    location.href = "/staff/login";
  });
  $("#logout-all").addEventListener("click", async () => {
    if (!confirm("在所有电脑和手机上退出这个账号？")) return;
    await api("POST", "/api/staff/session/everywhere").catch(() => null);
    location.href = "/staff/login";
  });
  $("#flash").addEventListener("click", () => { $("#flash").hidden = true; });
  return me;
}
