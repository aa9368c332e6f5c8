import { describe, expect, it } from "vitest";
import {
  formatBitrate,
  formatBytes,
  formatPercent,
  formatRelative,
  formatTime,
  parseGigabytes,
  speakTime,
  toGigabytes,
} from "./format";

describe("formatTime", () => {
  it.each([
    [0, "0:00"],
    [5.9, "0:05"],
    [75, "1:15"],
    [600, "10:00"],
    [3725, "1:02:05"],
    [-3, "0:00"],
    [Number.NaN, "0:00"],
    [Number.POSITIVE_INFINITY, "0:00"],
    [null, "0:00"],
  ])("%s → %s", (seconds, text) => expect(formatTime(seconds)).toBe(text));
});

describe("speakTime", () => {
  it("names the units", () => {
    expect(speakTime(75)).toBe("1 minute 15 seconds");
    expect(speakTime(3601)).toBe("1 hour 1 second");
    expect(speakTime(0)).toBe("0 seconds");
  });
});

describe("formatBytes", () => {
  it("uses binary units", () => {
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(45 * 1024 * 1024)).toBe("45 MB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2.0 GB");
  });
});

describe("formatBitrate and formatPercent", () => {
  it("formats", () => {
    expect(formatBitrate(128000)).toBe("128 kbps");
    expect(formatBitrate(null)).toBe("");
    expect(formatPercent(0.456)).toBe("45%");
    expect(formatPercent(2)).toBe("100%");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2026-03-10T12:00:00Z");
  it.each([
    ["2026-03-10T11:59:50Z", "just now"],
    ["2026-03-10T11:55:00Z", "5 minutes ago"],
    ["2026-03-10T09:00:00Z", "3 hours ago"],
    ["2026-03-09T12:00:00Z", "yesterday"],
    ["2026-03-17T12:00:00Z", "in 7 days"],
    ["2026-06-10T12:00:00Z", "in 3 months"],
    ["2024-03-10T12:00:00Z", "2 years ago"],
    ["not a time", ""],
  ])("%s → %s", (iso, text) => expect(formatRelative(iso, now)).toBe(text));
});

describe("quotas in gigabytes", () => {
  it("reads what an admin types", () => {
    expect(parseGigabytes("2")).toBe(2 * 1024 ** 3);
    expect(parseGigabytes(" 0,5 ")).toBe(512 * 1024 ** 2);
    expect(parseGigabytes("")).toBeNull();
    expect(parseGigabytes("lots")).toBeNaN();
    expect(parseGigabytes("-1")).toBeNaN();
  });

  it("writes a quota back for the field", () => {
    expect(toGigabytes(1.5 * 1024 ** 3)).toBe("1.5");
    expect(toGigabytes(null)).toBe("");
  });
});
