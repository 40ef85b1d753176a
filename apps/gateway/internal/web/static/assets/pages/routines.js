// Writing routines and special dates: create, edit, delete, and a month
// calendar of their occurrences (GET /api/calendar).
import { api } from "../api.js";
import { calendar } from "../calendar.js";
import { busy, clearErrors, confirmDialog, empty, failed, field, formSlot, h, loading, pageHead, showError } from "../dom.js";
import { fmtWallDate, t, weekdayLong, WEEKDAYS, zone } from "../i18n.js";

export function routinesPage() {
  const cal = calendar({ onDelete: removeOccurrence });
  const routines = section("routine");
  const dates = section("special");
  reloadAll();

  async function reloadAll() {
    await Promise.all([routines.reload(), dates.reload()]);
  }
  // After a change the lists and the calendar reload together: the
  // calendar is busy from the first moment, never showing the old month
  // beside the new list.
  async function changed() {
    await Promise.all([reloadAll(), cal.reload()]);
  }

  async function removeOccurrence(o) {
    const isRoutine = o.type === "routine";
    if (!(await confirmDialog(t(isRoutine ? "routines.confirmDelete" : "special.confirmDelete", { title: o.title })))) return;
    try {
      await api("DELETE", isRoutine ? `/api/routines/${o.id}` : `/api/special-dates/${o.id}`);
    } catch {
      // already gone, or the list below shows the failure on reload
    }
    changed();
  }

  function section(kind) {
    const isRoutine = kind === "routine";
    const list = h("ul", { class: "item-list", id: isRoutine ? "routine-list" : "special-date-list", "data-testid": isRoutine ? "routine-list" : "special-date-list" });
    const holder = h("div", {}, loading());
    let editing = null; // the id being edited, or null
    const submit = h("button", { type: "submit", id: isRoutine ? "routine-submit" : "special-date-submit", "data-testid": isRoutine ? "routine-submit" : "special-date-submit", text: t("common.add") });
    const cancel = h("button", { type: "button", class: "secondary", id: isRoutine ? "routine-cancel" : "special-date-cancel", text: t("common.cancelEdit"), hidden: true });
    const legend = h("legend", { text: t(isRoutine ? "routines.new" : "special.new") });
    const form = isRoutine
      ? h("form", { id: "routine-form", class: "form", novalidate: true },
          h("fieldset", {}, legend,
            field({ name: "title", label: t("field.routineTitle"), required: true, maxlength: 100 }),
            h("div", { class: "row" },
              field({ name: "kind", label: t("field.kind"), type: "select", value: "weekly", options: [["weekly", t("routines.weekly")], ["monthly", t("routines.monthly")]] }),
              field({ name: "weekday", label: t("field.weekday"), type: "select", value: "mon", options: WEEKDAYS.map((w, i) => [w, weekdayLong(i)]) }),
              field({ name: "day_of_month", label: t("field.dayOfMonth"), type: "number", min: 1, max: 31, value: 1, inputmode: "numeric" }),
              field({ name: "time", label: t("field.time"), type: "time", value: "09:00", required: true })),
            h("p", { class: "hint", text: t("routines.hint", { zone: zone() }) }),
            formSlot(),
            h("div", { class: "actions" }, cancel, submit)))
      : h("form", { id: "special-date-form", class: "form", novalidate: true },
          h("fieldset", {}, legend,
            h("div", { class: "row" },
              field({ name: "name", label: t("field.specialName"), required: true, maxlength: 100 }),
              field({ name: "date", label: t("field.date"), type: "date", required: true })),
            field({ name: "yearly", label: t("field.yearly"), type: "checkbox", checked: true }),
            formSlot(),
            h("div", { class: "actions" }, cancel, submit)));

    // A weekly routine asks for a weekday, a monthly one for a day.
    const syncKind = () => {
      if (!isRoutine) return;
      const monthly = form.elements.namedItem("kind").value === "monthly";
      form.querySelector('[data-field="weekday"]').hidden = monthly;
      form.querySelector('[data-field="day_of_month"]').hidden = !monthly;
    };
    if (isRoutine) form.elements.namedItem("kind").addEventListener("change", syncKind);
    syncKind();

    const reset = () => {
      editing = null;
      form.reset();
      clearErrors(form);
      legend.textContent = t(isRoutine ? "routines.new" : "special.new");
      submit.textContent = t("common.add");
      cancel.hidden = true;
      syncKind();
    };
    cancel.addEventListener("click", reset);

    const edit = (item) => {
      editing = item.id;
      clearErrors(form);
      const el = form.elements;
      if (isRoutine) {
        el.namedItem("title").value = item.title;
        el.namedItem("kind").value = item.kind;
        if (item.weekday) el.namedItem("weekday").value = item.weekday;
        if (item.day_of_month) el.namedItem("day_of_month").value = item.day_of_month;
        el.namedItem("time").value = item.time;
      } else {
        el.namedItem("name").value = item.name;
        el.namedItem("date").value = item.date;
        el.namedItem("yearly").checked = item.yearly;
      }
      legend.textContent = t(isRoutine ? "routines.edit" : "special.edit");
      submit.textContent = t("common.save");
      cancel.hidden = false;
      syncKind();
      form.querySelector("input").focus();
    };

    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearErrors(form);
      const el = form.elements;
      let body;
      if (isRoutine) {
        const kindValue = el.namedItem("kind").value;
        body = { title: el.namedItem("title").value, kind: kindValue, time: el.namedItem("time").value };
        if (kindValue === "weekly") body.weekday = el.namedItem("weekday").value;
        else body.day_of_month = Number(el.namedItem("day_of_month").value);
      } else {
        body = { name: el.namedItem("name").value, date: el.namedItem("date").value, yearly: el.namedItem("yearly").checked };
      }
      const base = isRoutine ? "/api/routines" : "/api/special-dates";
      busy(submit, true);
      try {
        if (editing) await api("PATCH", `${base}/${editing}`, body);
        else await api("POST", base, body);
        reset();
        changed();
      } catch (err) {
        showError(form, err);
      } finally {
        busy(submit, false);
      }
    });

    async function reload() {
      let items;
      try {
        items = (await api("GET", isRoutine ? "/api/routines" : "/api/special-dates")).items || [];
      } catch (err) {
        holder.replaceChildren(failed(err));
        return;
      }
      list.replaceChildren(...items.map((item) => row(item)));
      holder.replaceChildren(items.length ? list : empty(t(isRoutine ? "routines.empty" : "special.empty")));
    }

    function row(item) {
      const name = isRoutine ? item.title : item.name;
      const del = h("button", { type: "button", class: "danger small", "data-testid": "item-delete", text: t("common.delete"), "aria-label": t("common.deleteNamed", { title: name }) });
      const ed = h("button", { type: "button", class: "secondary small", "data-testid": "item-edit", text: t("common.edit"), "aria-label": t("common.editNamed", { title: name }) });
      ed.addEventListener("click", () => edit(item));
      del.addEventListener("click", async () => {
        if (!(await confirmDialog(t(isRoutine ? "routines.confirmDelete" : "special.confirmDelete", { title: name })))) return del.focus();
        del.disabled = true;
        try {
          await api("DELETE", `${isRoutine ? "/api/routines" : "/api/special-dates"}/${item.id}`);
          if (editing === item.id) reset();
          changed();
        } catch (err) {
          del.disabled = false;
          li.append(failed(err));
        }
      });
      const li = h("li", { class: "item", [isRoutine ? "data-routine-id" : "data-special-date-id"]: item.id, "data-testid": isRoutine ? "routine-item" : "special-date-item" },
        h("div", {}, h("strong", { text: name }), h("p", { class: "meta", text: isRoutine ? schedule(item) : special(item) })),
        h("div", { class: "card-actions" }, ed, del));
      return li;
    }

    const node = h("section", { class: "paper", id: isRoutine ? "routines-section" : "special-dates-section", "aria-labelledby": `${kind}-heading` },
      h("h2", { id: `${kind}-heading`, text: t(isRoutine ? "routines.title" : "special.title") }),
      holder, form);
    return { node, reload };
  }

  return h("div", { class: "stack", id: "routines" },
    pageHead(t("routines.pageTitle"), t("routines.lead")),
    h("div", { class: "two-col" }, routines.node, dates.node),
    h("section", { class: "paper", "aria-labelledby": "calendar-heading" }, h("h2", { id: "calendar-heading", text: t("cal.title") }), cal.node));
}

function schedule(r) {
  if (r.kind === "weekly") return t("routines.everyWeek", { day: weekdayLong(WEEKDAYS.indexOf(r.weekday)), time: r.time });
  return t("routines.everyMonth", { day: r.day_of_month, time: r.time });
}

function special(s) {
  return s.yearly ? t("special.yearly", { date: fmtWallDate(s.date) }) : fmtWallDate(s.date);
}
