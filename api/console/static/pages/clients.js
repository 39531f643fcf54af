// API clients (Open311 keys): each bound to one intake channel with a rate limit; the key is shown once.
import { $, api, attempt, flash, h, table, when } from "/staff/static/core.js";
import { deadBadge, guarded, showOnce } from "/staff/static/pages/integration.js";

export async function clientsPage() {
  const form = $("#client-form");
  const load = async () => {
    const clients = await api("GET", "/api/staff/api-clients");
    table($("#client-table"), ["名称", "渠道", "密钥", "限额", "状态", "创建", "最近使用", ""], clients.map((c) => [
      h("span", { class: c.active ? null : "muted" }, c.name), h("span", { class: "tag channel" }, c.channel_text),
      h("code", {}, `${c.key_prefix}…`), `${c.rate_per_minute} 次/分钟`,
      c.active ? "在用" : h("span", { class: "muted" }, "已吊销"),
      h("span", {}, when(c.created_at), h("div", { class: "muted" }, c.created_by)), when(c.last_used_at) || "从未使用",
      c.active ? h("button", { type: "button", onclick: () => revoke(c) }, "吊销") : ""]), "还没有接入方");
  };
  const revoke = async (c) => {
    if (!confirm(`吊销“${c.name}”的密钥？吊销后它立即无法再提交工单，且不能恢复。`)) return;
    if (await attempt(() => api("POST", `/api/staff/api-clients/${c.id}/revoke`))) {
      flash(`已吊销“${c.name}”的密钥`);
      await load();
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = form.elements;
    const body = { name: f.name.value.trim(), channel: f.channel.value, rate_per_minute: Number(f.rate_per_minute.value) };
    const created = await attempt(() => api("POST", "/api/staff/api-clients", body), $("#client-error"));
    if (!created) return;
    showOnce($("#client-secret"), { "#client-key": created.key });
    flash(`已创建“${created.name}”（${created.channel_text}）`);
    form.reset();
    await load();
  });
  await guarded(async () => { await load(); await deadBadge(); });
}
