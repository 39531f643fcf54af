// Webhooks that could not be delivered: counts, each with its last error; send one or all again, or give up.
import { $, api, attempt, flash, h, linkList, table, when } from "/staff/static/core.js";
import { EVENTS, deadBadge, guarded } from "/staff/static/pages/integration.js";

const POLL_MS = 15000;

export async function deadLettersPage() {
  let rows = [];
  const load = async () => {
    const [dead, summary] = await Promise.all([api("GET", "/api/staff/webhooks/dead?limit=500"), deadBadge()]);
    rows = dead;
    $("#dead-tiles").replaceChildren(...[["投递失败", summary.dead], ["正在重试", summary.retrying]].map(([l, n]) =>
      h("div", { class: "tile", "data-tile": l }, h("div", { class: "n" }, n), h("div", { class: "l" }, l))));
    $("#retry-all").disabled = !rows.length;
    table($("#dead-table"), ["事件时间", "接收端", "事件", "工单", "尝试", "最后错误", ""], rows.map((r) => [
      when(r.created_at), r.endpoint || h("span", { class: "muted" }, "（已删除）"), EVENTS[r.event] || r.event,
      r.number ? linkList([r.number]) : "—", `${r.attempts} 次`,
      h("span", { class: "last-error", title: r.error || "" }, r.error || (r.error_code ? `HTTP ${r.error_code}` : "—")),
      h("span", { class: "inline" }, h("button", { type: "button", class: "primary", onclick: () => retry(r) }, "重发"),
        h("button", { type: "button", onclick: () => discard(r) }, "放弃")),
    ]), "没有投递失败的推送");
    table($("#backlog-table"), ["接收端", "投递失败", "正在重试"], summary.endpoints.map((e) =>
      [e.name || "（已删除）", e.dead, e.retrying]), "所有接收端都没有积压");
  };
  const retry = async (r) => {
    if (await attempt(() => api("POST", `/api/staff/outbox/${r.id}/retry`))) {
      flash(`已重新排队：${EVENTS[r.event] || r.event}${r.number ? ` ${r.number}` : ""}`);
      await load();
    }
  };
  const discard = async (r) => {
    if (!confirm("放弃这条推送？它将不再发送（记录保留）。")) return;
    if (await attempt(() => api("POST", `/api/staff/webhooks/dead/${r.id}/discard`).then(() => true))) {
      flash("已放弃这条推送");
      await load();
    }
  };
  $("#retry-all").addEventListener("click", async () => {
    if (!confirm(`重发全部 ${rows.length} 条投递失败的推送？`)) return;
    const done = await attempt(() => api("POST", "/api/staff/webhooks/dead/retry"));
    if (!done) return;
    flash(`已重新排队 ${done.count} 条`);
    await load();
  });
  $("#reload-dead").addEventListener("click", () => attempt(load));
  await guarded(load);
  setInterval(() => { if (!document.hidden && $("#refused").hidden) load().catch(() => null); }, POLL_MS);
}
