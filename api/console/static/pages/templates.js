// Reply templates: Chinese names and where each is used, live preview, lint problems in Chinese, history.
import { $, api, flash, h, when } from "/staff/static/core.js";

// ---- reply templates ---------------------------------------------------------------------------------
export async function templatesPage() {
  const list = await api("GET", "/api/staff/templates");
  const ul = $("#template-list");
  let current = null;
  const draw = (filter = "") => {
    const match = (t) => !filter || [t.key, t.name, t.description, ...t.used_in].some((s) => s.includes(filter));
    ul.replaceChildren(...list.filter(match).map((t) =>
      h("li", { "data-key": t.key, class: current && current.key === t.key ? "active" : null, onclick: () => open(t.key) },
        h("div", {}, h("strong", {}, t.name), t.customised ? h("span", { class: "edited" }, "已修改") : null),
        h("div", { class: "muted" }, t.used_in[0], " · ", h("span", { class: "key" }, t.key)))));
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
    $("#template-name").textContent = current.name;
    $("#template-used").textContent = current.used_in.join("；");
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
  let typing = null;
  $("#template-body").addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { if (current) showPreview().catch(() => null); }, 400);
  });
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

