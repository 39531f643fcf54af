// The district's grid map drawn as SVG from /api/geo/grids.geojson (GCJ-02): no tile server, no library.
// Wheel zooms, drag pans, a click reports the clicked point (lat, lng) and grid.
const SVG = "http://www.w3.org/2000/svg";

function el(name, attrs = {}) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

let layerPromise = null;
export function loadGrids(url = "/api/geo/grids.geojson") {
  if (!layerPromise) {
    layerPromise = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`地图数据加载失败（${response.status}）`);
      return response.json();
    });
  }
  return layerPromise;
}

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

export class GridMap {
  constructor(container, { onClick = null, height = 360 } = {}) {
    this.container = container;
    this.onClick = onClick;
    this.svg = el("svg", { class: "gridmap", role: "img", "aria-label": "辖区网格地图" });
    this.svg.style.height = `${height}px`;
    this.gGrids = el("g", { class: "grids" });
    this.gMarks = el("g", { class: "marks" });
    this.svg.append(this.gGrids, this.gMarks);
    container.append(this.svg);
    this.paths = new Map();
    this.features = [];
    this._wire();
  }

  async load(url) {
    const layer = await loadGrids(url);
    this.features = layer.features || [];
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, latSum = 0, n = 0;
    for (const f of this.features) for (const ring of rings(f.geometry)) for (const [lng, lat] of ring) {
      latSum += lat; n += 1;
      minX = Math.min(minX, lng); maxX = Math.max(maxX, lng); minY = Math.min(minY, lat); maxY = Math.max(maxY, lat);
    }
    this.k = Math.cos(((latSum / Math.max(n, 1)) * Math.PI) / 180);
    const [x0, y0] = this.project(maxY, minX);
    const [x1, y1] = this.project(minY, maxX);
    const pad = (x1 - x0) * 0.02;
    this.home = [x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad];
    this.setView(this.home);
    for (const f of this.features) {
      const d = rings(f.geometry).map((ring) => "M" + ring.map(([lng, lat]) => this.project(lat, lng)
        .map((v) => v.toFixed(6)).join(",")).join("L") + "Z").join("");
      const props = f.properties || {};
      const path = el("path", { d, class: "grid", "data-grid": props.grid_id || "" });
      const title = el("title");
      title.textContent = `${props.grid_name || ""} · ${props.community || ""} · ${props.street || ""}`;
      path.append(title);
      this.gGrids.append(path);
      this.paths.set(String(props.grid_id), { path, props, title });
    }
    return this;
  }

  project(lat, lng) { return [lng * this.k * 1000, -lat * 1000]; }
  unproject(x, y) { return [-y / 1000, x / (this.k * 1000)]; }

  setView(box) {
    this.view = box;
    this.svg.setAttribute("viewBox", box.join(" "));
    // markers keep a constant size on screen whatever the zoom
    for (const dot of this.gMarks.children) dot.setAttribute("r", String(this._radius() * Number(dot.dataset.scale || 1)));
  }

  _radius() { return (this.view[2] / Math.max(this.svg.clientWidth || 400, 1)) * 7; }

  gridAt(lat, lng) {
    for (const f of this.features) {
      if (rings(f.geometry).some((ring) => inside(ring, lng, lat))) return f.properties || {};
    }
    return null;
  }

  // counts: {grid_id: n}; grids with a count are shaded by their share of the largest, and get a dot
  // sized by their count so that small grids stay visible at the district's scale.
  setHeat(counts) {
    const max = Math.max(1, ...Object.values(counts));
    this.clearMarkers();
    for (const [id, entry] of this.paths) {
      const n = counts[id] || 0;
      entry.path.classList.toggle("hot", n > 0);
      entry.path.style.fillOpacity = n > 0 ? String(0.25 + (0.7 * n) / max) : "";
      entry.title.textContent = `${entry.props.grid_name || ""} · ${entry.props.community || ""}` + (n ? ` · ${n} 件` : "");
      if (n > 0) {
        const box = entry.path.getBBox();
        const [lat, lng] = this.unproject(box.x + box.width / 2, box.y + box.height / 2);
        const dot = this.addMarker(lat, lng, `${entry.props.grid_name}：${n} 件`);
        dot.classList.add("heat");
        dot.dataset.scale = String(1 + (1.5 * n) / max);
      }
    }
    this.setView(this.view);
  }

  highlight(gridId) {
    for (const [id, entry] of this.paths) entry.path.classList.toggle("selected", id === String(gridId));
  }

  clearMarkers() { this.gMarks.replaceChildren(); }

  addMarker(lat, lng, label = "") {
    const [x, y] = this.project(lat, lng);
    const dot = el("circle", { cx: x, cy: y, r: this._radius(), class: "marker" });
    if (label) { const t = el("title"); t.textContent = label; dot.append(t); }
    this.gMarks.append(dot);
    return dot;
  }

  focus(lat, lng, span = 0.02) {
    const [x, y] = this.project(lat, lng);
    const w = span * this.k * 1000;
    const h = w * ((this.svg.clientHeight || 1) / (this.svg.clientWidth || 1));
    this.setView([x - w / 2, y - h / 2, w, h]);
  }

  _point(event) {
    const pt = this.svg.createSVGPoint();
    pt.x = event.clientX; pt.y = event.clientY;
    return pt.matrixTransform(this.svg.getScreenCTM().inverse());
  }

  _wire() {
    let drag = null;
    this.svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const p = this._point(event);
      const f = event.deltaY < 0 ? 0.8 : 1.25;
      const [x, y, w, h] = this.view;
      this.setView([p.x - (p.x - x) * f, p.y - (p.y - y) * f, w * f, h * f]);
    }, { passive: false });
    this.svg.addEventListener("pointerdown", (event) => {
      drag = { x: event.clientX, y: event.clientY, view: [...this.view], moved: false };
    });
    this.svg.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
      if (!drag.moved) return;
      const scale = drag.view[2] / this.svg.clientWidth;
      this.setView([drag.view[0] - dx * scale, drag.view[1] - dy * scale, drag.view[2], drag.view[3]]);
    });
    this.svg.addEventListener("pointerup", (event) => {
      const moved = drag && drag.moved;
      drag = null;
      if (moved || !this.onClick) return;
      const p = this._point(event);
      const [lat, lng] = this.unproject(p.x, p.y);
      this.onClick({ lat, lng, grid: this.gridAt(lat, lng) });
    });
    this.svg.addEventListener("dblclick", () => this.setView(this.home));
  }
}

function inside(ring, x, y) {
  let hit = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}
