import { describe, expect, it } from "vitest";
import { track } from "../testing/tracks";
import { bulkChanges, emptyBulkForm, tagChanges, tagForm } from "./tags";

describe("tag edits", () => {
  const t = track("a", { title: "Song", artist: "Band", year: 1999, track_number: 3 });

  it("send only what changed", () => {
    const form = { ...tagForm(t), title: " Song (Live) ", year: "2001", album: "" };
    expect(tagChanges(t, form)).toEqual({ changes: { title: "Song (Live)", year: 2001 }, errors: {} });
  });

  it("clear a field emptied", () => {
    expect(tagChanges(t, { ...tagForm(t), artist: "  ", track_number: "" }).changes).toEqual({
      artist: null,
      track_number: null,
    });
  });

  it("say what is wrong with a number", () => {
    const { errors } = tagChanges(t, { ...tagForm(t), year: "19x9", disc_number: "0" });
    expect(errors.year).toMatch(/whole number/);
    expect(errors.disc_number).toMatch(/from 1/);
  });

  it("change many tracks in the fields filled only", () => {
    expect(bulkChanges(emptyBulkForm())).toEqual({ changes: {}, errors: {} });
    expect(bulkChanges({ ...emptyBulkForm(), genre: " Jazz ", year: "1959", visibility: "public" })).toEqual({
      changes: { genre: "Jazz", year: 1959, visibility: "public" },
      errors: {},
    });
    expect(bulkChanges({ ...emptyBulkForm(), year: "-1" }).errors.year).toBeTruthy();
  });
});
