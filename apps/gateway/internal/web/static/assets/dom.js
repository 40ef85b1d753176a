// DOM helpers. Everything a user or a server wrote reaches the page as a
// text node (textContent), never parsed as HTML (web_test.go forbids the
// HTML-parsing DOM calls in every module).
import { t } from "./i18n.js";

// h builds an element: h("p", {class: "x", text: "hello"}, child, "text").
// Attributes: class, text (textContent), on<event> (a listener), a boolean
// true (present) or false/null/undefined (absent), anything else as a string.
export function h(tag, attrs = {}, ...children) {
  const el = tag.startsWith("svg:")
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    // Values and checks are also the defaults, so form.reset() returns to them.
    else if (k === "value" && "value" in el) {
      if (el.tagName === "INPUT") el.setAttribute("value", v);
      el.value = v;
    } else if (k === "checked") el.defaultChecked = el.checked = Boolean(v);
    else if (k === "selected") el.defaultSelected = el.selected = Boolean(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// svg builds an SVG element (attributes as h).
export const svg = (tag, attrs, ...children) => h("svg:" + tag, attrs, ...children);

let fieldSeq = 0;

// field is a labelled input with a slot for its error message:
// field({name, label, type, ...input attributes}, hint?). The input gets
// an id, and the error slot is announced with the input (aria-describedby).
export function field(opts, hint) {
  const { label, type = "text", options, ...attrs } = opts;
  const id = attrs.id || `f-${attrs.name}-${++fieldSeq}`;
  const errId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : null;
  const describedBy = [hintId, errId].filter(Boolean).join(" ");
  let input;
  if (type === "textarea") input = h("textarea", { ...attrs, id, "aria-describedby": describedBy });
  else if (type === "select") {
    input = h("select", { ...attrs, id, "aria-describedby": describedBy },
      (options || []).map(([value, text]) => h("option", { value, text, selected: String(attrs.value) === String(value) })));
  } else input = h("input", { ...attrs, id, type, "aria-describedby": describedBy });
  const check = type === "checkbox" || type === "radio";
  const wrap = h("div", { class: check ? "field check" : "field", "data-field": attrs.name });
  const lab = h("label", { for: id, text: label });
  if (check) wrap.append(input, lab);
  else wrap.append(lab, input);
  if (hint) wrap.append(h("p", { class: "hint", id: hintId }, hint));
  wrap.append(h("p", { class: "field-error", id: errId, "data-error-for": attrs.name, hidden: true }));
  return wrap;
}

// clearErrors empties every error slot of form.
export function clearErrors(form) {
  for (const el of form.querySelectorAll(".field-error, .form-error")) {
    el.textContent = "";
    el.hidden = true;
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

// showError puts err next to the fields it names (problem+json `errors`)
// and anything else in the form's general slot. Korean pages show Korean
// words for each field; the server's English message only in English.
export function showError(form, err) {
  clearErrors(form);
  const fields = (err && err.problem && err.problem.errors) || {};
  let placed = false;
  let first = null;
  for (const [name, message] of Object.entries(fields)) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (!slot) continue;
    slot.textContent = fieldMessage(name, message, err.status);
    slot.hidden = false;
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      first = first || input;
    }
    placed = true;
  }
  if (!placed) {
    const general = form.querySelector(".form-error");
    if (general) {
      general.textContent = errorText(err);
      general.hidden = false;
    }
  }
  if (first) first.focus();
}

// fieldMessage is one field's error in the page's language.
function fieldMessage(name, message, status) {
  if (status === 409) return t("err.taken");
  const specific = t.has(`err.field.${name}`) ? t(`err.field.${name}`) : t("err.invalid");
  return t.lang() === "en" && message ? capitalise(message) : specific;
}

function capitalise(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// errorText is a whole request's failure in the page's language.
export function errorText(err) {
  if (!err || !err.status) return t("err.network");
  const key = `err.status.${err.status}`;
  return t.has(key) ? t(key) : t("err.generic");
}

// formSlot is the general error line of a form.
export const formSlot = () => h("p", { class: "form-error", role: "alert", hidden: true });

// busy marks a button as working (and not clickable twice).
export function busy(button, on) {
  button.disabled = on;
  button.setAttribute("aria-busy", on ? "true" : "false");
}

// loading is the placeholder a section shows while it fetches.
export const loading = () => h("p", { class: "loading", role: "status", "data-testid": "loading" }, h("span", { class: "spinner", "aria-hidden": "true" }), t("common.loading"));

// empty is a section's "nothing here yet" state.
export const empty = (text, ...extra) => h("div", { class: "empty", "data-testid": "empty" }, h("p", { text }), ...extra);

// failed is a section's "could not load" state.
export const failed = (err) => h("p", { class: "form-error", role: "alert", "data-testid": "load-error" }, errorText(err));

// confirmDialog asks a yes/no question in a modal <dialog> and resolves
// to the answer. Escape or the cancel button answer no.
export function confirmDialog(message, confirmText) {
  return new Promise((resolve) => {
    const yes = h("button", { type: "button", class: "danger", id: "confirm-yes", "data-testid": "confirm-yes", text: confirmText || t("common.delete") });
    const no = h("button", { type: "button", class: "secondary", id: "confirm-no", "data-testid": "confirm-no", text: t("common.cancel") });
    const dlg = h("dialog", { class: "confirm", id: "confirm-dialog", "aria-labelledby": "confirm-text" },
      h("p", { id: "confirm-text", text: message }), h("div", { class: "actions" }, no, yes));
    const done = (answer) => {
      dlg.close();
      dlg.remove();
      resolve(answer);
    };
    yes.addEventListener("click", () => done(true));
    no.addEventListener("click", () => done(false));
    dlg.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}

// pageHead is a page's heading and optional lead line.
export function pageHead(title, lead) {
  return h("div", { class: "page-head" }, h("h1", { id: "page-title", text: title }), lead ? h("p", { class: "lead", text: lead }) : null);
}
