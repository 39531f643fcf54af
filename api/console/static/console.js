// The staff console: each page's shell (data-page on <body>) is filled from the JSON APIs by its module.
import { $, api, chrome, flash } from "/staff/static/core.js";

const CENTRE_PAGES = ["cases", "case", "handover", "supervision", "map", "stats", "dashboard", "templates", "admin", "print",
  "clients", "webhooks", "dead"];
const MODULES = {
  cases: ["/staff/static/pages/cases.js", "casesPage"],
  case: ["/staff/static/pages/case.js", "casePage"],
  print: ["/staff/static/pages/case.js", "printPage"],
  handover: ["/staff/static/pages/handover.js", "handoverPage"],
  supervision: ["/staff/static/pages/supervision.js", "supervisionPage"],
  my: ["/staff/static/pages/my.js", "myPage"],
  admin: ["/staff/static/pages/admin.js", "adminPage"],
  templates: ["/staff/static/pages/templates.js", "templatesPage"],
  dashboard: ["/staff/static/pages/dashboard.js", "dashboardPage"],
  stats: ["/staff/static/pages/stats.js", "statsPage"],
  map: ["/staff/static/pages/map.js", "mapPage"],
  clients: ["/staff/static/pages/clients.js", "clientsPage"],
  webhooks: ["/staff/static/pages/webhooks.js", "webhooksPage"],
  dead: ["/staff/static/pages/dead_letters.js", "deadLettersPage"],
};

function loginPage() {
  const form = $("#login-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("#login-error");
    error.hidden = true;
    try {
      const me = await api("POST", "/api/staff/session", {
        name: form.elements.name.value.trim(), password: form.elements.password.value,
      });
      const next = new URLSearchParams(location.search).get("next");
      const home = ["department", "grid"].includes(me.role) ? "/staff/my" : "/staff/cases";
      location.href = next && next.startsWith("/staff") && next !== "/staff/login" ? next : home;
    } catch (exc) {
      error.textContent = exc.status === 401 ? "账号或密码不正确，请重新输入" : exc.message;
      error.hidden = false;
    }
  });
}

async function start() {
  const page = document.body.dataset.page;
  if (page === "login") { loginPage(); return; }
  const me = await chrome();
  if (CENTRE_PAGES.includes(page) && !["admin", "agent"].includes(me.role)) {
    location.replace("/staff/my");
    return;
  }
  const [path, name] = MODULES[page];
  const module = await import(path);
  await module[name](me);
}

start().catch((exc) => flash(exc.message, true));
