// Webhook endpoints: where new cases, status changes and ratings are pushed (signed); a test event on
// demand, on/off, removal. The signing secret is shown once.
import { $, $$, api, attempt, flash, h, table } from "/staff/static/core.js";
import { EVENTS, deadBadge, guarded, showOnce } from "/staff/static/pages/integration.js";

export async function webhooksPage() {
  const form = $("#endpoint-form");
  const load = async () => {
    const [endpoints, summary] = await Promise.all([api("GET", "/api/staff/webhooks"), deadBadge()]);
    const backlog = new Map(summary.endpoints.map((e) => [e.id, e]));
    table($("#endpoint-table"), ["名称", "接收地址", "事件", "Key ID", "状态", "积压", ""], endpoints.map((e) => {
      const b = backlog.get(e.id);
      return [
        h("span", { class: e.active ? null : "muted" }, e.name), h("span", { class: "url", title: e.url }, e.url),
        e.events.length ? e.events.map((k) => EVENTS[k] || k).join("、") : "全部",
        h("code", {}, e.key_id), e.active ? "在用" : h("span", { class: "muted" }, "已停用"),
        b && (b.dead || b.retrying) ? h("a", { href: "/staff/integration/dead", class: b.dead ? "error" : null },
          [b.dead ? `失败 ${b.dead}` : "", b.retrying ? `重试中 ${b.retrying}` : ""].filter(Boolean).join(" · ")) : "—",
        h("span", { class: "inline" },
          h("button", { type: "button", onclick: () => ping(e), disabled: !e.active }, "发送测试事件"),
          h("button", { type: "button", onclick: () => toggle(e) }, e.active ? "停用" : "启用"),
          h("button", { type: "button", onclick: () => remove(e) }, "删除")),
      ];
    }), "还没有接收端");
  };
  const ping = async (e) => {
    const r = await attempt(() => api("POST", `/api/staff/webhooks/${e.id}/test`));
    if (!r) return;
    if (r.ok) flash(`“${e.name}”已收到测试事件（HTTP ${r.code}）`);
    else flash(`测试事件没有送达“${e.name}”：${r.code ? `对方答复 HTTP ${r.code}` : r.error}`, true);
  };
  const toggle = async (e) => {
    if (await attempt(() => api("POST", `/api/staff/webhooks/${e.id}/active`, { active: !e.active }))) {
      flash(e.active ? `已停用“${e.name}”：不再推送，它的状态调用也会被拒绝` : `已启用“${e.name}”`);
      await load();
    }
  };
  const remove = async (e) => {
    if (!confirm(`删除接收端“${e.name}”？尚未送达和投递失败的推送一并放弃，它签名的状态调用也将被拒绝。`)) return;
    if (await attempt(() => api("DELETE", `/api/staff/webhooks/${e.id}`).then(() => true))) {
      flash(`已删除“${e.name}”`);
      await load();
    }
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = form.elements;
    const body = { name: f.name.value.trim(), url: f.url.value.trim(),
      events: $$("input[name=events]:checked", form).map((i) => i.value) };
    const created = await attempt(() => api("POST", "/api/staff/webhooks", body), $("#endpoint-error"));
    if (!created) return;
    showOnce($("#endpoint-secret"), { "#endpoint-key-id": created.key_id, "#endpoint-key": created.secret });
    flash(`已创建接收端“${created.name}”`);
    form.reset();
    await load();
  });
  await guarded(load);
}
