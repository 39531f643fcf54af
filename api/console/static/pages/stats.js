// Statistics and 考核 for any range or month: tiles, a daily trend chart (SVG), per-group table, exports.
import { $, api, download, flash, h, linkList, table } from "/staff/static/core.js";

const SVG = "http://www.w3.org/2000/svg";
const pct = (v) => (v == null ? "—" : `${(v * 100).toFixed(1)}%`);
function el(name, attrs = {}, text = "") {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text) node.textContent = text;
  return node;
}

export function trendChart(box, trend) {
  const W = 800, H = 220, L = 36, B = 28, T = 10;
  const max = Math.max(1, ...trend.map((d) => Math.max(d.received, d.closed)));
  const x = (i) => L + ((W - L - 10) * i) / Math.max(1, trend.length - 1);
  const y = (v) => H - B - ((H - B - T) * v) / max;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "trend" });
  for (let k = 0; k <= 4; k++) {
    const v = Math.round((max * k) / 4);
    svg.append(el("line", { x1: L, x2: W - 10, y1: y(v), y2: y(v), class: "gridline" }), el("text", { x: L - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, String(v)));
  }
  const step = Math.max(1, Math.ceil(trend.length / 10));
  trend.forEach((d, i) => { if (i % step === 0) svg.append(el("text", { x: x(i), y: H - 8, class: "axis", "text-anchor": "middle" }, d.day.slice(5))); });
  for (const [key, cls, label] of [["received", "received", "受理"], ["closed", "closed", "办结"]]) {
    svg.append(el("polyline", { points: trend.map((d, i) => `${x(i)},${y(d[key])}`).join(" "), class: `line ${cls}` }));
    trend.forEach((d, i) => { if (d[key]) svg.append(el("circle", { cx: x(i), cy: y(d[key]), r: 3, class: `dot ${cls}` }, )); });
    void label;
  }
  box.replaceChildren(svg, h("div", { class: "legend" }, h("span", { class: "key received" }, "受理量"), h("span", { class: "key closed" }, "办结量")));
}

export async function statsPage() {
  const form = $("#stats-form");
  const params = new URLSearchParams(location.search);
  for (const [k, v] of params) if (form.elements[k]) form.elements[k].value = v;
  const query = () => {
    const q = new URLSearchParams();
    const f = form.elements;
    if (f.month.value) q.set("month", f.month.value);
    else { if (f.since.value) q.set("since", f.since.value); if (f.until.value) q.set("until", f.until.value); }
    q.set("group", f.group.value);
    return q;
  };
  const load = async () => {
    const r = await api("GET", `/api/staff/stats?${query()}`);
    $("#stats-range").textContent = `${r.since} 至 ${r.last_day}，按${r.grouping_text}`;
    const t = r.total;
    $("#stats-tiles").replaceChildren(...[["受理量", t.received], ["办结量", t.closed], ["按时办结率", pct(t.on_time_rate)],
      ["满意率", pct(t.satisfaction_rate)], ["回访率", pct(t.revisit_rate)], ["重办率", pct(t.reopen_rate)]]
      .map(([l, n]) => h("div", { class: "tile", "data-tile": l }, h("div", { class: "n" }, n), h("div", { class: "l" }, l))));
    trendChart($("#trend"), r.trend);
    $("#stats-title").textContent = `按${r.grouping_text}`;
    table($("#stats-table"), [r.grouping_text, "受理量", "办结量", "按时办结率", "满意率", "回访率", "重办率", "受理的工单"],
      [...r.rows, t].map((row) => [row.group, row.received, row.closed, pct(row.on_time_rate), pct(row.satisfaction_rate),
        pct(row.revisit_rate), pct(row.reopen_rate), row === t ? "" : linkList(row.numbers.slice(0, 5))]), "这段时间没有工单");
  };
  form.addEventListener("input", (event) => {
    if (event.target.name === "month" && event.target.value) { form.elements.since.value = ""; form.elements.until.value = ""; }
    if (["since", "until"].includes(event.target.name)) form.elements.month.value = "";
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    history.replaceState(null, "", `?${query()}`);
    load().catch((exc) => flash(exc.message, true));
  });
  for (const format of ["csv", "xlsx"]) {
    $(`#stats-${format}`).addEventListener("click", (event) => {
      event.preventDefault();
      const q = query(); q.set("format", format);
      download(`/api/staff/stats?${q}`, `统计.${format}`).catch((exc) => flash(exc.message, true));
    });
  }
  await load();
}
