// Sign-up and sign-in. Sign-up signs in straight after, as the original
// did, and keeps the language the visitor chose as the profile's locale.
import { api, ApiError, loadProfile, login } from "../api.js";
import { busy, clearErrors, field, formSlot, h, pageHead, showError } from "../dom.js";
import { getLang, t } from "../i18n.js";

// safeNext keeps ?next= on this site's own pages.
function safeNext(query) {
  const next = query.get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/api/") ? next : null;
}

export function signupPage(ctx) {
  const submit = h("button", { type: "submit", id: "signup-submit", "data-testid": "signup-submit", text: t("signup.submit") });
  const form = h("form", { id: "signup-form", class: "paper form narrow", novalidate: true },
    field({ name: "username", label: t("field.username"), autocomplete: "username", required: true, maxlength: 150 }, t("signup.usernameHint")),
    field({ name: "email", label: t("field.email"), type: "email", autocomplete: "email", required: true }),
    field({ name: "password", label: t("field.password"), type: "password", autocomplete: "new-password", required: true, minlength: 8 }, t("signup.passwordHint")),
    field({ name: "password_confirm", label: t("field.passwordConfirm"), type: "password", autocomplete: "new-password", required: true }),
    formSlot(),
    h("div", { class: "actions" }, submit),
    h("p", { class: "muted" }, t("signup.haveAccount"), " ", h("a", { href: "/login", text: t("nav.login") })));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = Object.fromEntries(new FormData(form));
    if (v.password !== v.password_confirm) {
      showError(form, new ApiError(400, { errors: { password_confirm: t("err.field.password_confirm") } }));
      return;
    }
    busy(submit, true);
    try {
      await api("POST", "/api/auth/signup", { username: v.username.trim(), email: v.email.trim(), password: v.password });
      const profile = await login(v.username.trim(), v.password);
      if (profile.locale !== getLang()) {
        await api("PATCH", "/api/users/me", { locale: getLang() });
        await loadProfile();
      }
      ctx.adoptProfile();
      ctx.navigate(safeNext(ctx.query) || "/write");
    } catch (err) {
      showError(form, err);
    } finally {
      busy(submit, false);
    }
  });
  return h("div", { class: "stack" }, pageHead(t("signup.title"), t("signup.lead")), form);
}

export function loginPage(ctx) {
  const submit = h("button", { type: "submit", id: "login-submit", "data-testid": "login-submit", text: t("login.submit") });
  const form = h("form", { id: "login-form", class: "paper form narrow", novalidate: true },
    field({ name: "username", label: t("field.usernameOrEmail"), autocomplete: "username", required: true }),
    field({ name: "password", label: t("field.password"), type: "password", autocomplete: "current-password", required: true }),
    formSlot(),
    h("div", { class: "actions" }, submit),
    h("p", { class: "muted" }, t("login.noAccount"), " ", h("a", { href: "/signup", text: t("nav.signup") })));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(form);
    const v = Object.fromEntries(new FormData(form));
    busy(submit, true);
    try {
      await login(v.username.trim(), v.password);
      ctx.adoptProfile();
      ctx.navigate(safeNext(ctx.query) || "/letters");
    } catch (err) {
      if (err.status === 401) err = new ApiError(401, {}); // one message, whichever part was wrong
      showError(form, err);
    } finally {
      busy(submit, false);
    }
  });
  return h("div", { class: "stack" }, pageHead(t("login.title")), form);
}
