// Supervision: overdue and due-soon queues with their countdowns, 延期 approvals.
import { $, api, attempt, flash, h, linkList, table } from "/staff/static/core.js";
import { caseRow } from "/staff/static/pages/cases.js";

export async function supervisionPage() {
  const load = async () => {
    const [due, extensions] = await Promise.all([api("GET", "/api/staff/due"), api("GET", "/api/staff/extensions")]);
    $("#supervision-tiles").replaceChildren(...[["已超期", due.overdue.length], ["即将到期", due.due_soon.length],
      ["待审批延期", extensions.length]].map(([l, n]) => h("div", { class: "tile", "data-tile": l }, h("div", { class: "n" }, n), h("div", { class: "l" }, l))));
    const empty = (text) => h("tr", {}, h("td", { class: "muted" }, text));
    $("#overdue-table tbody").replaceChildren(...(due.overdue.length ? due.overdue.map((c) => caseRow(c)) : [empty("没有超期工单")]));
    $("#due-soon-table tbody").replaceChildren(...(due.due_soon.length ? due.due_soon.map((c) => caseRow(c)) : [empty("没有即将到期的工单")]));
    table($("#extensions"), ["工单", "承办单位", "原因", "原期限", "申请延至", ""], extensions.map((e) => [
      linkList([e.number]), `${e.department}（${e.requested_by}）`, e.reason, e.due_text, e.requested_due_text,
      h("span", {}, h("button", { type: "button", class: "primary", onclick: () => decide(e, true) }, "同意"), " ",
        h("button", { type: "button", onclick: () => decide(e, false) }, "不同意"))]), "没有待审批的延期申请");
  };
  const decide = async (e, approve) => {
    const note = approve ? "" : prompt("不同意的理由（会告知承办单位）");
    if (!approve && !note) return;
    if (await attempt(() => api("POST", `/api/staff/extensions/${e.id}`, { approve, note: note || "" }) .then(() => true))) {
      flash(approve ? `已同意 ${e.number} 延期` : `已驳回 ${e.number} 的延期申请`);
      await load();
    }
  };
  await load();
}
