import { describe, expect, it } from "vitest";
import {
  type RulesDraft,
  type SmartRules,
  changeField,
  draftFromRules,
  newRule,
  opsFor,
  parseSeconds,
  ruleFromDraft,
  ruleIndexOf,
  rulesFromDraft,
  valueKind,
} from "./smartrules";

const draft = (over: Partial<RulesDraft> = {}): RulesDraft => ({
  match: "all",
  rules: [],
  sortField: "added",
  sortOrder: "desc",
  limit: "",
  ...over,
});

describe("smart rules", () => {
  it("offers the operators and value kind of each field", () => {
    expect(opsFor("genre").map((o) => o.value)).toEqual(["contains", "not_contains", "is", "is_not"]);
    expect(opsFor("liked").map((o) => o.value)).toEqual(["true", "false"]);
    expect(opsFor("added").map((o) => o.value)).toEqual(["in_last_days"]);
    expect(valueKind("duration")).toBe("seconds");
    expect(valueKind("loudness")).toBe("lufs");
    expect(valueKind("year")).toBe("number");
    expect(valueKind("liked")).toBe("none");
  });

  it("reads lengths typed as m:ss", () => {
    expect(parseSeconds("3:30")).toBe(210);
    expect(parseSeconds("1:02:05")).toBe(3725);
    expect(parseSeconds("95")).toBe(95);
    expect(parseSeconds("3:75")).toBeNull();
    expect(parseSeconds("abc")).toBeNull();
    expect(parseSeconds("")).toBeNull();
  });

  it("turns typed rows into rules", () => {
    expect(ruleFromDraft({ field: "genre", op: "contains", value: " jazz ", value2: "" })).toEqual({
      rule: { field: "genre", op: "contains", value: "jazz" },
    });
    expect(ruleFromDraft({ field: "duration", op: "between", value: "2:00", value2: "4:30" })).toEqual({
      rule: { field: "duration", op: "between", value: [120, 270] },
    });
    expect(ruleFromDraft({ field: "loudness", op: "gt", value: "-9 LUFS", value2: "" })).toEqual({
      rule: { field: "loudness", op: "gt", value: -9 },
    });
    expect(ruleFromDraft({ field: "added", op: "in_last_days", value: "30", value2: "" })).toEqual({
      rule: { field: "added", op: "in_last_days", value: 30 },
    });
    expect(ruleFromDraft({ field: "liked", op: "true", value: "junk", value2: "" })).toEqual({
      rule: { field: "liked", op: "true", value: null },
    });
  });

  it("names what is wrong with a row", () => {
    expect(ruleFromDraft({ field: "title", op: "is", value: "  ", value2: "" })).toEqual({
      error: "Type the words to match.",
    });
    expect(ruleFromDraft({ field: "year", op: "is", value: "19x4", value2: "" })).toHaveProperty("error");
    expect(ruleFromDraft({ field: "year", op: "between", value: "2000", value2: "1990" })).toEqual({
      error: "The first value must not be above the second.",
    });
    expect(ruleFromDraft({ field: "duration", op: "gt", value: "3.5", value2: "" })).toHaveProperty("error");
    expect(ruleFromDraft({ field: "loudness", op: "lt", value: "5", value2: "" })).toHaveProperty("error");
    expect(ruleFromDraft({ field: "year", op: "contains", value: "1", value2: "" })).toEqual({
      error: "Pick how to compare.",
    });
  });

  it("checks the whole form before sending", () => {
    const bad = rulesFromDraft(
      draft({ rules: [newRule("genre"), { field: "year", op: "gt", value: "1990", value2: "" }], limit: "0" }),
    );
    expect(bad.rules).toBeNull();
    expect(bad.ruleErrors).toEqual(["Type the words to match.", null]);
    expect(bad.limitError).toMatch(/1 to 5000/);
    expect(rulesFromDraft(draft()).error).toBe("Add at least one rule.");
  });

  it("round-trips rules through the form", () => {
    const rules: SmartRules = {
      match: "any",
      rules: [
        { field: "artist", op: "is", value: "Nina Simone" },
        { field: "duration", op: "between", value: [125, 3725] },
        { field: "loudness", op: "lt", value: -16.5 },
        { field: "liked", op: "true", value: null },
        { field: "added", op: "in_last_days", value: 7 },
        { field: "year", op: "between", value: [1960, 1969] },
      ],
      sort: { field: "year", order: "asc" },
      limit: 50,
    };
    const form = draftFromRules(rules);
    expect(form.rules[1]).toEqual({ field: "duration", op: "between", value: "2:05", value2: "1:02:05" });
    expect(form.limit).toBe("50");
    expect(rulesFromDraft(form).rules).toEqual(rules);
    expect(draftFromRules(null).rules).toHaveLength(1);
  });

  it("keeps what still fits when the field changes", () => {
    expect(changeField({ field: "genre", op: "is_not", value: "rock", value2: "" }, "artist")).toEqual({
      field: "artist",
      op: "is_not",
      value: "rock",
      value2: "",
    });
    expect(changeField({ field: "genre", op: "contains", value: "rock", value2: "" }, "year")).toEqual({
      field: "year",
      op: "is",
      value: "",
      value2: "",
    });
  });

  it("finds the row a server error is about", () => {
    expect(ruleIndexOf("body.rules.rules.2.value")).toBe(2);
    expect(ruleIndexOf("rules.0")).toBe(0);
    expect(ruleIndexOf("body.name")).toBeNull();
  });
});

describe("play count rules", () => {
  it("take a whole number of plays", () => {
    expect(ruleFromDraft({ field: "plays", op: "gt", value: "3", value2: "" })).toEqual({
      rule: { field: "plays", op: "gt", value: 3 },
    });
    expect(ruleFromDraft({ field: "total_plays", op: "gt", value: "2.5", value2: "" })).toEqual({
      error: "Type a whole number, 0 or more.",
    });
    expect(ruleFromDraft({ field: "last_played", op: "in_last_days", value: "7", value2: "" })).toEqual({
      rule: { field: "last_played", op: "in_last_days", value: 7 },
    });
  });
});
