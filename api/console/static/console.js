// The staff console: each page's shell (data-page on <body>) is filled from the JSON APIs.
// The bearer token from POST /api/staff/login lives in this tab's sessionStorage.
import { GridMap } from "/staff/static/gridmap.js";

const TOKEN = "gongzhi.staff.token";
const WHO = "gongzhi.staff.who";
const STATUS = {
  submitted: "待受理", accepted: "已受理", rejected: "不予受理", dispatched: "已派遣",
  processing: "处置中", verifying: "待核查", closed: "已办结",
};
const EVENT = {
  filed: "居民提交", transition: "状态变更", reclassified: "改类", relocated: "改址", reminder: "办理提醒",
  rated: "居民评价", rating_comment: "评价留言", callback_flagged: "需回访", called_back: "已回访", note: "备注",
  cluster_joined: "合并办理", repeat_reporter: "一人多诉", handover: "转人工",
};
const ACTOR = { resident: "居民", system: "系统" };

// ---- small helpers -----------------------------------------------------------------------------------
const $ = (selector, root = document) => root.querySelector(selector);
function h(tag, attrs = {}, ...children) {
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
const statusLabel = (code, label) => label || STATUS[code] || code || "";
function flash(message, bad = false) {
  const box = $("#flash");
  box.textContent = message;
  box.classList.toggle("bad", bad);
  box.hidden = false;
  clearTimeout(flash.timer);
  flash.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

class ApiError extends Error {
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

export async function api(method, path, body = undefined, { raw = false } = {}) {
  const headers = { Authorization: `Bearer ${sessionStorage.getItem(TOKEN) || ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401 && document.body.dataset.page !== "login") {
    sessionStorage.removeItem(TOKEN);
    location.href = `/staff/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    throw new ApiError(401, "请先登录");
  }
  if (raw && response.ok) return response;
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data && data.detail);
  return data;
}

async function download(path, filename) {
  const response = await api("GET", path, undefined, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  h("a", { href: url, download: filename }).click();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

// ---- login -------------------------------------------------------------------------------------------
function loginPage() {
  const form = $("#login-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("#login-error");
    error.hidden = true;
    try {
      const data = await api("POST", "/api/staff/login", {
        name: form.elements.name.value.trim(), password: form.elements.password.value,
      });
      sessionStorage.setItem(TOKEN, data.access_token);
      sessionStorage.setItem(WHO, JSON.stringify({ name: data.name, role: data.role }));
      const next = new URLSearchParams(location.search).get("next");
      location.href = next && next.startsWith("/staff") ? next : "/staff/cases";
    } catch (exc) {
      error.textContent = exc.status === 401 ? "账号或密码不正确，请重新输入" : exc.message;
      error.hidden = false;
    }
  });
}

function chrome() {
  if (!sessionStorage.getItem(TOKEN)) {
    location.href = `/staff/login?next=${encodeURIComponent(location.pathname + location.search)}`;
    return false;
  }
  const who = JSON.parse(sessionStorage.getItem(WHO) || "{}");
  $("#who").textContent = who.name ? `${who.name}${who.role === "admin" ? "（管理员）" : ""}` : "";
  $("#logout").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN);
    location.href = "/staff/login";
  });
  return true;
}

// ---- case list ---------------------------------------------------------------------------------------
const PAGE_SIZE = 50;
function casesPage() {
  const form = $("#filters");
  const params = new URLSearchParams(location.search);
  for (const [key, value] of params) {
    const field = form.elements[key];
    if (!field) continue;
    if (field.type === "checkbox") field.checked = value === "true"; else field.value = value;
  }
  let page = Number(params.get("page") || 1);
  const query = () => {
    const q = new URLSearchParams();
    for (const field of form.elements) {
      if (!field.name) continue;
      if (field.type === "checkbox") { if (field.checked) q.set(field.name, "true"); } else if (field.value) q.set(field.name, field.value);
    }
    return q;
  };
  const apiQuery = () => {
    const q = query();
    const map = { grid: "grid_id", from: "created_from", until: "created_until" };
    const out = new URLSearchParams();
    for (const [key, value] of q) {
      if (key === "from") out.set("created_from", `${value}T00:00:00+08:00`);
      else if (key === "until") out.set("created_until", `${value}T23:59:59+08:00`);
      else out.set(map[key] || key, value);
    }
    out.set("page", String(page));
    out.set("page_size", String(PAGE_SIZE));
    return out;
  };
  const load = async () => {
    const data = await api("GET", `/api/staff/cases?${apiQuery()}`);
    const items = data.items;
    const total = data.total;
    $("#case-count").textContent = `共 ${total} 件`;
    $("#page-no").textContent = `第 ${page} 页`;
    $("#prev").disabled = page <= 1;
    $("#next").disabled = page * PAGE_SIZE >= total;
    $("#case-table tbody").replaceChildren(...items.map(caseRow));
    if (!items.length) $("#case-table tbody").append(h("tr", {}, h("td", { colspan: 8, class: "muted" }, "没有符合条件的工单")));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    page = 1;
    history.replaceState(null, "", `?${query()}`);
    load().catch((exc) => flash(exc.message, true));
  });
  $("#prev").addEventListener("click", () => { page -= 1; load().catch((exc) => flash(exc.message, true)); });
  $("#next").addEventListener("click", () => { page += 1; load().catch((exc) => flash(exc.message, true)); });
  $("#csv-link").addEventListener("click", (event) => {
    event.preventDefault();
    const q = apiQuery(); q.delete("page"); q.delete("page_size");
    download(`/api/staff/cases.csv?${q}`, "工单.csv").catch((exc) => flash(exc.message, true));
  });
  load().catch((exc) => flash(exc.message, true));
}

function isOverdue(c) {
  if (c.overdue !== undefined) return Boolean(c.overdue);
  return ["submitted", "accepted", "dispatched", "processing", "verifying"].includes(c.status) && c.due_at && new Date(c.due_at) < new Date();
}
function isDueSoon(c) {
  const open = ["submitted", "accepted", "dispatched", "processing", "verifying"].includes(c.status);
  return open && c.due_at && new Date(c.due_at) - new Date() < 24 * 3600 * 1000;
}
function isFlagged(c) { return Boolean(c.flagged ?? (c.callback_needed || c.repeat_reporter)); }
function caseTags(c) {
  return [
    c.urgent ? h("span", { class: "tag urgent" }, "紧急") : null,
    isOverdue(c) ? h("span", { class: "tag overdue" }, "超期") : null,
    !isOverdue(c) && isDueSoon(c) ? h("span", { class: "tag flagged", title: "24 小时内到期" }, "即将到期") : null,
    c.callback_needed ? h("span", { class: "tag flagged" }, "需回访") : null,
    c.repeat_reporter ? h("span", { class: "tag flagged" }, "一人多诉") : null,
    c.cluster_number ? h("span", { class: "tag cluster", title: `合并到 ${c.cluster_number}` }, "多人一诉") : null,
  ];
}
function residentText(c) {
  const r = c.resident || {};
  if (r.hidden) return "居民要求保密";
  return [c.phone || r.phone || "未留电话", r.channel === "mp" ? "小程序" : "公众号"].join(" · ");
}
function caseRow(c) {
  const classes = [isOverdue(c) ? "overdue" : "", isFlagged(c) ? "flagged" : ""].join(" ").trim();
  const resident = c.resident || {};
  return h("tr", { class: classes || null, "data-number": c.number },
    h("td", {}, h("a", { href: `/staff/cases/${encodeURIComponent(c.number)}` }, c.number), caseTags(c)),
    h("td", {}, h("span", { class: `status ${c.status}` }, statusLabel(c.status, c.status_text))),
    h("td", {}, [c.major_name, c.minor_name].filter(Boolean).join(" / ")),
    h("td", { class: "desc" }, c.description),
    h("td", {}, c.grid_name || c.grid_id, h("div", { class: "muted" }, [c.community, c.street].filter(Boolean).join(" · "))),
    h("td", {}, residentText(c)),
    h("td", {}, when(c.created_at)),
    h("td", {}, when(c.due_at)),
  );
}

// ---- case detail -------------------------------------------------------------------------------------
async function casePage() {
  const number = document.body.dataset.number;
  const path = `/api/staff/cases/${encodeURIComponent(number)}`;
  const mapBox = $("#case-map");
  const map = new GridMap(mapBox, {
    height: 320,
    onClick: async ({ lat, lng }) => {
      const found = await api("GET", `/staff/locate?lat=${lat}&lng=${lng}`).catch((exc) => { flash(exc.message, true); return null; });
      if (!found || !found.length) { flash("这个位置不在辖区网格内", true); return; }
      const place = found[0];
      if (!confirm(`把工单改到这个位置？\n${place.grid_name}（${place.community}，${place.street}）`)) return;
      await relocate({ ...place, address: `${place.grid_name}附近` });
    },
  });
  const mapReady = map.load().catch((exc) => { mapBox.append(h("p", { class: "error" }, exc.message)); });
  const categories = fillCategories().catch(() => []);

  const edit = async (what, body, done) => {
    const error = $("#edit-error");
    error.hidden = true;
    try {
      show(await api("POST", `${path}/${what}`, body));
      flash(done);
    } catch (exc) {
      error.textContent = exc.message;
      error.hidden = false;
    }
  };
  const relocate = (place) => edit("relocate", {
    lat: place.lat, lng: place.lng, address: place.address || place.name || "", grid_id: place.grid_id,
    grid_name: place.grid_name, community: place.community, street: place.street,
  }, "已改址");
  $("#reclassify-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const minor = (await categories).find((m) => m.code === f.minor_code.value);
    if (!minor) return;
    edit("reclassify", { major_code: minor.major_code, major_name: minor.major_name, minor_code: minor.code,
      minor_name: minor.name, note: f.note.value || null }, "已改类");
  });
  $("#relocate-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const q = f.lat.value && f.lng.value ? `lat=${Number(f.lat.value)}&lng=${Number(f.lng.value)}`
      : `text=${encodeURIComponent(f.address.value.trim())}`;
    const found = await api("GET", `/staff/locate?${q}`).catch((exc) => { flash(exc.message, true); return null; });
    if (!found) return;
    if (!found.length) { flash("没有找到这个位置，请换个说法或在地图上点选", true); return; }
    const place = found[0];
    relocate({ ...place, address: f.address.value.trim() || place.name || `${place.grid_name}附近` });
  });

  const show = async (c) => {
    const status = $("#case-status");
    status.textContent = statusLabel(c.status, c.status_text);
    status.className = `status ${c.status}`;
    $("#case-flags").replaceChildren(...caseTags(c).filter(Boolean));
    const facts = [
      ["类别", [c.major_name, c.minor_name].filter(Boolean).join(" / ") + (c.category_source === "staff" ? "（已改类）" : "")],
      ["描述", c.description],
      ["地址", c.address],
      ["网格", [c.grid_name, c.community, c.street].filter(Boolean).join(" · ")],
      ["居民", residentText(c)],
      ["承办单位", c.department || "—"],
      ["提交时间", when(c.created_at)],
      ["办理时限", when(c.due_at)],
    ];
    $("#case-facts").replaceChildren(...facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "—")]));
    renderPhotos(c.photos || []);
    renderMoves(c);
    renderTimeline(c.timeline || []);
    renderRating(c.rating);
    renderCluster(c.cluster || [], c.number);
    await mapReady;
    map.clearMarkers();
    map.highlight(c.grid_id);
    if (c.lat != null && c.lng != null) { map.addMarker(c.lat, c.lng, c.address); map.focus(c.lat, c.lng); }
  };

  const renderMoves = (c) => {
    const box = $("#moves");
    box.replaceChildren();
    if (!(c.moves || []).length) box.append(h("span", { class: "muted" }, "当前状态没有可办理的操作"));
    for (const move of c.moves || []) {
      box.append(h("button", {
        type: "button", class: "primary", "data-to": move.to, title: `转为“${move.to_text}”`,
        onclick: async () => {
          const f = $("#transition-form").elements;
          const error = $("#transition-error");
          error.hidden = true;
          if (move.requires && !f[move.requires].value.trim()) {
            error.textContent = move.requires === "department" ? "请先填写承办单位" : "请先填写说明（理由）";
            error.hidden = false;
            f[move.requires].focus();
            return;
          }
          try {
            const moved = await api("POST", `${path}/transitions`, { to: move.to, note: f.note.value.trim() || null,
              department: f.department.value.trim() || null });
            f.note.value = "";
            flash(`已${move.label}`);
            await show(moved);
          } catch (exc) {
            error.textContent = exc.message;
            error.hidden = false;
          }
        },
      }, move.label));
    }
  };
  await show(await api("GET", path)).catch((exc) => flash(exc.message, true));
}

function renderPhotos(photos) {
  const box = $("#case-photos");
  box.replaceChildren();
  if (!photos.length) { box.append(h("span", { class: "muted" }, "无照片")); return; }
  for (const photo of photos) {
    const img = h("img", { alt: "居民上传的照片", "data-sha": photo.sha256, title: `${photo.width}×${photo.height}` });
    box.append(img);
    api("GET", photo.url, undefined, { raw: true }).then((r) => r.blob()).then((blob) => {
      img.src = URL.createObjectURL(blob);
      img.addEventListener("click", () => {
        const big = h("div", { class: "lightbox", onclick: () => big.remove() }, h("img", { src: img.src, alt: "照片" }));
        document.body.append(big);
      });
    }).catch(() => { img.alt = "照片无法显示"; });
  }
}

function renderTimeline(events) {
  $("#timeline").replaceChildren(...events.map((e) => {
    const change = e.to_status ? `${STATUS[e.from_status] || e.from_status || ""} → ${e.to_text || STATUS[e.to_status]}` : "";
    return h("li", { class: e.kind },
      h("div", {}, h("strong", {}, EVENT[e.kind] || e.kind), " ", change, e.department ? ` · ${e.department}` : ""),
      e.note ? h("div", {}, e.note) : null,
      h("div", { class: "when" }, `${when(e.time || e.created_at)} · ${ACTOR[e.actor] || e.actor || ""}`));
  }));
}

function renderRating(rating) {
  const box = $("#case-rating");
  box.replaceChildren();
  if (!rating) return;
  box.append(h("h2", {}, "居民评价"), h("p", {}, [rating.score_text, rating.fixed_text].filter(Boolean).join("，"),
    rating.comment ? `：${rating.comment}` : "", rating.needs_callback ? h("span", { class: "tag flagged" }, "需回访") : null));
}

function renderCluster(members, self) {
  const box = $("#case-cluster");
  box.replaceChildren();
  if (members.length < 2) return;
  box.append(h("h2", {}, `多人一诉（${members.length} 件）`), h("ul", {}, members.map((m) => h("li", {},
    m.number === self ? h("strong", {}, m.number) : h("a", { href: `/staff/cases/${encodeURIComponent(m.number)}` }, m.number),
    " ", statusLabel(m.status, m.status_text)))));
}

async function fillCategories() {
  const select = $("#minor-select");
  const majors = await api("GET", "/api/mp/categories");
  select.replaceChildren(h("option", { value: "" }, "选择小类…"), ...majors.map((major) => h("optgroup", { label: `${major.code} ${major.name}` },
    major.minors.map((m) => h("option", { value: m.code }, `${m.code} ${m.name}`)))));
  return majors.flatMap((major) => major.minors.map((m) => ({ ...m, major_code: major.code, major_name: major.name })));
}

// ---- reply templates ---------------------------------------------------------------------------------
async function templatesPage() {
  const list = await api("GET", "/api/staff/templates");
  const ul = $("#template-list");
  let current = null;
  const draw = (filter = "") => {
    ul.replaceChildren(...list.filter((t) => !filter || t.key.includes(filter) || t.description.includes(filter)).map((t) =>
      h("li", { "data-key": t.key, class: current && current.key === t.key ? "active" : null, onclick: () => open(t.key) },
        h("div", { class: "key" }, t.key, t.customised ? h("span", { class: "edited" }, "已修改") : null),
        h("div", { class: "muted" }, t.description))));
  };
  $("#template-filter").addEventListener("input", (event) => draw(event.target.value.trim()));

  const fieldsBox = () => $("#template-fields");
  const readFields = () => {
    const box = fieldsBox();
    if (!box) return null;
    const out = {};
    for (const input of box.querySelectorAll("input")) out[input.name] = input.value;
    return out;
  };
  const showProblems = (problems) => {
    const box = $("#template-problems");
    box.hidden = !problems.length;
    box.replaceChildren(...problems.map((p) => h("li", {}, p.line ? `第 ${p.line} 行：${p.message}` : p.message)));
  };
  const showPreview = async () => {
    const result = await api("POST", `/api/staff/templates/${encodeURIComponent(current.key)}/preview`,
      { body: $("#template-body").value, fields: readFields() });
    const fields = result.fields ? "\n\n" + Object.entries(result.fields).map(([k, v]) => `${k}：${v}`).join("\n") : "";
    $("#template-preview").textContent = result.text + fields;
    showProblems(result.problems || []);
  };
  const open = async (key) => {
    current = await api("GET", `/api/staff/templates/${encodeURIComponent(key)}`);
    history.replaceState(null, "", `?key=${encodeURIComponent(key)}`);
    draw($("#template-filter").value.trim());
    $("#editor").hidden = false;
    $("#template-key").textContent = current.key;
    $("#template-desc").textContent = current.description;
    $("#template-vars").replaceChildren(...(current.variables.length ? current.variables.map((v) =>
      h("code", { title: v.description }, `{{ ${v.name} }}`, h("span", { class: "muted" }, `（${v.description}）　`)))
      : ["无"]));
    $("#template-body").value = current.body;
    const old = fieldsBox(); if (old) old.remove();
    if (current.fields) {
      $("#template-body").after(h("div", { id: "template-fields", class: "stack" }, h("h3", {}, "推送字段（每项不超过 20 字）"),
        Object.entries(current.fields).map(([name, value]) => h("label", {}, name, h("input", { name, value })))));
    }
    showProblems([]);
    $("#template-history").replaceChildren(...current.history.map((v, i) => h("tr", {},
      h("td", {}, i === 0 ? "当前" : `#${v.id}`), h("td", {}, v.author), h("td", {}, when(v.created_at)),
      h("td", {}, v.body),
      h("td", {}, i === 0 ? null : h("button", { type: "button", onclick: () => restore(v.id) }, "恢复此版")))));
    if (!current.history.length) {
      $("#template-history").append(h("tr", {}, h("td", { colspan: 5, class: "muted" }, "尚未修改过，目前使用系统默认文字")));
    } else {
      $("#template-history").append(h("tr", {}, h("td", {}, "默认"), h("td", {}, "系统"), h("td", {}), h("td", {}, current.default_body),
        h("td", {}, h("button", { type: "button", onclick: () => restore(null) }, "恢复默认"))));
    }
    await showPreview();
  };
  const restore = async (versionId) => {
    try {
      await api("POST", `/api/staff/templates/${encodeURIComponent(current.key)}/rollback`, { version_id: versionId });
      flash("已恢复");
      await open(current.key);
    } catch (exc) { flash(exc.message, true); }
  };
  $("#preview-button").addEventListener("click", () => showPreview().catch((exc) => flash(exc.message, true)));
  $("#save-button").addEventListener("click", async () => {
    try {
      await api("PUT", `/api/staff/templates/${encodeURIComponent(current.key)}`, { body: $("#template-body").value, fields: readFields() });
      const item = list.find((t) => t.key === current.key);
      if (item) item.customised = true;
      flash("已保存，新文字即刻生效");
      await open(current.key);
    } catch (exc) {
      if (exc.detail && exc.detail.problems) showProblems(exc.detail.problems);
      flash(exc.message, true);
    }
  });
  draw();
  const key = new URLSearchParams(location.search).get("key");
  if (key) await open(key);
}

// ---- dashboard ---------------------------------------------------------------------------------------
async function dashboardPage() {
  const input = $("#week-input");
  input.value = new URLSearchParams(location.search).get("week") || "";
  const map = new GridMap($("#hot-map"), { height: 300 });
  const mapReady = map.load().catch(() => null);
  const load = async () => {
    const q = input.value.trim() ? `?week=${encodeURIComponent(input.value.trim())}` : "";
    const r = await api("GET", `/api/staff/reports/weekly${q}`);
    input.value = r.week;
    $("#week-label").textContent = `${r.week}（${r.start_date} 至 ${r.end_date}）`;
    const rate = r.satisfaction.rate == null ? "—" : `${(r.satisfaction.rate * 100).toFixed(1)}%`;
    const tiles = [
      ["新增工单", r.totals.filed], ["已办结", r.totals.closed], ["超期", r.overdue.length],
      ["满意率", rate, `已评价 ${r.satisfaction.rated} 件`], ["多人一诉", r.clusters.length],
    ];
    $("#tiles").replaceChildren(...tiles.map(([l, n, sub]) => h("div", { class: "tile", "data-tile": l },
      h("div", { class: "n" }, n), h("div", { class: "l" }, l, sub ? ` · ${sub}` : ""))));
    bars($("#by-category"), r.by_category.map((c) => [c.major_name + (c.minor_name ? ` / ${c.minor_name}` : ""), c.count]));
    bars($("#by-grid"), r.hot_grids.map((g) => [`${g.grid_name}（${g.community}）`, g.count]));
    table($("#repeat"), ["居民", "问题", "件数", "工单"], r.repeat_reporters.map((p) => [p.resident, p.minor_name, p.count,
      linkList(p.numbers)]), "本周没有一人多诉");
    table($("#clusters"), ["问题", "网格", "居民数", "工单"], r.clusters.map((c) => [c.minor_name, c.grid_name, c.residents,
      linkList(c.numbers)]), "本周没有多人一诉");
    table($("#overdue"), ["编号", "状态", "类别", "网格", "办理时限", "超期（小时）"], r.overdue.map((c) => [linkList([c.number]),
      statusLabel(c.status, c.status_label), c.minor_name, c.grid_name, when(c.due_at), c.overdue_hours]), "没有超期工单");
    await mapReady;
    map.setHeat(Object.fromEntries(r.by_grid.map((g) => [g.grid_id, g.count])));
  };
  $("#week-form").addEventListener("submit", (event) => {
    event.preventDefault();
    history.replaceState(null, "", input.value ? `?week=${encodeURIComponent(input.value)}` : location.pathname);
    load().catch((exc) => flash(exc.message, true));
  });
  $("#week-csv").addEventListener("click", (event) => {
    event.preventDefault();
    download(`/api/staff/reports/weekly?format=csv&week=${encodeURIComponent(input.value)}`, `周报-${input.value}.csv`)
      .catch((exc) => flash(exc.message, true));
  });
  await load().catch((exc) => flash(exc.message, true));
}

function linkList(numbers) {
  return h("span", {}, numbers.map((n, i) => [i ? "、" : "", h("a", { href: `/staff/cases/${encodeURIComponent(n)}` }, n)]));
}
function bars(tableEl, rows) {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  tableEl.replaceChildren(...(rows.length ? rows.map(([label, n]) => h("tr", {}, h("td", {}, label),
    h("td", { class: "bar" }, h("div", { class: "fill", style: `width:${(100 * n) / max}%` })), h("td", {}, n)))
    : [h("tr", {}, h("td", { class: "muted" }, "本周暂无工单"))]));
}
function table(tableEl, head, rows, empty) {
  tableEl.replaceChildren(h("thead", {}, h("tr", {}, head.map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.length ? rows.map((r) => h("tr", {}, r.map((v) => h("td", {}, v))))
      : h("tr", {}, h("td", { colspan: head.length, class: "muted" }, empty))));
}

// ---- start -------------------------------------------------------------------------------------------
const PAGES = { login: loginPage, cases: casesPage, case: casePage, templates: templatesPage, dashboard: dashboardPage };
const page = document.body.dataset.page;
if (page === "login") loginPage();
else if (chrome()) Promise.resolve(PAGES[page]()).catch((exc) => flash(exc.message, true));
