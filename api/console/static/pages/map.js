// All open cases on the district map (offline layers), clustered at low zoom; click through to a case.
import { CaseMap } from "/staff/static/casemap.js";
import { $, api } from "/staff/static/core.js";

export async function mapPage() {
  const map = new CaseMap($("#case-map-big"), {
    height: Math.max(420, window.innerHeight - 220),
    onCase: (c) => { location.href = `/staff/cases/${encodeURIComponent(c.number)}`; },
  });
  const [, layers, cases] = await Promise.all([map.load(), api("GET", "/api/staff/map/layers"), api("GET", "/api/staff/map/cases")]);
  map.setLayers(layers);
  const draw = () => {
    const shown = cases.filter((c) => (!$("#only-overdue").checked || c.overdue) && (!$("#only-urgent").checked || c.urgent));
    $("#map-count").textContent = `未办结 ${shown.length} 件`;
    map.setCases(shown);
  };
  $("#only-overdue").addEventListener("change", draw);
  $("#only-urgent").addEventListener("change", draw);
  draw();
}
