// The API client and the browser's session (architecture.md, "Web
// client"): the access token lives in this module's memory only; the
// refresh token lives in the HttpOnly cookie auth-service sets when asked
// with X-Session: cookie. Nothing here touches localStorage.

let access = null; // the access token, or null when signed out
let refreshing = null; // the one refresh in flight, shared by every caller
let profile = null; // GET /api/users/me once signed in

const listeners = new Set();

// onSessionChange calls fn(signedIn) whenever the session starts or ends.
export function onSessionChange(fn) {
  listeners.add(fn);
}

function setAccess(token) {
  const was = access !== null;
  access = token;
  if (token === null) profile = null;
  if (was !== (token !== null)) for (const fn of listeners) fn(token !== null);
}

export const signedIn = () => access !== null;
export const currentProfile = () => profile;

// ApiError is a failed call: status and the problem+json body (or {}).
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

async function toError(res) {
  let body = {};
  try {
    body = await res.json();
  } catch {
    // not JSON: the status says enough
  }
  return new ApiError(res.status, body);
}

const cookieSession = { "Content-Type": "application/json", "X-Session": "cookie" };

// refresh trades the cookie for a new access token; false when there is no
// (valid) session. Concurrent callers share one request, so a rotated
// refresh token is never presented twice.
function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch("/api/auth/refresh", { method: "POST", headers: cookieSession, body: "{}", credentials: "same-origin" });
        if (!res.ok) {
          setAccess(null);
          return false;
        }
        const body = await res.json();
        setAccess(body.access_token);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

// restore brings back the session of a page load from the cookie and
// loads the profile; false when signed out.
export async function restore() {
  if (!(await refresh())) return false;
  try {
    await loadProfile();
    return true;
  } catch {
    setAccess(null);
    return false;
  }
}

// loadProfile reads the caller's profile. user-service creates it from the
// user.registered event, so right after sign-up it may not exist for a
// moment: a 404 is asked again a few times before it counts.
export async function loadProfile() {
  for (let attempt = 1; ; attempt++) {
    try {
      profile = await api("GET", "/api/users/me");
      return profile;
    } catch (err) {
      if (err.status !== 404 || attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

// request sends one call with the access token; on 401 it refreshes once
// and tries again.
async function request(method, path, { body, headers = {} } = {}) {
  const send = () => {
    const h = { Accept: "application/json, application/problem+json", ...headers };
    if (access) h.Authorization = `Bearer ${access}`;
    const init = { method, headers: h, credentials: "same-origin" };
    if (body !== undefined) {
      h["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init);
  };
  const hadToken = access !== null;
  let res = await send();
  if (res.status === 401 && hadToken) {
    if (await refresh()) res = await send();
  }
  return res;
}

// api calls the API and answers the decoded JSON (null for 204); a
// failure throws an ApiError.
export async function api(method, path, body) {
  let res;
  try {
    res = await request(method, path, { body });
  } catch {
    throw new ApiError(0, {});
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return null;
  return res.json();
}

// blob fetches bytes with the access token (an <img src> could not carry
// it) and answers an object URL; the caller revokes it.
export async function blobURL(path) {
  const res = await request("GET", path, { headers: { Accept: "image/*" } });
  if (!res.ok) throw await toError(res);
  return URL.createObjectURL(await res.blob());
}

// login signs in with a cookie session and loads the profile.
export async function login(username, password) {
  let res;
  try {
    res = await fetch("/api/auth/login", { method: "POST", headers: cookieSession, body: JSON.stringify({ username, password }), credentials: "same-origin" });
  } catch {
    throw new ApiError(0, {});
  }
  if (!res.ok) throw await toError(res);
  const body = await res.json();
  setAccess(body.access_token);
  return loadProfile();
}

// logout ends the session on the server (the cookie is cleared) and here.
export async function logout() {
  try {
    await fetch("/api/auth/logout", { method: "POST", headers: cookieSession, body: "{}", credentials: "same-origin" });
  } finally {
    setAccess(null);
  }
}

// forget drops the session here only (after the account is deleted).
export function forget() {
  setAccess(null);
}

// upload sends one image as multipart `file` with XMLHttpRequest, whose
// upload events give progress (fetch has none): onProgress(fraction).
// It answers {id, content_type, size}; 401 refreshes once and retries.
export function upload(file, onProgress) {
  const once = () =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/images");
      if (access) xhr.setRequestHeader("Authorization", `Bearer ${access}`);
      xhr.setRequestHeader("Accept", "application/json, application/problem+json");
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      });
      xhr.addEventListener("load", () => {
        let body = {};
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          // an empty or non-JSON body: the status says enough
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body);
        else reject(new ApiError(xhr.status, body));
      });
      xhr.addEventListener("error", () => reject(new ApiError(0, {})));
      const form = new FormData();
      form.append("file", file, file.name);
      xhr.send(form);
    });
  return once().catch(async (err) => {
    if (err.status === 401 && (await refresh())) return once();
    throw err;
  });
}
