/**
 * Smart playlist rules: the form a person fills in (strings as typed) and the rules the
 * server evaluates (`SmartRules` in the API), both ways, with the checks made before
 * sending so a mistake is named on its own row.
 */

export type RuleField =
  | "genre"
  | "artist"
  | "album"
  | "title"
  | "year"
  | "added"
  | "liked"
  | "duration"
  | "loudness"
  | "plays"
  | "last_played"
  | "total_plays";
export type RuleOp =
  | "is"
  | "is_not"
  | "contains"
  | "not_contains"
  | "gt"
  | "lt"
  | "between"
  | "in_last_days"
  | "true"
  | "false";
export type RuleValue = string | number | [number, number] | null;

export interface Rule {
  field: RuleField;
  op: RuleOp;
  value: RuleValue;
}

export type SortField =
  | "added"
  | "title"
  | "artist"
  | "album"
  | "year"
  | "duration"
  | "plays"
  | "last_played"
  | "total_plays";

export interface SmartRules {
  match: "all" | "any";
  rules: Rule[];
  sort: { field: SortField; order: "asc" | "desc" };
  limit: number | null;
}

/** How a field's value is typed: words, a year, a count, days ago, a length (m:ss), LUFS, yes/no. */
export type ValueKind = "text" | "number" | "count" | "days" | "seconds" | "lufs" | "none";

type FieldKind = "text" | "year" | "count" | "date" | "bool" | "seconds" | "lufs";

export const FIELDS: readonly { value: RuleField; label: string; kind: FieldKind }[] = [
  { value: "genre", label: "Genre", kind: "text" },
  { value: "artist", label: "Artist", kind: "text" },
  { value: "album", label: "Album", kind: "text" },
  { value: "title", label: "Title", kind: "text" },
  { value: "year", label: "Year", kind: "year" },
  { value: "added", label: "Added", kind: "date" },
  { value: "liked", label: "Liked", kind: "bool" },
  { value: "duration", label: "Length", kind: "seconds" },
  { value: "loudness", label: "Loudness", kind: "lufs" },
  { value: "plays", label: "My plays", kind: "count" },
  { value: "last_played", label: "I last played", kind: "date" },
  { value: "total_plays", label: "Everyone's plays", kind: "count" },
];

const OPS: Record<FieldKind, readonly { value: RuleOp; label: string }[]> = {
  text: [
    { value: "contains", label: "contains" },
    { value: "not_contains", label: "does not contain" },
    { value: "is", label: "is" },
    { value: "is_not", label: "is not" },
  ],
  year: [
    { value: "is", label: "is" },
    { value: "is_not", label: "is not" },
    { value: "gt", label: "is after" },
    { value: "lt", label: "is before" },
    { value: "between", label: "is between" },
  ],
  count: [
    { value: "gt", label: "more than" },
    { value: "lt", label: "fewer than" },
    { value: "is", label: "exactly" },
    { value: "between", label: "between" },
  ],
  date: [{ value: "in_last_days", label: "in the last" }],
  bool: [
    { value: "true", label: "yes" },
    { value: "false", label: "no" },
  ],
  seconds: [
    { value: "gt", label: "is longer than" },
    { value: "lt", label: "is shorter than" },
    { value: "between", label: "is between" },
  ],
  lufs: [
    { value: "gt", label: "is louder than" },
    { value: "lt", label: "is quieter than" },
    { value: "between", label: "is between" },
  ],
};

const VALUE_KIND: Record<FieldKind, ValueKind> = {
  text: "text",
  year: "number",
  count: "count",
  date: "days",
  bool: "none",
  seconds: "seconds",
  lufs: "lufs",
};

export const SORT_FIELDS: readonly { value: SortField; label: string }[] = [
  { value: "added", label: "Date added" },
  { value: "title", label: "Title" },
  { value: "artist", label: "Artist" },
  { value: "album", label: "Album" },
  { value: "year", label: "Year" },
  { value: "duration", label: "Length" },
  { value: "plays", label: "My plays" },
  { value: "last_played", label: "Last played" },
  { value: "total_plays", label: "Everyone's plays" },
];

const kindOf = (field: RuleField): FieldKind => FIELDS.find((f) => f.value === field)?.kind ?? "text";

/** The operators that make sense for a field, in the order offered. */
export function opsFor(field: RuleField): readonly { value: RuleOp; label: string }[] {
  return OPS[kindOf(field)];
}

/** How the value of a rule on `field` is typed. */
export function valueKind(field: RuleField): ValueKind {
  return VALUE_KIND[kindOf(field)];
}

/** A rule as the form holds it: the values as typed. */
export interface RuleDraft {
  field: RuleField;
  op: RuleOp;
  value: string;
  /** The upper end of a `between`. */
  value2: string;
}

export interface RulesDraft {
  match: "all" | "any";
  rules: RuleDraft[];
  sortField: SortField;
  sortOrder: "asc" | "desc";
  limit: string;
}

export function newRule(field: RuleField = "genre"): RuleDraft {
  return { field, op: opsFor(field)[0].value, value: "", value2: "" };
}

export function newDraft(): RulesDraft {
  return { match: "all", rules: [newRule()], sortField: "added", sortOrder: "desc", limit: "" };
}

/** The rule with another field: the operator stays where the new field has it. */
export function changeField(rule: RuleDraft, field: RuleField): RuleDraft {
  const ops = opsFor(field);
  const keepOp = ops.some((o) => o.value === rule.op);
  const keepValue = valueKind(field) === valueKind(rule.field);
  return {
    field,
    op: keepOp ? rule.op : ops[0].value,
    value: keepValue ? rule.value : "",
    value2: keepValue ? rule.value2 : "",
  };
}

/** "3:30" → 210, "1:02:05" → 3725, "95" → 95; null for anything else. */
export function parseSeconds(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+(:\d{1,2}){0,2}$/.test(trimmed)) return null;
  const parts = trimmed.split(":").map(Number);
  if (parts.slice(1).some((p) => p >= 60)) return null;
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/** 210 → "3:30". */
export function formatSeconds(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

type Parsed = { ok: true; value: number | string } | { ok: false; error: string };

function parseOne(kind: ValueKind, text: string): Parsed {
  const trimmed = text.trim();
  switch (kind) {
    case "text":
      return trimmed ? { ok: true, value: trimmed } : { ok: false, error: "Type the words to match." };
    case "number": {
      const year = Number(trimmed);
      return trimmed && Number.isInteger(year) && year >= 0 && year <= 9999
        ? { ok: true, value: year }
        : { ok: false, error: "Type a year, such as 1994." };
    }
    case "count": {
      const count = Number(trimmed);
      return trimmed && Number.isInteger(count) && count >= 0
        ? { ok: true, value: count }
        : { ok: false, error: "Type a whole number, 0 or more." };
    }
    case "days": {
      const days = Number(trimmed);
      return trimmed && Number.isInteger(days) && days >= 1
        ? { ok: true, value: days }
        : { ok: false, error: "Type a number of days, 1 or more." };
    }
    case "seconds": {
      const seconds = parseSeconds(trimmed);
      return seconds !== null ? { ok: true, value: seconds } : { ok: false, error: "Type a length as m:ss, such as 3:30." };
    }
    case "lufs": {
      const lufs = Number(trimmed.replace(/\s*LUFS$/i, "").replace(",", ".").replace("−", "-"));
      return trimmed && Number.isFinite(lufs) && lufs <= 0 && lufs >= -70
        ? { ok: true, value: lufs }
        : { ok: false, error: "Type a loudness in LUFS, such as -14." };
    }
    case "none":
      return { ok: true, value: "" };
  }
}

/** A rule for the server, or why its row cannot be sent. */
export function ruleFromDraft(draft: RuleDraft): { rule: Rule } | { error: string } {
  const kind = valueKind(draft.field);
  if (!opsFor(draft.field).some((o) => o.value === draft.op)) return { error: "Pick how to compare." };
  if (kind === "none") return { rule: { field: draft.field, op: draft.op, value: null } };
  const first = parseOne(kind, draft.value);
  if (!first.ok) return { error: first.error };
  if (draft.op === "between") {
    const second = parseOne(kind, draft.value2);
    if (!second.ok) return { error: second.error };
    const [low, high] = [first.value as number, second.value as number];
    if (low > high) return { error: "The first value must not be above the second." };
    return { rule: { field: draft.field, op: draft.op, value: [low, high] } };
  }
  return { rule: { field: draft.field, op: draft.op, value: first.value } };
}

function formatValue(kind: ValueKind, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (kind === "seconds" && typeof value === "number") return formatSeconds(value);
  return String(value);
}

/** A rule from the server as the form shows it. */
export function draftFromRule(rule: Rule): RuleDraft {
  const kind = valueKind(rule.field);
  if (Array.isArray(rule.value)) {
    return { field: rule.field, op: rule.op, value: formatValue(kind, rule.value[0]), value2: formatValue(kind, rule.value[1]) };
  }
  return { field: rule.field, op: rule.op, value: formatValue(kind, rule.value), value2: "" };
}

export function draftFromRules(rules: SmartRules | null | undefined): RulesDraft {
  if (!rules) return newDraft();
  return {
    match: rules.match === "any" ? "any" : "all",
    rules: rules.rules.map(draftFromRule),
    sortField: rules.sort?.field ?? "added",
    sortOrder: rules.sort?.order === "asc" ? "asc" : "desc",
    limit: rules.limit ? String(rules.limit) : "",
  };
}

export interface DraftCheck {
  rules: SmartRules | null;
  /** Why each row cannot be sent (null: fine), in row order. */
  ruleErrors: (string | null)[];
  limitError: string | null;
  /** A problem with the whole set. */
  error: string | null;
}

/** The rules to send, or what is wrong on which row. */
export function rulesFromDraft(draft: RulesDraft): DraftCheck {
  const made = draft.rules.map(ruleFromDraft);
  const ruleErrors = made.map((m) => ("error" in m ? m.error : null));
  let limit: number | null = null;
  let limitError: string | null = null;
  if (draft.limit.trim()) {
    limit = Number(draft.limit.trim());
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) {
      limitError = "Type a number of tracks from 1 to 5000, or leave it empty.";
    }
  }
  const error = draft.rules.length === 0 ? "Add at least one rule." : null;
  const ok = !error && !limitError && ruleErrors.every((e) => e === null);
  return {
    rules: ok
      ? {
          match: draft.match,
          rules: made.map((m) => (m as { rule: Rule }).rule),
          sort: { field: draft.sortField, order: draft.sortOrder },
          limit,
        }
      : null,
    ruleErrors,
    limitError,
    error,
  };
}

/** The rule row a server's validation error is about (`body.rules.rules.2.value` → 2). */
export function ruleIndexOf(where: string): number | null {
  const found = [...where.matchAll(/rules\.(\d+)/g)].at(-1);
  return found ? Number(found[1]) : null;
}
