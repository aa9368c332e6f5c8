/**
 * How the page talks to the API: JSON in and out, failures as ApiError with words for a
 * person, and the signed-in session's two duties:
 *
 * - every unsafe request (POST, PATCH, DELETE …) carries the session's CSRF token in
 *   `X-CSRF-Token` (the server refuses a cookie-authenticated one without it);
 * - a 401 means the session is gone (signed out elsewhere, expired, account disabled):
 *   the page is told, and shows the sign-in page again.
 *
 * A 403 for a stale CSRF token (the person signed in again in another tab, which
 * rotated the session) is retried once after the page fetched the new token.
 */

/** An RFC 9457 problem, or a failure to reach the server at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The problem's code (`urn:tonearm:problem:<code>`), e.g. "csrf", "weak-password". */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const STATUS_WORDS: Record<number, string> = {
  0: "Could not reach the server. Check your connection and try again.",
  401: "Sign in first.",
  403: "You are not allowed to do this.",
  404: "This no longer exists on the server.",
  413: "This file is larger than this server accepts.",
  415: "This is not an audio file tonearm can read.",
  422: "tonearm could not use this file.",
  429: "The server is busy. Try again in a moment.",
};

function parseProblem(body: string | null | undefined): Record<string, unknown> | null {
  if (!body) return null;
  try {
    const problem: unknown = JSON.parse(body);
    return problem && typeof problem === "object" ? (problem as Record<string, unknown>) : null;
  } catch {
    return null; // not JSON (a proxy's error page)
  }
}

/**
 * The sentence to show a person for a failed response: the problem's `detail` (written
 * for people), else its `title`, else words for the status code.
 */
export function problemMessage(status: number, body: string | null | undefined): string {
  const problem = parseProblem(body);
  if (problem) {
    const { detail, title, errors } = problem;
    // A validation problem says "The request is not valid."; its first error says why.
    if (Array.isArray(errors) && errors.length) {
      const first = errors[0] as { where?: unknown; message?: unknown };
      const field = typeof first.where === "string" ? first.where.split(".").at(-1) : "";
      if (typeof first.message === "string" && first.message) {
        return field ? `${field}: ${first.message}` : first.message;
      }
    }
    if (typeof detail === "string" && detail.trim()) return detail.trim();
    if (typeof title === "string" && title.trim()) return title.trim();
  }
  return (
    STATUS_WORDS[status] ??
    (status >= 500
      ? "The server ran into a problem. Try again in a moment."
      : `The server refused the request (${status}).`)
  );
}

/** The problem's code from its type, `urn:tonearm:problem:<code>`; null for others. */
export function problemCode(body: string | null | undefined): string | null {
  const type = parseProblem(body)?.type;
  const prefix = "urn:tonearm:problem:";
  return typeof type === "string" && type.startsWith(prefix) ? type.slice(prefix.length) : null;
}

/** What the session layer of the page tells this module, and is told by it. */
export interface SessionHooks {
  /** A request was answered 401: the session is gone. */
  unauthorized(): void;
  /**
   * The CSRF token was refused: fetch the current one (and set it). True when the same
   * person is still signed in, so the request may be sent again.
   */
  refreshCsrf(): Promise<boolean>;
}

const session: { csrf: string | null; hooks: SessionHooks } = {
  csrf: null,
  hooks: { unauthorized() {}, refreshCsrf: async () => false },
};

/** The token to send with unsafe requests (from /api/me, sign-in or setup); null when out. */
export function setCsrfToken(token: string | null): void {
  session.csrf = token;
}

export function setSessionHooks(hooks: SessionHooks): void {
  session.hooks = hooks;
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Headers an unsafe request made outside `request` (tus uploads) must carry. */
export function csrfHeaders(): Record<string, string> {
  return session.csrf ? { "X-CSRF-Token": session.csrf } : {};
}

/** Tell the page a request outside `request` (tus) was answered 401. */
export function reportUnauthorized(): void {
  session.hooks.unauthorized();
}

export interface RequestOptions {
  method?: string;
  /** Sent as a JSON body. */
  json?: unknown;
  headers?: Record<string, string>;
  /**
   * A 401 is an answer here, not a lost session: "who am I" for a visitor, a wrong
   * password at sign-in.
   */
  expect401?: boolean;
  /** Aborts the request (a search overtaken by the next keystroke). */
  signal?: AbortSignal;
}

export async function request<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const send = () => {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (!SAFE.has(method)) Object.assign(headers, csrfHeaders());
    let body: string | undefined;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    return fetch(url, { method, headers, body, credentials: "same-origin", signal: options.signal });
  };
  let response: Response;
  try {
    response = await send();
    if (response.status === 403 && !SAFE.has(method) && session.csrf) {
      const text = await response.clone().text();
      if (problemCode(text) === "csrf" && (await session.hooks.refreshCsrf().catch(() => false))) {
        response = await send();
      }
    }
  } catch {
    throw new ApiError(0, problemMessage(0, null));
  }
  if (!response.ok) {
    const text = await response.text().catch(() => "");
    if (response.status === 401 && !options.expect401) session.hooks.unauthorized();
    throw new ApiError(response.status, problemMessage(response.status, text), problemCode(text));
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
