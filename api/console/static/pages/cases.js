// The case list: filters from searchable pick-lists (names, not codes), sorting, dense rows, saved views,
// bulk 受理/派遣, new cases without a reload, urgent open cases pinned with an alert.
import { $, $$, OPEN, api, attempt, countdown, download, flash, h, statusLabel, when } from "/staff/static/core.js";

const PAGE_SIZE = 50;
const POLL_MS = 15000;
const VIEWS = "gongzhi.staff.views";

export function isOverdue(c) {
  if (c.overdue !== undefined) return Boolean(c.overdue);
  return OPEN.includes(c.status) && c.due_at && new Date(c.due_at) < new Date();
}
function isDueSoon(c) {
  return OPEN.includes(c.status) && c.due_at && new Date(c.due_at) - new Date() < 24 * 3600 * 1000;
}
export function caseTags(c) {
  return [
    c.urgent ? h("span", { class: "tag urgent" }, "紧急") : null,
    isOverdue(c) ? h("span", { class: "tag overdue" }, "超期") : null,
    !isOverdue(c) && isDueSoon(c) ? h("span", { class: "tag flagged", title: "24 小时内到期" }, "即将到期") : null,
    c.callback_needed ? h("span", { class: "tag flagged" }, "需回访") : null,
    c.repeat_reporter ? h("span", { class: "tag flagged" }, "一人多诉") : null,
    c.cluster_number ? h("span", { class: "tag cluster", title: `合并到 ${c.cluster_number}` }, "多人一诉") : null,
  ];
}
export function residentText(c) {
  const r = c.resident || {};
  if (r.hidden) return "居民要求保密";
  const via = { mp: "小程序", oa: "公众号" }[r.channel] || c.channel_text;
  return [c.phone || r.phone || "未留电话", via].filter(Boolean).join(" · ");
}
/** Where the case came in, unless through the official account (most cases): 12345热线, 数字城管, … */
export function channelBadge(c) {
  return c.channel && c.channel !== "wechat" ? h("span", { class: "tag channel", title: "来源渠道" }, c.channel_text) : null;
}
export function caseRow(c, { select = false, href = "/staff/cases/" } = {}) {
  const classes = [isOverdue(c) ? "overdue" : "", c.callback_needed || c.repeat_reporter ? "flagged" : ""].join(" ").trim();
  const late = isOverdue(c);
  return h("tr", { class: classes || null, "data-number": c.number },
    select ? h("td", { class: "pick" }, h("input", { type: "checkbox", name: "pick", value: c.number, "aria-label": `选择 ${c.number}` })) : null,
    h("td", {}, h("a", { href: `${href}${encodeURIComponent(c.number)}` }, c.number), " ", channelBadge(c), caseTags(c)),
    h("td", {}, h("span", { class: `status ${c.status}` }, statusLabel(c.status, c.status_text))),
    h("td", {}, c.minor_name || c.major_name, h("div", { class: "muted" }, [c.major_name, c.appeal_text].filter(Boolean).join(" · "))),
    h("td", { class: "desc", title: c.description }, c.description),
    h("td", {}, c.grid_name || c.grid_id, h("div", { class: "muted" }, [c.community, c.street].filter(Boolean).join(" · "))),
    h("td", {}, c.department || "—", c.assignee ? h("div", { class: "muted" }, c.assignee) : null),
    h("td", { class: late ? "due late" : "due" }, countdown(c.due_at, c.status) || "—", h("div", { class: "muted" }, when(c.due_at))),
    h("td", {}, when(c.created_at), h("div", { class: "muted" }, residentText(c))),
  );
}

/** A text box with a searchable list of names; its code goes to the API under ``param``. */
function pickList(input, options) {
  const list = h("datalist", { id: `${input.name}-options` },
    options.map((o) => h("option", { value: o.label }, o.group || "")));
  input.setAttribute("list", list.id);
  input.after(list);
  const byLabel = new Map(options.map((o) => [o.label, o.value]));
  const byValue = new Map(options.map((o) => [o.value, o.label]));
  return { code: () => byLabel.get(input.value.trim()) ?? input.value.trim(), label: (v) => byValue.get(v) ?? v };
}

export async function casesPage() {
  const form = $("#filters");
  const picks = await api("GET", "/api/staff/picklists");
  const pickers = {
    grid_id: pickList(form.elements.grid_name, picks.grids),
    category: pickList(form.elements.category_name, picks.categories),
    street: pickList(form.elements.street, picks.streets),
    community: pickList(form.elements.community, picks.communities),
    appeal_type: pickList(form.elements.appeal_name, picks.appeal_types),
    channel: pickList(form.elements.channel_name, picks.channels),
  };
  // the name shown in the form for each API parameter that takes a code
  const NAMED = { grid_id: "grid_name", category: "category_name", appeal_type: "appeal_name", channel: "channel_name" };
  const PARAM = Object.fromEntries(Object.entries(NAMED).map(([param, name]) => [name, param]));
  form.elements.department.append(...picks.departments.map((d) => h("option", { value: d.value }, d.label)));
  $("#bulk-department").append(...picks.departments.map((d) => h("option", { value: d.value }, d.label)));
  const departments = await api("GET", "/api/staff/departments");
  const departmentId = (name) => (departments.find((d) => d.name === name) || {}).id;

  const params = new URLSearchParams(location.search);
  let page = Number(params.get("page") || 1);
  let sort = params.get("sort") || "-created";
  const fill = (q) => {
    form.reset();
    for (const [key, value] of q) {
      const field = form.elements[NAMED[key] || key];
      if (!field) continue;
      if (field.type === "checkbox") field.checked = value === "true";
      else field.value = NAMED[key] ? pickers[key].label(value) : value;
    }
    sort = q.get("sort") || "-created";
  };
  fill(params);
  const query = () => {
    const q = new URLSearchParams();
    for (const field of form.elements) {
      if (!field.name || field.name === "pick") continue;
      if (field.type === "checkbox") { if (field.checked) q.set(field.name, "true"); continue; }
      const value = field.value.trim();
      if (!value) continue;
      if (PARAM[field.name]) q.set(PARAM[field.name], pickers[PARAM[field.name]].code());
      else q.set(field.name, value);
    }
    if (sort !== "-created") q.set("sort", sort);
    return q;
  };
  const apiQuery = (extra = {}) => {
    const out = new URLSearchParams();
    for (const [key, value] of query()) {
      if (key === "from") out.set("created_from", `${value}T00:00:00+08:00`);
      else if (key === "until") out.set("created_until", `${value}T23:59:59+08:00`);
      else out.set(key, value);
    }
    out.set("sort", sort);
    out.set("page", String(page));
    out.set("page_size", String(PAGE_SIZE));
    for (const [k, v] of Object.entries(extra)) out.set(k, v);
    return out;
  };

  let known = null;
  const tbody = $("#case-table tbody");
  const load = async ({ quiet = false } = {}) => {
    const data = await api("GET", `/api/staff/cases?${apiQuery()}`);
    const fresh = known ? data.items.filter((c) => !known.has(c.number)) : [];
    known = new Set(data.items.map((c) => c.number));
    $("#case-count").textContent = `共 ${data.total} 件`;
    $("#page-no").textContent = `第 ${page} 页`;
    $("#prev").disabled = page <= 1;
    $("#next").disabled = page * PAGE_SIZE >= data.total;
    const checked = new Set($$("input[name=pick]:checked", tbody).map((i) => i.value));
    tbody.replaceChildren(...data.items.map((c) => caseRow(c, { select: true })));
    for (const box of $$("input[name=pick]", tbody)) box.checked = checked.has(box.value);
    for (const c of fresh) tbody.querySelector(`tr[data-number="${c.number}"]`)?.classList.add("new");
    if (quiet && fresh.length) flash(`有 ${fresh.length} 件新工单`);
    if (!data.items.length) tbody.append(h("tr", {}, h("td", { colspan: 9, class: "muted" }, "没有符合条件的工单")));
    for (const th of $$("#case-table th[data-sort]")) {
      th.classList.toggle("sorted", sort.replace("-", "") === th.dataset.sort);
      th.dataset.dir = sort.startsWith("-") ? "desc" : "asc";
    }
    await pinned();
  };
  const pinned = async () => {
    const urgent = await api("GET", "/api/staff/cases?urgent=true&sort=due&page_size=20");
    const open = urgent.items.filter((c) => OPEN.includes(c.status));
    const box = $("#urgent");
    box.hidden = !open.length;
    $("#urgent-count").textContent = `紧急工单 ${open.length} 件待处理`;
    $("#urgent-table tbody").replaceChildren(...open.map((c) => caseRow(c)));
  };
  const reload = (quiet = false) => load({ quiet }).catch((exc) => { if (!quiet) flash(exc.message, true); });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    page = 1;
    known = null;
    history.replaceState(null, "", `?${query()}`);
    reload();
  });
  $("#prev").addEventListener("click", () => { page -= 1; known = null; reload(); });
  $("#next").addEventListener("click", () => { page += 1; known = null; reload(); });
  for (const th of $$("#case-table th[data-sort]")) {
    th.addEventListener("click", () => {
      const key = th.dataset.sort;
      sort = sort === key ? `-${key}` : sort === `-${key}` ? key : key === "due" ? key : `-${key}`;
      history.replaceState(null, "", `?${query()}`);
      reload();
    });
  }
  $("#csv-link").addEventListener("click", (event) => {
    event.preventDefault();
    const q = apiQuery(); q.delete("page"); q.delete("page_size");
    download(`/api/staff/cases.csv?${q}`, "工单.csv").catch((exc) => flash(exc.message, true));
  });
  $("#xlsx-link").addEventListener("click", (event) => {
    event.preventDefault();
    const q = apiQuery(); q.delete("page"); q.delete("page_size");
    download(`/api/staff/cases.xlsx?${q}`, "工单.xlsx").catch((exc) => flash(exc.message, true));
  });

  // saved views: a name for a set of filters, kept in this browser
  const views = () => JSON.parse(localStorage.getItem(VIEWS) || "{}");
  const drawViews = () => {
    const select = $("#views");
    select.replaceChildren(h("option", { value: "" }, "我的视图…"),
      ...Object.keys(views()).map((name) => h("option", { value: name }, name)));
  };
  drawViews();
  $("#views").addEventListener("change", (event) => {
    const q = views()[event.target.value];
    if (q === undefined) return;
    fill(new URLSearchParams(q));
    history.replaceState(null, "", `?${q}`);
    page = 1; known = null;
    reload();
  });
  $("#save-view").addEventListener("click", () => {
    const name = prompt("给当前筛选条件起个名字（如“本周超期”）");
    if (!name || !name.trim()) return;
    localStorage.setItem(VIEWS, JSON.stringify({ ...views(), [name.trim()]: query().toString() }));
    drawViews();
    $("#views").value = name.trim();
    flash(`已保存视图“${name.trim()}”`);
  });
  $("#delete-view").addEventListener("click", () => {
    const name = $("#views").value;
    if (!name) return;
    const all = views(); delete all[name];
    localStorage.setItem(VIEWS, JSON.stringify(all));
    drawViews();
  });

  // bulk 受理 / 派遣
  $("#pick-all").addEventListener("change", (event) => {
    for (const box of $$("input[name=pick]", tbody)) box.checked = event.target.checked;
  });
  const bulk = async (action) => {
    const numbers = $$("input[name=pick]:checked", tbody).map((i) => i.value);
    if (!numbers.length) { flash("请先勾选工单", true); return; }
    const body = { numbers, action };
    if (action === "dispatch") {
      body.department_id = departmentId($("#bulk-department").value);
      if (!body.department_id) { flash("请先选择承办单位", true); return; }
    }
    const results = await attempt(() => api("POST", "/api/staff/cases/bulk", body));
    if (!results) return;
    const failed = results.filter((r) => !r.ok);
    flash(failed.length ? `成功 ${results.length - failed.length} 件；未成功：${failed.map((r) => `${r.number}（${r.message}）`).join("；")}`
      : `已处理 ${results.length} 件`, failed.length > 0);
    $("#pick-all").checked = false;
    await reload();
    for (const box of $$("input[name=pick]", tbody)) box.checked = false;
  };
  $("#bulk-accept").addEventListener("click", () => bulk("accept"));
  $("#bulk-dispatch").addEventListener("click", () => bulk("dispatch"));

  await reload();
  setInterval(() => { if (!document.hidden) reload(true); }, POLL_MS);
}
