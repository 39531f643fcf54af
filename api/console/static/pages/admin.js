// Admins manage departments (name, contact, usual categories, streets) and staff accounts with roles.
import { $, ROLE, api, attempt, flash, h, table, when } from "/staff/static/core.js";

/** A searchable multi-pick: type a name, pick it from the list, it becomes a removable chip.
 * The input stays disabled (in the page's HTML) until its list is here, so nothing typed early is lost. */
function chips(input, box, options) {
  const list = h("datalist", { id: `${input.name}-list` }, options.map((o) => h("option", { value: o.label }, o.group || "")));
  input.setAttribute("list", list.id);
  input.after(list);
  const byLabel = new Map(options.map((o) => [o.label, o.value]));
  const byValue = new Map(options.map((o) => [o.value, o.label]));
  let values = [];
  const draw = () => box.replaceChildren(...values.map((v) => h("span", { class: "chip" }, byValue.get(v) || v,
    h("button", { type: "button", class: "link", "aria-label": "移除", onclick: () => { values = values.filter((x) => x !== v); draw(); } }, "×"))));
  input.addEventListener("change", () => {
    const value = byLabel.get(input.value.trim());
    if (value && !values.includes(value)) { values.push(value); draw(); }
    input.value = "";
  });
  input.disabled = false;
  return { get: () => values, set: (v) => { values = [...v]; draw(); } };
}

export async function adminPage(me) {
  const picks = await api("GET", "/api/staff/picklists");
  const categories = chips($("#department-form").elements.category_search, $("#category-chips"), picks.categories);
  const grids = chips($("#account-form").elements.grid_search, $("#grid-chips"), picks.grids);
  $("#department-form").elements.streets.append(...picks.streets.map((s) => h("option", { value: s.value }, s.label)));
  let departments = [];

  const loadDepartments = async () => {
    departments = await api("GET", "/api/staff/departments");
    table($("#department-table"), ["名称", "联系人", "常办类别", "在办", ""], departments.map((d) => [
      h("span", { class: d.active ? null : "muted" }, d.name, d.active ? "" : "（停用）"),
      [d.contact_person, d.phone].filter(Boolean).join(" "), d.category_names.slice(0, 4).join("、") + (d.category_names.length > 4 ? "…" : ""),
      d.open_cases, h("button", { type: "button", onclick: () => edit(d) }, "编辑")]), "还没有承办单位");
    const select = $("#account-form").elements.department_id;
    select.replaceChildren(...departments.map((d) => h("option", { value: d.id }, d.name)));
  };
  const edit = (d) => {
    const f = $("#department-form").elements;
    $("#department-form-title").textContent = `编辑：${d.name}`;
    f.id.value = d.id; f.name.value = d.name; f.contact_person.value = d.contact_person; f.phone.value = d.phone;
    f.notify_openid.value = d.notify_openid || ""; f.active.checked = d.active;
    for (const o of f.streets.options) o.selected = d.streets.includes(o.value);
    categories.set(d.categories);
  };
  $("#department-form").addEventListener("reset", () => { $("#department-form-title").textContent = "新增承办单位"; categories.set([]); });
  $("#department-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const body = { name: f.name.value.trim(), contact_person: f.contact_person.value.trim(), phone: f.phone.value.trim(),
      notify_openid: f.notify_openid.value.trim() || null, categories: categories.get(),
      streets: [...f.streets.selectedOptions].map((o) => o.value), active: f.active.checked };
    const saved = await attempt(() => f.id.value ? api("PUT", `/api/staff/departments/${f.id.value}`, body)
      : api("POST", "/api/staff/departments", body), $("#department-error"));
    if (!saved) return;
    flash(`已保存“${saved.name}”`);
    event.target.reset();
    await loadDepartments();
  });

  const loadAccounts = async () => {
    const accounts = await api("GET", "/api/staff/accounts");
    table($("#account-table"), ["用户名", "角色", "单位 / 网格", "最近登录", ""], accounts.map((a) => [
      h("span", { class: a.active ? null : "muted" }, a.name, a.active ? "" : "（停用）"), a.role_text,
      a.department || (a.grid_ids.length ? `${a.grid_ids.length} 个网格` : "—"), when(a.last_login_at) || "—",
      a.id === me.id ? h("span", { class: "muted" }, "当前账号") : h("span", {},
        h("button", { type: "button", onclick: () => toggle(a) }, a.active ? "停用" : "启用"), " ",
        h("button", { type: "button", onclick: () => reset(a) }, "重置密码"))]), "没有账号");
  };
  const toggle = async (a) => {
    if (await attempt(() => api("PATCH", `/api/staff/accounts/${a.id}`, { active: !a.active }))) {
      flash(a.active ? `已停用 ${a.name}（已在所有设备上退出）` : `已启用 ${a.name}`);
      await loadAccounts();
    }
  };
  const reset = async (a) => {
    const password = prompt(`为 ${a.name} 设置新密码（至少 8 位）`);
    if (!password) return;
    if (await attempt(() => api("PATCH", `/api/staff/accounts/${a.id}`, { password }))) flash("密码已重置，旧的登录已失效");
  };
  const roleFields = () => {
    const role = $("#account-form").elements.role.value;
    for (const el of document.querySelectorAll("#account-form [data-for]")) el.hidden = el.dataset.for !== role;
  };
  $("#account-form").elements.role.addEventListener("change", roleFields);
  roleFields();
  $("#account-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    const body = { name: f.name.value.trim(), password: f.password.value, role: f.role.value };
    if (body.role === "department") body.department_id = Number(f.department_id.value) || null;
    if (body.role === "grid") body.grid_ids = grids.get();
    const created = await attempt(() => api("POST", "/api/staff/accounts", body), $("#account-error"));
    if (!created) return;
    flash(`已创建 ${created.name}（${ROLE[created.role]}）`);
    event.target.reset(); grids.set([]); roleFields();
    await loadAccounts();
  });
  await Promise.all([loadDepartments(), loadAccounts()]);
}
