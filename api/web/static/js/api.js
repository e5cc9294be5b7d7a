// The JSON API of the same origin, the error envelope as ApiError. The sign-in lives in
// HttpOnly cookies that page script cannot read (sign in with ``?session=cookie``); every write
// carries the session's CSRF token, a readable cookie, in ``X-CSRF-Token``.

const BASE = "/api/v1";
const CSRF_COOKIE = "civ_csrf";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const NETWORK_MESSAGE = "网络连接失败，请检查网络后重试";

/** A failed request: ``message`` is the API's Chinese message, ``error`` its stable reason. */
export class ApiError extends Error {
  constructor(status, body = {}) {
    super(body.message || `服务器返回错误（${status}）`);
    this.status = status;
    this.error = body.error || "unknown_error";
    this.errors = body.errors || {};
  }

  /** The message plus the first field message of a validation failure. */
  get detail() {
    const fields = Object.values(this.errors).flat().filter((text) => typeof text === "string");
    return fields.length ? `${this.message}：${fields[0]}` : this.message;
  }
}

function readCookie(name) {
  const found = document.cookie.split("; ").find((pair) => pair.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

/** The session's CSRF token while signed in (never the sign-in token itself), else null. */
export function getToken() {
  return readCookie(CSRF_COOKIE);
}

/** Kept for callers of old: the sign-in answer's cookies are the session now. */
export function setToken() {
  localStorage.removeItem("civ.token");  // a token stored by an earlier version of the pages
  localStorage.removeItem("civ.tokenExpiresAt");
}

/** Sign out: the server ends the session and deletes its cookies; the page forgets at once. */
export function clearToken() {
  const csrf = getToken();
  if (csrf) {
    fetch(`${BASE}/auth/logout`, { method: "POST", headers: { "X-CSRF-Token": csrf } })
      .catch(() => {});
  }
  forgetSession();
}

function forgetSession() {
  document.cookie = `${CSRF_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax`;
}

export function isSignedIn() {
  return getToken() !== null;
}

let refreshing = null;

/** Trade the refresh cookie for fresh tokens, once however many requests ask at a time. */
function refreshSession() {
  if (!refreshing) {
    refreshing = fetch(`${BASE}/auth/refresh?session=cookie`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": getToken() || "" },
      body: "{}",
    }).then((response) => response.ok, () => false)
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

function queryString(query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== null && value !== undefined && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * Call the API. Resolves to the parsed JSON (null for 204), or the raw Response with
 * ``raw: true``; rejects with ApiError. An expired sign-in is renewed, a revoked one forgotten.
 */
export async function request(method, path, { query, body, raw = false, retried = false } = {}) {
  const headers = { Accept: "application/json" };
  const csrf = getToken();
  if (csrf && !SAFE_METHODS.has(method)) headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    // A sign-in from a page always asks for the cookie session (the token stays out of reach).
    const sessionQuery = path.startsWith("/auth/") ? { ...query, session: "cookie" } : query;
    response = await fetch(BASE + path + queryString(sessionQuery), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { message: NETWORK_MESSAGE, error: "network_error" });
  }
  if (response.ok && raw) return response;
  if (response.status === 204) return null;
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    if (response.status === 401 && csrf) {
      // An access token lives 2 h: renew it once with the refresh cookie and try again.
      if (!retried && payload?.error === "token_expired" && await refreshSession()) {
        return request(method, path, { query, body, raw, retried: true });
      }
      // A revoked sign-in: forget it; what anyone may read is read again.
      forgetSession();
      if (method === "GET") return request(method, path, { query, body, raw, retried: true });
    }
    throw new ApiError(response.status, payload || {});
  }
  return payload;
}

export const api = {
  get: (path, query, options = {}) => request("GET", path, { ...options, query }),
  post: (path, body = {}) => request("POST", path, { body }),
  put: (path, body = {}) => request("PUT", path, { body }),
  del: (path) => request("DELETE", path),
};

/** Fetch a file the API serves only with the token (a certificate PDF) and save it. */
export async function download(path, filename) {
  const relative = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  const response = await request("GET", relative, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

let currentUser = null;

/** The signed-in user (``GET /me``, once per page), or null when signed out. */
export function me() {
  if (!getToken()) return Promise.resolve(null);
  if (currentUser === null) {
    currentUser = api.get("/me").catch((error) => {
      currentUser = null;
      if (error.status === 401) return null;
      throw error;
    });
  }
  return currentUser;
}

export function forgetUser() {
  currentUser = null;
}
