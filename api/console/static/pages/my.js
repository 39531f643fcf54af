// Departments' and grid workers' view: their own cases, phone-sized; 处置 / 退回 / 延期, or 核查 on site.
import { $, $$, api, attempt, countdown, flash, h, statusLabel, when } from "/staff/static/core.js";
import { facts, renderPhotos, renderTimeline } from "/staff/static/pages/case.js";
import { caseTags } from "/staff/static/pages/cases.js";

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition((p) => resolve(p.coords), () => resolve(null),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  });
}

export async function myPage(me) {
  $("#my-scope").textContent = me.role === "department" ? me.department || "" : `负责网格 ${me.grid_ids.length} 个`;
  for (const form of $$("form[data-role]")) form.dataset.allowed = String(form.dataset.role === me.role);
  let current = null;

  const list = async () => {
    const data = await api("GET", "/api/staff/my/cases");
    $("#my-cases").replaceChildren(...(data.items.length ? data.items.map((c) => h("li", { "data-number": c.number, onclick: () => open(c.number) },
      h("div", {}, h("strong", {}, c.number), " ", h("span", { class: `status ${c.status}` }, statusLabel(c.status, c.status_text)), " ", caseTags(c)),
      h("div", {}, c.minor_name, " · ", c.address || c.grid_name),
      h("div", { class: "muted" }, countdown(c.due_at, c.status), " · 期限 ", when(c.due_at))))
      : [h("li", { class: "muted" }, "暂无需要办理的工单")]));
  };
  const notices = async () => {
    if (me.role !== "department") return;
    const items = await api("GET", "/api/staff/my/notices");
    $("#notices").hidden = !items.length;
    $("#notice-list").replaceChildren(...items.slice(0, 10).map((n) => h("li", { class: n.read ? "read" : null },
      h("strong", {}, n.kind_text), " ", n.message, h("div", { class: "when" }, when(n.time)))));
  };
  const show = (c) => {
    current = c;
    $("#my-cases").hidden = true;
    $("#my-case").hidden = false;
    $("#my-number").textContent = c.number;
    $("#my-status").textContent = statusLabel(c.status, c.status_text);
    $("#my-status").className = `status ${c.status}`;
    $("#my-flags").replaceChildren(...caseTags(c).filter(Boolean));
    $("#my-facts").replaceChildren(...facts(c).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "—")]));
    renderPhotos($("#my-photos"), c.photos || []);
    renderTimeline($("#my-timeline"), c.timeline || []);
    const can = {
      "dispose-form": ["dispatched", "processing"].includes(c.status),
      "return-form": c.status === "dispatched",
      "extension-form": ["dispatched", "processing"].includes(c.status),
      "verify-form": c.status === "verifying",
    };
    for (const form of $$("form[data-role]")) form.hidden = form.dataset.allowed !== "true" || !can[form.id];
  };
  const open = async (number) => {
    history.replaceState(null, "", `?case=${encodeURIComponent(number)}`);
    const c = await attempt(() => api("GET", `/api/staff/my/cases/${encodeURIComponent(number)}`), $("#my-error"));
    if (c) show(c);
  };
  const act = async (what, body, done, form = false) => {
    const c = await attempt(() => api("POST", `/api/staff/my/cases/${encodeURIComponent(current.number)}/${what}`, body,
      { form }), $("#my-error"));
    if (!c) return false;
    flash(done);
    show(c);
    await list();
    return true;
  };
  $("#back").addEventListener("click", async () => {
    $("#my-case").hidden = true;
    $("#my-cases").hidden = false;
    history.replaceState(null, "", location.pathname);
    await list();
  });
  $("#dispose-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    if (!String(data.get("note")).trim()) { flash("请填写处置情况", true); return; }
    if (await act("dispose", data, "已提交处置结果，等待核查", true)) event.target.reset();
  });
  $("#return-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = event.target.elements.reason.value.trim();
    if (!reason) { flash("请写明退回原因", true); return; }
    await act("return", { reason }, "已退回中心");
  });
  $("#extension-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = event.target.elements;
    if (!f.due_at.value || !f.reason.value.trim()) { flash("请填写延期时间和原因", true); return; }
    await act("extension", { due_at: `${f.due_at.value}:00+08:00`, reason: f.reason.value.trim() }, "已提交延期申请");
  });
  $("#verify-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    $("#position-text").textContent = "正在读取位置…";
    const coords = await position();
    if (coords) {
      data.set("lat", String(coords.latitude));
      data.set("lng", String(coords.longitude));
      data.set("crs", "wgs84");  // what browsers report; the server converts to the map's GCJ-02
      $("#position-text").textContent = `位置精度约 ${Math.round(coords.accuracy)} 米`;
    } else {
      $("#position-text").textContent = "没有取得位置（请允许定位，或填写未在现场的原因）";
    }
    if (await act("verify", data, data.get("passed") === "true" ? "核查通过，等待中心结案" : "已退回处置", true)) event.target.reset();
  });
  $("#notices-read").addEventListener("click", async () => {
    await attempt(() => api("POST", "/api/staff/my/notices/read"));
    await notices();
  });
  await Promise.all([list(), notices()]);
  const wanted = new URLSearchParams(location.search).get("case");
  if (wanted) await open(wanted);
}
