/**
 * Requests whose failures the page needs in more detail than lib/http.ts keeps: which
 * field of a body each validation error is about (a smart playlist's rule), and bodies
 * that are not JSON (a playlist file). Same duties as `request`: the CSRF token on
 * unsafe requests, a lost session reported, failures as ApiError with words for a person.
 */
import { ApiError, csrfHeaders, problemCode, problemMessage, reportUnauthorized } from "./http";

/** One validation error of a problem: where (`body.rules.rules.2.value`) and why. */
export interface FieldError {
  where: string;
  message: string;
}

/** An ApiError that keeps the problem's validation errors. */
export class ProblemError extends ApiError {
  constructor(
    status: number,
    message: string,
    code: string | null,
    readonly errors: readonly FieldError[],
    /** The problem's `detail`, for problems that name no field. */
    readonly detail: string | null,
  ) {
    super(status, message, code);
    this.name = "ProblemError";
  }
}

export function fieldErrors(body: string | null | undefined): FieldError[] {
  try {
    const problem = JSON.parse(body ?? "") as { errors?: unknown };
    if (!Array.isArray(problem.errors)) return [];
    return problem.errors.flatMap((e: { where?: unknown; loc?: unknown; message?: unknown; msg?: unknown }) => {
      const where = typeof e.where === "string" ? e.where : Array.isArray(e.loc) ? e.loc.join(".") : "";
      const message = typeof e.message === "string" ? e.message : typeof e.msg === "string" ? e.msg : "";
      return message ? [{ where, message }] : [];
    });
  } catch {
    return [];
  }
}

function detailOf(body: string): string | null {
  try {
    const detail = (JSON.parse(body) as { detail?: unknown }).detail;
    return typeof detail === "string" && detail.trim() ? detail.trim() : null;
  } catch {
    return null;
  }
}

export interface SendOptions {
  method?: string;
  json?: unknown;
  /** A body sent as is (a file), with its type. */
  body?: Blob | string;
  contentType?: string;
}

export async function send<T>(url: string, options: SendOptions = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") Object.assign(headers, csrfHeaders());
  let body: Blob | string | undefined = options.body;
  if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.contentType) {
    headers["content-type"] = options.contentType;
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, problemMessage(0, null));
  }
  if (!response.ok) {
    const text = await response.text().catch(() => "");
    if (response.status === 401) reportUnauthorized();
    throw new ProblemError(
      response.status,
      problemMessage(response.status, text),
      problemCode(text),
      fieldErrors(text),
      detailOf(text),
    );
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
