// The weekly report: counts, categories, hot grids, 一人多诉 and 多人一诉, overdue cases.
import { GridMap } from "/staff/static/gridmap.js";
import { $, api, download, flash, h, linkList, statusLabel, table, when } from "/staff/static/core.js";

// ---- dashboard ---------------------------------------------------------------------------------------
export async function dashboardPage() {
  const input = $("#week-input");
  input.value = new URLSearchParams(location.search).get("week") || "";
  const map = new GridMap($("#hot-map"), { height: 300 });
  const mapReady = map.load().catch(() => null);
  const load = async () => {
    const q = input.value.trim() ? `?week=${encodeURIComponent(input.value.trim())}` : "";
    const r = await api("GET", `/api/staff/reports/weekly${q}`);
    input.value = r.week;
    $("#week-label").textContent = `${r.week}（${r.start_date} 至 ${r.end_date}）`;
    const rate = r.satisfaction.rate == null ? "—" : `${(r.satisfaction.rate * 100).toFixed(1)}%`;
    const tiles = [
      ["新增工单", r.totals.filed], ["已办结", r.totals.closed], ["超期", r.overdue.length],
      ["满意率", rate, `已评价 ${r.satisfaction.rated} 件`], ["多人一诉", r.clusters.length],
    ];
    $("#tiles").replaceChildren(...tiles.map(([l, n, sub]) => h("div", { class: "tile", "data-tile": l },
      h("div", { class: "n" }, n), h("div", { class: "l" }, l, sub ? ` · ${sub}` : ""))));
    bars($("#by-category"), r.by_category.map((c) => [c.major_name + (c.minor_name ? ` / ${c.minor_name}` : ""), c.count]));
    bars($("#by-appeal"), r.by_appeal.map((a) => [a.appeal_text, a.count]));
    bars($("#by-channel"), r.by_channel.map((c) => [c.channel_text, c.count]));
    bars($("#by-grid"), r.hot_grids.map((g) => [`${g.grid_name}（${g.community}）`, g.count]));
    table($("#repeat"), ["居民", "问题", "件数", "工单"], r.repeat_reporters.map((p) => [p.resident, p.minor_name, p.count,
      linkList(p.numbers)]), "本周没有一人多诉");
    table($("#clusters"), ["问题", "网格", "居民数", "工单"], r.clusters.map((c) => [c.minor_name, c.grid_name, c.residents,
      linkList(c.numbers)]), "本周没有多人一诉");
    table($("#overdue"), ["编号", "状态", "类别", "网格", "办理时限", "超期（小时）"], r.overdue.map((c) => [linkList([c.number]),
      statusLabel(c.status, c.status_label), c.minor_name, c.grid_name, when(c.due_at), c.overdue_hours]), "没有超期工单");
    await mapReady;
    map.setHeat(Object.fromEntries(r.by_grid.map((g) => [g.grid_id, g.count])));
  };
  $("#week-form").addEventListener("submit", (event) => {
    event.preventDefault();
    history.replaceState(null, "", input.value ? `?week=${encodeURIComponent(input.value)}` : location.pathname);
    load().catch((exc) => flash(exc.message, true));
  });
  $("#week-csv").addEventListener("click", (event) => {
    event.preventDefault();
    download(`/api/staff/reports/weekly?format=csv&week=${encodeURIComponent(input.value)}`, `周报-${input.value}.csv`)
      .catch((exc) => flash(exc.message, true));
  });
  await load().catch((exc) => flash(exc.message, true));
}

export function bars(tableEl, rows) {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  tableEl.replaceChildren(...(rows.length ? rows.map(([label, n]) => h("tr", {}, h("td", {}, label),
    h("td", { class: "bar" }, h("div", { class: "fill", style: `width:${(100 * n) / max}%` })), h("td", {}, n)))
    : [h("tr", {}, h("td", { class: "muted" }, "本周暂无工单"))]));
}
