// The one way pages talk to the hub: fetch under /api/v1, signed in by the HttpOnly session
// cookie, with the CSRF token (double-submit cookie) on writes, and the stated purpose and
// justification on every request (the gate needs them for personal data, and records them).
// Errors arrive as RFC 7807 problems and are thrown as ApiError.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail || title);
  }
}

// Any failure as an ApiError (a network or programming error becomes status 0).
export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, "Error", String(e));
}

// What went wrong, as the hub said it (its detail, else its title), for a form to show.
export function errorText(e: unknown): string {
  return e instanceof ApiError ? e.detail || e.title : String(e);
}

export interface Stated {
  purpose: string;
  justification: string;
}

let stated: Stated | null = null;
let onUnauthenticated: (() => void) | null = null;
let onActivity: (() => void) | null = null;

export function setStated(s: Stated | null) {
  stated = s;
}
export function getStated(): Stated | null {
  return stated;
}
// Called when the server says the session is gone (expired, revoked, user disabled).
export function setUnauthenticatedHandler(f: (() => void) | null) {
  onUnauthenticated = f;
}
// Called after each successful request: the server counts it as activity.
export function setActivityHandler(f: (() => void) | null) {
  onActivity = f;
}

function csrfToken(): string {
  const m = document.cookie.match(/(?:^|;\s*)tessera_csrf=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  // Send no purpose headers (sign-in, session status).
  anonymous?: boolean;
  signal?: AbortSignal;
}

export function buildPath(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === "") continue;
    params.set(k, String(v));
  }
  const qs = params.toString();
  return "/api/v1" + path + (qs ? "?" + qs : "");
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (stated && !options.anonymous) {
    headers["X-Purpose"] = stated.purpose;
    headers["X-Justification"] = stated.justification;
  }
  let response: Response;
  try {
    response = await fetch(buildPath(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, "Network error", "The hub could not be reached. Check your connection and try again.");
  }
  const text = await response.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const p = (data ?? {}) as { title?: string; detail?: string };
    if (response.status === 401 && !options.anonymous && onUnauthenticated) onUnauthenticated();
    throw new ApiError(response.status, p.title ?? response.statusText, p.detail ?? "");
  }
  if (onActivity) onActivity();
  return data as T;
}

// Saves a file the hub produces (a CSV export) under `filename`. It is fetched here, not followed
// as a plain link, so that the request carries the stated purpose and justification like any
// other; the browser is then given the bytes to save.
export async function download(path: string, filename: string): Promise<void> {
  const headers: Record<string, string> = {};
  if (stated) {
    headers["X-Purpose"] = stated.purpose;
    headers["X-Justification"] = stated.justification;
  }
  let response: Response;
  try {
    response = await fetch(buildPath(path), { headers, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "Network error", "The hub could not be reached. Check your connection and try again.");
  }
  if (!response.ok) {
    let p: { title?: string; detail?: string } = {};
    try {
      p = JSON.parse(await response.text());
    } catch {
      // not a problem document; the status says enough
    }
    if (response.status === 401 && onUnauthenticated) onUnauthenticated();
    throw new ApiError(response.status, p.title ?? response.statusText, p.detail ?? "");
  }
  if (onActivity) onActivity();
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10000);
}
