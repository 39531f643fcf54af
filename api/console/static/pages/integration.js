// What the three pages for other systems share: event names, the refusal shown instead of a page a
// non-administrator opened, the dead-letter count on the tab, and the one-time secret panels.
import { $, $$, api, flash } from "/staff/static/core.js";

export const EVENTS = {
  "case.created": "新工单", "case.status_changed": "状态变更", "case.rated": "居民评价", "webhook.ping": "测试事件",
};

/** The page's first load. A 403 (it names the role needed) replaces the page; other errors stay on top. */
export async function guarded(load) {
  try {
    await load();
  } catch (exc) {
    if (exc.status !== 403) throw exc;
    for (const el of $$("[data-needs-admin]")) el.hidden = true;
    $("#refused-text").textContent = exc.message;
    $("#refused").hidden = false;
  }
}

/** The dead-letter count on its tab; the summary it read. */
export async function deadBadge() {
  const summary = await api("GET", "/api/staff/webhooks/dead/summary");
  const badge = $("#dead-badge");
  badge.textContent = String(summary.dead);
  badge.hidden = !summary.dead;
  return summary;
}

/** A secret shown once: fill the panel, wire its copy and close buttons. */
export function showOnce(panel, values) {
  for (const [selector, value] of Object.entries(values)) $(selector).value = value;
  panel.hidden = false;
}
for (const button of $$("[data-copy]")) {
  button.addEventListener("click", async () => {
    const input = $(button.dataset.copy);
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand("copy");  // plain http outside localhost has no clipboard API
    }
    flash("已复制");
  });
}
for (const button of $$("[data-close]")) {
  button.addEventListener("click", () => {
    const panel = $(button.dataset.close);
    for (const input of $$("input", panel)) input.value = "";
    panel.hidden = true;
  });
}
