// The hand-over queue: residents who asked for a person or rated poorly; staff answer from here.
import { $, $$, api, attempt, flash, h, when } from "/staff/static/core.js";
import { caseRow } from "/staff/static/pages/cases.js";

const POLL_MS = 15000;

export async function handoverPage() {
  let state = new URLSearchParams(location.search).get("state") || "open";
  let current = Number(new URLSearchParams(location.search).get("id")) || null;
  const queue = $("#queue");

  const drawQueue = (items) => {
    $("#queue-count").textContent = `${items.length} 条`;
    queue.replaceChildren(...(items.length ? items.map((r) => h("li", {
      "data-id": r.id, class: [r.id === current ? "active" : "", r.reason === "bad_rating" ? "bad" : ""].join(" ").trim() || null,
      onclick: () => open(r.id),
    }, h("div", {}, h("strong", {}, r.resident.label), " ", h("span", { class: `tag ${r.reason === "bad_rating" ? "overdue" : "flagged"}` }, r.reason_text)),
    h("div", { class: "muted" }, r.text || (r.case ? r.case.number : "")),
    h("div", { class: "when" }, when(r.created_at), r.assignee ? ` · ${r.assignee}` : ""))) : [h("li", { class: "muted" }, "没有需要处理的请求")]));
  };
  const load = async (quiet = false) => {
    const items = await api("GET", `/api/staff/handover?state=${state}`);
    const before = new Set($$("#queue li[data-id]").map((li) => Number(li.dataset.id)));
    drawQueue(items);
    const fresh = items.filter((r) => !before.has(r.id));
    if (quiet && before.size && fresh.length) flash(`有 ${fresh.length} 位居民等待人工服务`);
    if (!current && items.length && !quiet) await open(items[0].id);
  };
  const open = async (id) => {
    current = id;
    history.replaceState(null, "", `?state=${state}&id=${id}`);
    for (const li of $$("#queue li[data-id]")) li.classList.toggle("active", Number(li.dataset.id) === id);
    const r = await attempt(() => api("GET", `/api/staff/handover/${id}`), $("#request-error"));
    if (r) show(r);
  };
  const show = (r) => {
    $("#request").hidden = false;
    $("#request-title").textContent = `${r.reason_text} · ${r.state_text}`;
    $("#request-who").replaceChildren(h("strong", {}, r.resident.hidden ? "居民要求保密" : r.resident.label), " · ",
      r.resident.phone || "未留电话", " · 最后发消息：", when(r.resident.last_seen),
      r.assignee ? ` · 认领人：${r.assignee}` : "");
    $("#request-text").textContent = r.text || "（居民没有留言）";
    const cases = r.case ? [r.case, ...r.open_cases.filter((c) => c.number !== r.case.number)] : r.open_cases;
    $("#request-cases tbody").replaceChildren(...(cases.length ? cases.map((c) => caseRow(c))
      : [h("tr", {}, h("td", { class: "muted" }, "没有未办结的工单"))]));
    $("#messages").replaceChildren(...(r.messages.length ? r.messages.map((m) => h("li", { class: m.direction },
      h("div", { class: "who" }, m.direction_text, m.actor ? `（${m.actor}）` : "", m.via_text ? ` · ${m.via_text}` : "", " · ", when(m.time)),
      h("div", {}, m.text))) : [h("li", { class: "muted" }, "还没有对话记录")]));
    $("#messages").scrollTop = $("#messages").scrollHeight;  // the latest exchange in view
    $("#answer-via").textContent = `将通过${r.answer_via_text}发送`;
  };
  $("#answer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = event.target.elements.text.value.trim();
    if (!text) { flash("请先写答复内容", true); return; }
    const sent = await attempt(() => api("POST", `/api/staff/handover/${current}/answer`, { text }), $("#request-error"));
    if (!sent) return;
    event.target.elements.text.value = "";
    flash(`已通过${sent.via_text}发送`);
    show(sent.request);
    await load();
  });
  $("#call-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const note = event.target.elements.note.value.trim();
    if (!note) { flash("请写下电话回访的内容", true); return; }
    const done = await attempt(() => api("POST", `/api/staff/handover/${current}/call`, { note }), $("#request-error"));
    if (!done) return;
    event.target.elements.note.value = "";
    flash("已记录电话回访");
    show(done.request);
    await load();
  });
  $("#claim-button").addEventListener("click", async () => {
    const r = await attempt(() => api("POST", `/api/staff/handover/${current}/claim`), $("#request-error"));
    if (r) { show(r); flash("已认领"); await load(); }
  });
  $("#close-button").addEventListener("click", async () => {
    const r = await attempt(() => api("POST", `/api/staff/handover/${current}/close`), $("#request-error"));
    if (r) { show(r); flash("已关闭"); await load(); }
  });
  for (const tab of $$(".tabs button")) {
    tab.classList.toggle("active", tab.dataset.state === state);
    tab.addEventListener("click", async () => {
      state = tab.dataset.state;
      current = null;
      $("#request").hidden = true;
      for (const t of $$(".tabs button")) t.classList.toggle("active", t === tab);
      await load();
    });
  }
  await load();
  if (current) await open(current);
  setInterval(() => { if (!document.hidden) load(true).catch(() => null); }, POLL_MS);
}
