import { describe, expect, it } from "vitest";
import { problemMessage } from "./api";
import { uploadFailure } from "./tus";

describe("problemMessage", () => {
  it("shows the problem's detail, written for people", () => {
    const body = JSON.stringify({ title: "Unsupported Media Type", status: 415, detail: "This is not audio." });
    expect(problemMessage(415, body)).toBe("This is not audio.");
  });

  it("falls back to the title, then to words for the status", () => {
    expect(problemMessage(422, JSON.stringify({ title: "Too long" }))).toBe("Too long");
    expect(problemMessage(413, "<html>nginx</html>")).toBe(
      "This file is larger than this server accepts.",
    );
    expect(problemMessage(502, "")).toMatch(/server ran into a problem/);
    expect(problemMessage(418, null)).toBe("The server refused the request (418).");
  });

  it("explains a lost connection on upload", () => {
    expect(uploadFailure(0, null)).toMatch(/Retry/);
    expect(uploadFailure(422, JSON.stringify({ detail: "Too short." }))).toBe("Too short.");
  });
});
