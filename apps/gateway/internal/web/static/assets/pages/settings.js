// Settings: profile and avatar, timezone, language, mail preferences,
// email, password, "download everything" and account deletion.
import { api, blobURL, currentProfile, forget, loadProfile, logout, upload } from "../api.js";
import { busy, clearErrors, confirmDialog, field, formSlot, h, pageHead, showError } from "../dom.js";
import { getLang, t, zones } from "../i18n.js";

// saved is a form's "done" line, announced politely.
const saved = (id) => h("p", { class: "saved", role: "status", id, "data-testid": id });

export function settingsPage(ctx) {
  const p = currentProfile();

  // Profile.
  const profileDone = saved("profile-saved");
  const profileSubmit = h("button", { type: "submit", id: "profile-submit", "data-testid": "profile-submit", text: t("common.save") });
  const profileForm = h("form", { id: "profile-form", class: "form", novalidate: true },
    field({ name: "nickname", label: t("field.nickname"), value: p.nickname || "", maxlength: 50 }),
    field({ name: "bio", label: t("field.bio"), value: p.bio || "", maxlength: 200 }),
    h("div", { class: "row" },
      field({ name: "birthday", label: t("field.birthday"), type: "date", value: p.birthday || "" }),
      field({ name: "blog_url", label: t("field.blog"), type: "url", value: p.blog_url || "", placeholder: "https://" })),
    formSlot(), h("div", { class: "actions" }, profileSubmit), profileDone);
  profileForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(profileForm));
    save(profileForm, profileSubmit, profileDone, { nickname: v.nickname, bio: v.bio, birthday: v.birthday || null, blog_url: v.blog_url });
  });

  // Avatar: an uploaded image, attached to the profile.
  const avatarImg = h("div", { class: "avatar big", id: "avatar-preview", "data-testid": "avatar-preview", "aria-hidden": "true", text: ((p.nickname || p.username || "?")[0] || "?").toUpperCase() });
  if (p.avatar_image_id) blobURL(`/api/images/${p.avatar_image_id}`).then((url) => avatarImg.replaceChildren(h("img", { src: url, alt: "" }))).catch(() => {});
  const avatarDone = saved("avatar-saved");
  const avatarBar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": t("settings.avatarUploading") });
  const avatarForm = h("form", { id: "avatar-form", class: "form", novalidate: true },
    h("div", { class: "avatar-row" }, avatarImg,
      field({ name: "avatar", label: t("field.avatar"), type: "file", accept: "image/jpeg,image/png,image/gif,image/webp", id: "avatar-input" }, t("settings.avatarHint"))),
    avatarBar, formSlot(), avatarDone);
  avatarForm.elements.namedItem("avatar").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    clearErrors(avatarForm);
    avatarDone.textContent = "";
    avatarBar.hidden = false;
    avatarBar.value = 0;
    try {
      const img = await upload(file, (f) => (avatarBar.value = Math.round(f * 100)));
      await api("PATCH", "/api/users/me", { avatar_image_id: img.id });
      await loadProfile();
      avatarImg.replaceChildren(h("img", { src: URL.createObjectURL(file), alt: "" }));
      avatarDone.textContent = t("settings.saved");
    } catch (err) {
      if (err.problem && err.problem.errors && err.problem.errors.avatar_image_id) err.problem.errors = { avatar: err.problem.errors.avatar_image_id };
      if (err.problem && !err.problem.errors && (err.status === 413 || err.status === 415)) err.problem.errors = { avatar: t(err.status === 413 ? "write.tooLarge" : "write.badType") };
      showError(avatarForm, err);
    } finally {
      avatarBar.hidden = true;
      e.target.value = "";
    }
  });

  // Timezone: a searchable list of every zone the browser knows.
  const all = zones();
  const tzDone = saved("timezone-saved");
  const tzSubmit = h("button", { type: "submit", id: "timezone-submit", "data-testid": "timezone-submit", text: t("common.save") });
  const tzSelect = h("select", { id: "timezone-select", name: "timezone", size: 8, "data-testid": "timezone-select", "aria-describedby": "timezone-current" });
  const fill = (q) => {
    const needle = q.trim().toLowerCase().replace(/\s+/g, "_");
    const shown = all.filter((z) => !needle || z.toLowerCase().includes(needle));
    tzSelect.replaceChildren(...shown.map((z) => h("option", { value: z, text: z.replace(/_/g, " "), selected: z === p.timezone })));
  };
  const tzSearch = h("input", { type: "search", id: "timezone-search", "data-testid": "timezone-search", autocomplete: "off", "aria-controls": "timezone-select" });
  tzSearch.addEventListener("input", () => fill(tzSearch.value));
  fill("");
  const tzForm = h("form", { id: "timezone-form", class: "form", novalidate: true },
    h("p", { id: "timezone-current", class: "meta", text: t("settings.currentZone", { zone: p.timezone }) }),
    h("div", { class: "field" }, h("label", { for: "timezone-search", text: t("settings.searchZone") }), tzSearch),
    h("div", { class: "field", "data-field": "timezone" }, h("label", { for: "timezone-select", text: t("field.timezone") }), tzSelect,
      h("p", { class: "field-error", "data-error-for": "timezone", hidden: true })),
    formSlot(), h("div", { class: "actions" }, tzSubmit), tzDone);
  tzForm.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!tzSelect.value) return;
    save(tzForm, tzSubmit, tzDone, { timezone: tzSelect.value }, () => {
      ctx.adoptProfile(); // every date on every page now follows the new zone
      ctx.rerender();
    });
  });

  // Language.
  const langSubmit = h("button", { type: "submit", id: "language-submit", "data-testid": "language-submit", text: t("common.save") });
  const langForm = h("form", { id: "language-form", class: "form", novalidate: true },
    h("fieldset", {}, h("legend", { text: t("field.language") }),
      field({ name: "locale", label: "한국어", type: "radio", value: "ko", id: "locale-ko", checked: getLang() === "ko", lang: "ko" }),
      field({ name: "locale", label: "English", type: "radio", value: "en", id: "locale-en", checked: getLang() === "en", lang: "en" })),
    formSlot(), h("div", { class: "actions" }, langSubmit));
  langForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const locale = new FormData(langForm).get("locale");
    save(langForm, langSubmit, null, { locale }, () => {
      ctx.adoptProfile();
      ctx.rerender();
    });
  });

  // Mail preferences.
  const n = p.notifications || {};
  const mailDone = saved("mail-saved");
  const mailSubmit = h("button", { type: "submit", id: "mail-submit", "data-testid": "mail-submit", text: t("common.save") });
  const mailForm = h("form", { id: "mail-form", class: "form", novalidate: true },
    h("fieldset", {}, h("legend", { text: t("settings.mailWhen") }),
      field({ name: "letter_opened", label: t("settings.mail.letter_opened"), type: "checkbox", checked: n.letter_opened }),
      field({ name: "routine_reminder", label: t("settings.mail.routine_reminder"), type: "checkbox", checked: n.routine_reminder }),
      field({ name: "special_date", label: t("settings.mail.special_date"), type: "checkbox", checked: n.special_date })),
    formSlot(), h("div", { class: "actions" }, mailSubmit), mailDone);
  mailForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const el = mailForm.elements;
    save(mailForm, mailSubmit, mailDone, {
      notifications: { letter_opened: el.namedItem("letter_opened").checked, routine_reminder: el.namedItem("routine_reminder").checked, special_date: el.namedItem("special_date").checked },
    });
  });

  // Email.
  const emailDone = saved("email-saved");
  const emailSubmit = h("button", { type: "submit", id: "email-submit", "data-testid": "email-submit", text: t("settings.changeEmail") });
  const emailForm = h("form", { id: "email-form", class: "form", novalidate: true },
    h("p", { class: "meta", id: "email-current", text: t("settings.currentEmail", { email: p.email }) }),
    field({ name: "email", label: t("field.newEmail"), type: "email", autocomplete: "email", required: true }),
    field({ name: "password", label: t("field.password"), type: "password", autocomplete: "current-password", required: true }),
    formSlot(), h("div", { class: "actions" }, emailSubmit), emailDone);
  emailForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(emailForm));
    post(emailForm, emailSubmit, emailDone, "/api/auth/email", { email: v.email.trim(), password: v.password }, async () => {
      await loadProfile().catch(() => {});
      ctx.rerender();
    });
  });

  // Password.
  const pwDone = saved("password-saved");
  const pwSubmit = h("button", { type: "submit", id: "password-submit", "data-testid": "password-submit", text: t("settings.changePassword") });
  const pwForm = h("form", { id: "password-form", class: "form", novalidate: true },
    field({ name: "current_password", label: t("field.currentPassword"), type: "password", autocomplete: "current-password", required: true }),
    field({ name: "new_password", label: t("field.newPassword"), type: "password", autocomplete: "new-password", required: true, minlength: 8 }, t("signup.passwordHint")),
    formSlot(), h("div", { class: "actions" }, pwSubmit), pwDone);
  pwForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const v = Object.fromEntries(new FormData(pwForm));
    post(pwForm, pwSubmit, pwDone, "/api/auth/password", { current_password: v.current_password, new_password: v.new_password });
  });

  // Download everything.
  const exportButton = h("button", { type: "button", id: "export-button", "data-testid": "export-button", text: t("settings.export") });
  const exportStatus = h("p", { role: "status", id: "export-status", "data-testid": "export-status" });
  exportButton.addEventListener("click", async () => {
    busy(exportButton, true);
    exportStatus.textContent = t("common.loading");
    try {
      const doc = await everything();
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }));
      const a = h("a", { href: url, download: `letter-to-myself-${doc.exported_at.slice(0, 10)}.json`, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      exportStatus.textContent = t("settings.exported");
    } catch (err) {
      exportStatus.textContent = t("settings.exportFailed");
    } finally {
      busy(exportButton, false);
    }
  });

  // Delete the account.
  const delSubmit = h("button", { type: "submit", class: "danger", id: "delete-submit", "data-testid": "delete-submit", text: t("settings.deleteAccount") });
  const delForm = h("form", { id: "delete-form", class: "form", novalidate: true },
    h("p", { text: t("settings.deleteWarning") }),
    field({ name: "password", label: t("field.password"), type: "password", autocomplete: "current-password", required: true, id: "delete-password" }),
    formSlot(), h("div", { class: "actions" }, delSubmit));
  delForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(delForm);
    const password = delForm.elements.namedItem("password").value;
    if (!(await confirmDialog(t("settings.deleteConfirm"), t("settings.deleteAccount")))) return delSubmit.focus();
    busy(delSubmit, true);
    try {
      await api("DELETE", "/api/auth/account", { password });
      await logout().catch(() => {}); // clears the cookie; the family is gone anyway
      forget();
      ctx.navigate("/", { replace: true });
    } catch (err) {
      showError(delForm, err);
    } finally {
      busy(delSubmit, false);
    }
  });

  const section = (id, key, ...content) => h("section", { class: "paper", id, "aria-labelledby": `${id}-heading` }, h("h2", { id: `${id}-heading`, text: t(key) }), ...content);
  return h("div", { class: "stack", id: "settings" },
    pageHead(t("settings.title")),
    section("profile", "settings.profile", avatarForm, profileForm),
    h("div", { class: "two-col" },
      section("timezone", "settings.timezone", tzForm),
      h("div", { class: "stack" }, section("language", "settings.language", langForm), section("mail", "settings.mail", mailForm))),
    h("div", { class: "two-col" }, section("email", "settings.email", emailForm), section("password", "settings.password", pwForm)),
    section("export", "settings.exportTitle", h("p", { text: t("settings.exportText") }), exportButton, exportStatus),
    section("delete", "settings.deleteTitle", delForm));
}

// save PATCHes the profile and shows the outcome next to form.
async function save(form, button, done, patch, after) {
  clearErrors(form);
  if (done) done.textContent = "";
  busy(button, true);
  try {
    await api("PATCH", "/api/users/me", patch);
    await loadProfile();
    if (done) done.textContent = t("settings.saved");
    if (after) after();
  } catch (err) {
    showError(form, err);
  } finally {
    busy(button, false);
  }
}

// post sends one account change (204) and shows the outcome next to form.
async function post(form, button, done, path, body, after) {
  clearErrors(form);
  done.textContent = "";
  busy(button, true);
  try {
    await api("POST", path, body);
    form.reset();
    done.textContent = t("settings.saved");
    if (after) await after();
  } catch (err) {
    showError(form, err);
  } finally {
    busy(button, false);
  }
}

// everything is one JSON document of all the caller's data, assembled
// from the services' own endpoints: each part is the API's answer as is.
async function everything() {
  const parts = {
    profile: "/api/users/me",
    letters: "/api/letters/export",
    routines: "/api/routines",
    special_dates: "/api/special-dates",
    mood_summary: `/api/emotions/summary?lang=${getLang()}`,
    recommendation_feedback: "/api/recommendations/feedback",
    notifications: "/api/notifications",
  };
  const entries = await Promise.all(Object.entries(parts).map(async ([name, path]) => [name, await api("GET", path)]));
  return { format: "letter-to-myself-export/1", exported_at: new Date().toISOString(), ...Object.fromEntries(entries) };
}
