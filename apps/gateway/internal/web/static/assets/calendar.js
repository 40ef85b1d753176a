// A month calendar of routine and special-date occurrences: a CSS grid of
// day buttons, drawn here because it is small and must follow the page's
// language, zone, palette and keyboard rules (a library would bring its
// own styles and strings).
import { api } from "./api.js";
import { failed, h, loading } from "./dom.js";
import { fmtMonth, fmtWallDate, t, todayIn, weekdayShort, zone } from "./i18n.js";

const pad = (n) => String(n).padStart(2, "0");
const iso = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;

// calendar draws a month and answers {node, reload()}. onDelete(occurrence)
// is offered from a day's list.
export function calendar({ onDelete }) {
  const today = todayIn(zone());
  let year = Number(today.slice(0, 4));
  let month = Number(today.slice(5, 7));
  let selected = today;
  let byDate = new Map();

  const title = h("h3", { class: "cal-title", id: "calendar-month", "data-testid": "calendar-month", "aria-live": "polite" });
  const prev = h("button", { type: "button", class: "secondary small", id: "calendar-prev", "data-testid": "calendar-prev", text: "‹", "aria-label": t("cal.prev") });
  const next = h("button", { type: "button", class: "secondary small", id: "calendar-next", "data-testid": "calendar-next", text: "›", "aria-label": t("cal.next") });
  const grid = h("div", { class: "cal-grid", id: "calendar-grid", role: "group", "aria-labelledby": "calendar-month" });
  const day = h("div", { class: "cal-day", id: "calendar-day", "data-testid": "calendar-day", "aria-live": "polite" });
  const body = h("div", { class: "cal-body" }, loading());
  const node = h("div", { class: "calendar", id: "calendar", "data-testid": "calendar" },
    h("div", { class: "cal-head" }, prev, title, next), body, day);

  const move = (step) => {
    month += step;
    if (month < 1) (month = 12), year--;
    if (month > 12) (month = 1), year++;
    selected = iso(year, month, 1);
    reload();
  };
  prev.addEventListener("click", () => move(-1));
  next.addEventListener("click", () => move(1));

  // reload fetches the month shown. The calendar is marked busy meanwhile,
  // so a change made on the page is not read off a stale month.
  let seq = 0; // only the latest reload draws (months can be clicked fast)
  async function reload() {
    const mine = ++seq;
    node.setAttribute("aria-busy", "true");
    try {
      await fetchMonth(mine);
    } finally {
      if (mine === seq) node.setAttribute("aria-busy", "false");
    }
  }

  async function fetchMonth(mine) {
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const from = iso(year, month, 1);
    const to = iso(year, month, last);
    title.textContent = fmtMonth(year, month);
    node.dataset.month = `${year}-${pad(month)}`;
    try {
      const res = await api("GET", `/api/calendar?from=${from}&to=${to}`);
      if (mine !== seq) return;
      byDate = new Map();
      for (const o of res.occurrences || []) {
        if (!byDate.has(o.date)) byDate.set(o.date, []);
        byDate.get(o.date).push(o);
      }
    } catch (err) {
      if (mine === seq) body.replaceChildren(failed(err));
      return;
    }
    draw(last);
  }

  function draw(last) {
    // Weeks start on Monday, as the emotion timeline's do.
    const first = (new Date(Date.UTC(year, month - 1, 1)).getUTCDay() + 6) % 7;
    const cells = [];
    for (let i = 0; i < 7; i++) cells.push(h("div", { class: "cal-wd", "aria-hidden": "true", text: weekdayShort(i) }));
    for (let i = 0; i < first; i++) cells.push(h("div", { class: "cal-pad", "aria-hidden": "true" }));
    for (let d = 1; d <= last; d++) {
      const date = iso(year, month, d);
      const occ = byDate.get(date) || [];
      // The name read out starts with the number shown, then the full date.
      const label = occ.length ? t("cal.dayWith", { date: fmtWallDate(date), n: occ.length }) : fmtWallDate(date);
      const cell = h("button", { type: "button", class: "cal-cell", "data-date": date, "data-count": occ.length, "aria-pressed": date === selected ? "true" : "false" },
        h("span", { class: "cal-num", text: d }),
        h("span", { class: "sr-only", text: label }),
        h("span", { class: "cal-dots", "aria-hidden": "true" }, occ.slice(0, 3).map((o) => h("span", { class: `dot ${o.type}` }))));
      if (date === today) cell.classList.add("today");
      cell.addEventListener("click", () => {
        selected = date;
        for (const c of grid.querySelectorAll(".cal-cell")) c.setAttribute("aria-pressed", c.dataset.date === date ? "true" : "false");
        showDay();
      });
      cells.push(cell);
    }
    grid.replaceChildren(...cells);
    body.replaceChildren(grid, h("p", { class: "legend" }, h("span", { class: "dot routine", "aria-hidden": "true" }), t("cal.routine"), " ", h("span", { class: "dot special_date", "aria-hidden": "true" }), t("cal.special")));
    showDay();
  }

  function showDay() {
    const occ = byDate.get(selected) || [];
    day.replaceChildren(h("h4", { text: fmtWallDate(selected) }));
    if (!occ.length) {
      day.append(h("p", { class: "muted", text: t("cal.nothing") }));
      return;
    }
    day.append(h("ul", { class: "plain" }, occ.map((o) => {
      const del = h("button", { type: "button", class: "danger small", text: t("common.delete"), "aria-label": t("cal.deleteNamed", { title: o.title }) });
      del.addEventListener("click", () => onDelete(o));
      return h("li", { class: `occ ${o.type}`, "data-testid": "calendar-occurrence", "data-type": o.type, "data-id": o.id },
        h("span", { class: `dot ${o.type}`, "aria-hidden": "true" }),
        h("span", { text: o.time ? `${o.time} ${o.title}` : o.title }),
        h("span", { class: "muted", text: t(o.type === "routine" ? "cal.routine" : "cal.special") }),
        del);
    })));
  }

  reload();
  return { node, reload };
}
