// The JSON API of the same origin: bearer token in localStorage, the error envelope as ApiError.

const BASE = "/api/v1";
const TOKEN_KEY = "civ.token";
const EXPIRES_KEY = "civ.tokenExpiresAt";
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

export function getToken() {
  const token = localStorage.getItem(TOKEN_KEY);
  const expiresAt = localStorage.getItem(EXPIRES_KEY);
  if (!token) return null;
  if (expiresAt && Date.parse(expiresAt) <= Date.now()) {
    clearToken();
    return null;
  }
  return token;
}

export function setToken(token, expiresAt) {
  localStorage.setItem(TOKEN_KEY, token);
  if (expiresAt) localStorage.setItem(EXPIRES_KEY, expiresAt);
  else localStorage.removeItem(EXPIRES_KEY);
}

export function clearToken() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(EXPIRES_KEY);
}

export function isSignedIn() {
  return getToken() !== null;
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
 * ``raw: true``; rejects with ApiError. A rejected token is forgotten.
 */
export async function request(method, path, { query, body, raw = false } = {}) {
  const headers = { Accept: "application/json" };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const form = body instanceof FormData; // a file upload: the browser sets its multipart type
  if (body !== undefined && !form) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(BASE + path + queryString(query), {
      method,
      headers,
      body: body === undefined || form ? body : JSON.stringify(body),
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
    if (response.status === 401 && token) {
      // An expired or revoked sign-in: forget it; what anyone may read is read again.
      clearToken();
      if (method === "GET") return request(method, path, { query, body, raw });
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

/** POST a multipart form (a file upload) with the sign-in; resolves to the JSON answer. */
export function upload(path, formData) {
  return request("POST", path, { body: formData });
}
