import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, problemCode, problemMessage, request, setCsrfToken, setSessionHooks } from "./http";

/** The server as fetch sees it: answers by call, and every request it was sent. */
function server(...answers: Response[]) {
  const sent: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    const next = answers.shift();
    if (!next) throw new TypeError("network down");
    return next;
  });
  return sent;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const problem = (status: number, code: string, detail: string) =>
  json(status, { type: `urn:tonearm:problem:${code}`, title: "x", status, detail });
const header = (init: RequestInit, name: string) => (init.headers as Record<string, string>)[name];

describe("request", () => {
  const told: string[] = [];
  let fresh: () => Promise<boolean>;

  beforeEach(() => {
    told.length = 0;
    fresh = async () => false;
    setCsrfToken("token-1");
    setSessionHooks({
      unauthorized: () => told.push("unauthorized"),
      refreshCsrf: () => fresh(),
    });
  });

  afterEach(() => {
    setCsrfToken(null);
    vi.unstubAllGlobals();
  });

  it("sends the CSRF token with unsafe requests only, and JSON bodies as JSON", async () => {
    const sent = server(json(200, { a: 1 }), new Response(null, { status: 204 }));
    expect(await request("/api/x")).toEqual({ a: 1 });
    await request("/api/y", { method: "PATCH", json: { visibility: "public" } });
    expect(header(sent[0].init, "X-CSRF-Token")).toBeUndefined();
    expect(header(sent[1].init, "X-CSRF-Token")).toBe("token-1");
    expect(header(sent[1].init, "content-type")).toBe("application/json");
    expect(sent[1].init.body).toBe('{"visibility":"public"}');
    expect(sent[1].init.credentials).toBe("same-origin");
  });

  it("sends no token when signed out", async () => {
    setCsrfToken(null);
    const sent = server(new Response(null, { status: 204 }));
    await request("/api/auth/login", { method: "POST", json: {} });
    expect(header(sent[0].init, "X-CSRF-Token")).toBeUndefined();
  });

  it("tells the page of a 401, unless a 401 is the expected answer", async () => {
    server(problem(401, "unauthenticated", "Sign in first."), problem(401, "wrong-credentials", "Wrong."));
    await expect(request("/api/tracks")).rejects.toMatchObject({ status: 401 });
    expect(told).toEqual(["unauthorized"]);
    await expect(request("/api/auth/login", { method: "POST", expect401: true })).rejects.toThrow("Wrong.");
    expect(told).toEqual(["unauthorized"]);
  });

  it("repeats a request refused for a stale CSRF token once, with the new token", async () => {
    fresh = async () => {
      setCsrfToken("token-2");
      return true;
    };
    const sent = server(problem(403, "csrf", "The CSRF token is missing or wrong."), json(200, { ok: true }));
    expect(await request("/api/tracks/a", { method: "DELETE" })).toEqual({ ok: true });
    expect(sent.map((s) => header(s.init, "X-CSRF-Token"))).toEqual(["token-1", "token-2"]);
  });

  it("gives up when someone else signed in meanwhile", async () => {
    const sent = server(problem(403, "csrf", "The CSRF token is missing or wrong."));
    const error = await request("/api/tracks/a", { method: "DELETE" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, code: "csrf" });
    expect(sent).toHaveLength(1);
  });

  it("says so when the server cannot be reached", async () => {
    server();
    const error = await request("/api/me").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0 });
    expect((error as ApiError).message).toMatch(/reach the server/);
  });
});

describe("problems", () => {
  it("read the code from the problem type", () => {
    expect(problemCode(JSON.stringify({ type: "urn:tonearm:problem:weak-password" }))).toBe("weak-password");
    expect(problemCode(JSON.stringify({ type: "about:blank" }))).toBeNull();
    expect(problemCode("<html>")).toBeNull();
  });

  it("say which field a validation problem is about", () => {
    const body = JSON.stringify({
      detail: "The request is not valid.",
      errors: [{ where: "body.name", message: "String should have at least 1 character" }],
    });
    expect(problemMessage(422, body)).toBe("name: String should have at least 1 character");
  });
});
