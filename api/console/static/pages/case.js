// A case's file: facts, photos (report, 处置, 核查), map, moves, dispatch with suggestions, 催办/督办,
// assignment, corrections, timeline, rating; and the printable case sheet (工单打印).
import { GridMap } from "/staff/static/gridmap.js";
import { $, ACTOR, EVENT, STATUS, api, attempt, countdown, flash, h, statusLabel, when } from "/staff/static/core.js";
import { caseTags, residentText } from "/staff/static/pages/cases.js";

const STAGE = { report: "居民上传", disposal: "处置后", verification: "核查" };

export function renderPhotos(box, photos) {
  box.replaceChildren();
  if (!photos.length) { box.append(h("span", { class: "muted" }, "无照片")); return; }
  for (const photo of photos) {
    const img = h("img", { alt: `${STAGE[photo.stage] || "居民上传"}的照片`, "data-sha": photo.sha256, title: `${photo.width}×${photo.height}` });
    box.append(h("figure", {}, img, h("figcaption", {}, STAGE[photo.stage] || "")));
    api("GET", photo.url, undefined, { raw: true }).then((r) => r.blob()).then((blob) => {
      img.src = URL.createObjectURL(blob);
      img.addEventListener("click", () => {
        const big = h("div", { class: "lightbox", onclick: () => big.remove() }, h("img", { src: img.src, alt: "照片" }));
        document.body.append(big);
      });
    }).catch(() => { img.alt = "照片无法显示"; });
  }
}

export function renderTimeline(list, events) {
  list.replaceChildren(...events.map((e) => {
    const change = e.to_status ? `${STATUS[e.from_status] || e.from_status || ""} → ${e.to_text || STATUS[e.to_status]}` : "";
    return h("li", { class: e.kind },
      h("div", {}, h("strong", {}, EVENT[e.kind] || e.kind), " ", change, e.department ? ` · ${e.department}` : ""),
      e.note ? h("div", {}, e.note) : null,
      h("div", { class: "when" }, `${when(e.time || e.created_at)} · ${ACTOR[e.actor] || e.actor || ""}`));
  }));
}

export function facts(c) {
  return [
    ["类别", [c.major_name, c.minor_name].filter(Boolean).join(" / ") + (c.category_source === "staff" ? "（已改类）" : "")],
    ["诉求类型", c.appeal_text || "—"],
    ["描述", c.description],
    ["地址", c.address],
    ["网格", [c.grid_name, c.community, c.street].filter(Boolean).join(" · ")],
    ["居民", residentText(c)],
    ["承办单位", c.department || "—"],
    ["经办人", c.assignee || "—"],
    ["提交时间", when(c.created_at)],
    ["来源渠道", c.channel_text],
    ["办理时限", `${when(c.due_at)}　${countdown(c.due_at, c.status)}`],
  ];
}

export async function casePage(me) {
  const number = document.body.dataset.number;
  const path = `/api/staff/cases/${encodeURIComponent(number)}`;
  const mapBox = $("#case-map");
  const map = new GridMap(mapBox, {
    height: 320,
    onClick: async ({ lat, lng }) => {
      const found = await attempt(() => api("GET", `/staff/locate?lat=${lat}&lng=${lng}`));
      if (!found || !found.length) { flash("这个位置不在辖区网格内", true); return; }
      const place = found[0];
      if (!confirm(`把工单改到这个位置？\n${place.grid_name}（${place.community}，${place.street}）`)) return;
      await relocate({ ...place, address: `${place.grid_name}附近` });
    },
  });
  const mapReady = map.load().catch((exc) => { mapBox.append(h("p", { class: "error" }, exc.message)); });
  const categories = fillCategories().catch(() => []);
  const departments = await api("GET", "/api/staff/departments").catch(() => []);
  $("#dispatch-department").append(...departments.filter((d) => d.active).map((d) => h("option", { value: d.id }, d.name)));
  if (departments.length) $("#departments").replaceChildren(...departments.filter((d) => d.active).map((d) => h("option", { value: d.name })));
  $("#print-link").href = `/staff/cases/${encodeURIComponent(number)}/print`;

  const edit = async (what, body, done, box = $("#edit-error")) => {
    const moved = await attempt(() => api("POST", `${path}/${what}`, body), box);
    if (moved) { await show(moved); flash(done); }
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
    const found = await attempt(() => api("GET", `/staff/locate?${q}`));
    if (!found) return;
    if (!found.length) { flash("没有找到这个位置，请换个说法或在地图上点选", true); return; }
    const place = found[0];
    relocate({ ...place, address: f.address.value.trim() || place.name || `${place.grid_name}附近` });
  });
  $("#dispatch-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.target.elements;
    if (!f.department_id.value) { $("#dispatch-error").textContent = "请选择承办单位"; $("#dispatch-error").hidden = false; return; }
    edit("dispatch", { department_id: Number(f.department_id.value), note: f.note.value.trim() || null }, "已派遣",
      $("#dispatch-error"));
  });
  for (const kind of ["urge", "supervise"]) {
    $(`#${kind}-button`).addEventListener("click", () => edit("urge", { kind, note: $("#urge-note").value.trim() },
      kind === "urge" ? "已催办" : "已督办", $("#urge-error")));
  }
  $("#assign-me").addEventListener("click", () => edit("assign", { assignee: me.name }, "已指派给我"));
  $("#note-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const note = event.target.elements.note.value.trim();
    if (!note) return;
    edit("notes", { note }, "已添加备注").then(() => { event.target.elements.note.value = ""; });
  });

  const show = async (c) => {
    const status = $("#case-status");
    status.textContent = statusLabel(c.status, c.status_text);
    status.className = `status ${c.status}`;
    $("#case-flags").replaceChildren(...caseTags(c).filter(Boolean));
    $("#case-facts").replaceChildren(...facts(c).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "—")]));
    renderPhotos($("#case-photos"), c.photos || []);
    renderMoves(c);
    renderTimeline($("#timeline"), c.timeline || []);
    renderRating(c.rating);
    renderCluster(c.cluster || [], c.number);
    $("#dispatch-box").hidden = c.status !== "accepted";
    $("#urge-box").hidden = !["dispatched", "processing"].includes(c.status);
    if (c.status === "accepted") suggest();
    await mapReady;
    map.clearMarkers();
    map.highlight(c.grid_id);
    if (c.lat != null && c.lng != null) { map.addMarker(c.lat, c.lng, c.address); map.focus(c.lat, c.lng); }
  };
  const suggest = async () => {
    const found = await api("GET", `${path}/suggestions`).catch(() => []);
    $("#suggestions").replaceChildren(...(found.length ? found.map((s) => h("button", {
      type: "button", class: "suggestion", "data-id": s.department_id, title: s.reasons.join("；"),
      onclick: () => { $("#dispatch-department").value = String(s.department_id); },
    }, s.name, h("small", {}, s.reasons.join("；")))) : [h("span", { class: "muted" }, "暂无建议，请手动选择")]));
    if (found.length && !$("#dispatch-department").value) $("#dispatch-department").value = String(found[0].department_id);
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
          const moved = await attempt(() => api("POST", `${path}/transitions`, { to: move.to,
            note: f.note.value.trim() || null, department: f.department.value.trim() || null }), error);
          if (!moved) return;
          f.note.value = "";
          flash(`已${move.label}`);
          await show(moved);
        },
      }, move.label));
    }
  };
  const loaded = await attempt(() => api("GET", path));
  if (loaded) await show(loaded);
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

export async function printPage() {
  const number = document.body.dataset.number;
  const c = await api("GET", `/api/staff/cases/${encodeURIComponent(number)}`);
  $("#print-status").textContent = statusLabel(c.status, c.status_text);
  $("#print-facts").replaceChildren(...facts(c).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v || "—"))));
  renderTimeline($("#print-timeline"), c.timeline || []);
  $("#print-time").textContent = when(new Date().toISOString());
  $("#print-button").addEventListener("click", () => window.print());
}
