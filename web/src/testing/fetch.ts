/** fetch as the tests answer it: answers in turn, and every request the page sent. */
import { vi } from "vitest";

export interface Sent {
  url: string;
  init: RequestInit;
}

export function fakeFetch(...answers: Response[]): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    const next = answers.shift();
    if (!next) throw new TypeError("network down");
    return next;
  });
  return sent;
}

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export const problem = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}) =>
  json(status, { type: `urn:tonearm:problem:${code}`, title: "x", status, detail, ...extra });

export const noContent = () => new Response(null, { status: 204 });

export const header = (init: RequestInit, name: string) => (init.headers as Record<string, string>)[name];
