/**
 * fetch answered by route, for code that sends requests in no fixed order: each request
 * is matched by method and path (`GET /api/radio/r1/next`) against the handlers, and
 * recorded with its JSON body.
 */
import { vi } from "vitest";

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  signal: AbortSignal | null;
}

export type Handler = (request: Received) => Response | Promise<Response>;

export function routedFetch(routes: Record<string, Handler>): Received[] {
  const received: Received[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
    const parsed = new URL(url, "http://page.test");
    const request: Received = {
      method: init.method ?? "GET",
      path: parsed.pathname,
      query: parsed.searchParams,
      body: typeof init.body === "string" ? JSON.parse(init.body) : null,
      signal: init.signal ?? null,
    };
    received.push(request);
    const handler = routes[`${request.method} ${request.path}`];
    if (!handler) return new Response(null, { status: 404 });
    return handler(request);
  });
  return received;
}
