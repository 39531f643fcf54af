// The district map with all open cases: grids, roads and place labels from the shipped layers (offline),
// cases clustered at low zoom (screen-space cells), each case or cluster clickable.
import { GridMap } from "/staff/static/gridmap.js";

const SVG = "http://www.w3.org/2000/svg";
const CELL_PX = 48;  // cases closer than this on screen are drawn as one cluster
function el(name, attrs = {}, text = "") {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text) node.textContent = text;
  return node;
}

export class CaseMap extends GridMap {
  constructor(container, options = {}) {
    super(container, options);
    this.onCase = options.onCase || null;
    this.gRoads = el("g", { class: "roads" });
    this.gLabels = el("g", { class: "labels" });
    this.gCases = el("g", { class: "cases" });
    this.svg.insertBefore(this.gRoads, this.gMarks);
    this.svg.insertBefore(this.gLabels, this.gMarks);
    this.svg.append(this.gCases);
    this.cases = [];
    this.places = [];
  }

  setLayers({ roads, places }) {
    for (const f of (roads && roads.features) || []) {
      const lines = f.geometry.type === "LineString" ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const line of lines) {
        const d = "M" + line.map(([lng, lat]) => this.project(lat, lng).map((v) => v.toFixed(5)).join(",")).join("L");
        const path = el("path", { d, class: "road" });
        path.append(el("title", {}, f.properties.name));
        this.gRoads.append(path);
      }
      const mid = lines[0][Math.floor(lines[0].length / 2)];
      const [x, y] = this.project(mid[1], mid[0]);
      this.gRoads.append(el("text", { x, y, class: "road-label", "data-min": 0 }, f.properties.name));
    }
    const rank = { hospital: 1, school: 1, park: 1, market: 2, plaza: 2, parking: 3, compound: 3 };
    this.places = places.map((p) => ({ ...p, rank: rank[p.kind] || 3 }));
    this.gLabels.replaceChildren(...this.places.map((p) => {
      const [x, y] = this.project(p.lat, p.lng);
      return el("text", { x, y, class: `place-label ${p.kind}`, "data-rank": p.rank }, p.name);
    }));
    this.setView(this.view);
  }

  setCases(cases) {
    this.cases = cases;
    this.setView(this.view);
  }

  setView(box) {
    super.setView(box);
    if (!this.gCases) return;
    const perPx = box[2] / Math.max(this.svg.clientWidth || 800, 1);
    const font = perPx * 12;
    // labels: landmarks when zoomed in a little, compounds only when zoomed in a lot
    const showRank = perPx < 0.00035 ? 3 : perPx < 0.0012 ? 2 : perPx < 0.003 ? 1 : 0;
    for (const t of this.gLabels.children) {
      t.setAttribute("font-size", font.toFixed(6));
      t.style.display = Number(t.dataset.rank) <= showRank ? "" : "none";
    }
    for (const t of this.gRoads.querySelectorAll("text")) t.setAttribute("font-size", (font * 1.1).toFixed(6));
    for (const p of this.gRoads.querySelectorAll("path")) p.setAttribute("stroke-width", (perPx * 2.5).toFixed(6));
    this._cluster(perPx);
  }

  _cluster(perPx) {
    const cell = CELL_PX * perPx;
    const buckets = new Map();
    for (const c of this.cases) {
      const [x, y] = this.project(c.lat, c.lng);
      const key = `${Math.floor(x / cell)}:${Math.floor(y / cell)}`;
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key).push({ c, x, y });
    }
    const r = perPx * 7;
    const nodes = [];
    for (const items of buckets.values()) {
      const x = items.reduce((s, i) => s + i.x, 0) / items.length;
      const y = items.reduce((s, i) => s + i.y, 0) / items.length;
      if (items.length === 1) {
        const { c } = items[0];
        const dot = el("circle", { cx: x, cy: y, r, class: `case ${c.overdue ? "overdue" : ""} ${c.urgent ? "urgent" : ""}`.trim(), "data-number": c.number, tabindex: 0 });
        dot.append(el("title", {}, `${c.number} ${c.minor_name} · ${c.status_text}${c.department ? ` · ${c.department}` : ""}`));
        dot.addEventListener("click", (event) => { event.stopPropagation(); if (this.onCase) this.onCase(c); });
        nodes.push(dot);
      } else {
        const late = items.some((i) => i.c.overdue);
        const g = el("g", { class: `cluster ${late ? "overdue" : ""}`.trim(), "data-count": items.length, tabindex: 0 });
        g.append(el("circle", { cx: x, cy: y, r: r * (1.6 + Math.min(items.length, 50) / 25) }),
          el("text", { x, y: y + perPx * 4, "font-size": (perPx * 12).toFixed(6), "text-anchor": "middle" }, String(items.length)),
          el("title", {}, `${items.length} 件工单，点击放大`));
        g.addEventListener("click", (event) => {
          event.stopPropagation();
          const [, , w, hgt] = this.view;
          this.setView([x - w / 6, y - hgt / 6, w / 3, hgt / 3]);
        });
        nodes.push(g);
      }
    }
    this.gCases.replaceChildren(...nodes);
  }
}
