/**
 * Tag editing: the form's text fields as the API's changes. For one track only what was
 * changed is sent; for many, only the fields the person filled in.
 */
import type { BulkChanges, CatalogTrack, TagChanges } from "./catalog";
import type { Visibility } from "./api";

/** The one-track form: every field as typed. */
export interface TagForm {
  title: string;
  artist: string;
  album: string;
  album_artist: string;
  track_number: string;
  disc_number: string;
  year: string;
  genre: string;
  compilation: boolean;
  visibility: Visibility;
}

/** The many-tracks form: empty text leaves a field as it is on each track. */
export interface BulkForm {
  album: string;
  artist: string;
  album_artist: string;
  genre: string;
  year: string;
  /** "": leave as it is. */
  visibility: Visibility | "";
}

export const MAX_TITLE = 500;

export function tagForm(track: CatalogTrack): TagForm {
  const text = (v: string | number | null | undefined) => (v == null ? "" : String(v));
  return {
    title: text(track.title),
    artist: text(track.artist),
    album: text(track.album),
    album_artist: text(track.album_artist),
    track_number: text(track.track_number),
    disc_number: text(track.disc_number),
    year: text(track.year),
    genre: track.genres?.length ? track.genres.join("; ") : text(track.genre),
    compilation: track.compilation ?? false,
    visibility: track.visibility,
  };
}

/** A problem with a field, in words for a person; keyed by field. */
export type FormErrors = Partial<Record<keyof TagForm, string>>;

function whole(text: string, field: string, min: number, max: number, errors: FormErrors, key: keyof TagForm): number | null {
  const t = text.trim();
  if (t === "") return null;
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    errors[key] = `${field} must be a whole number from ${min} to ${max}.`;
    return null;
  }
  return Number(t);
}

/** The changes the form makes to `track` (only what differs), or the problems with it. */
export function tagChanges(track: CatalogTrack, form: TagForm): { changes: TagChanges; errors: FormErrors } {
  const before = tagForm(track);
  const errors: FormErrors = {};
  const changes: TagChanges = {};
  const text = (v: string) => (v.trim() === "" ? null : v.trim());
  if (form.title.trim().length > MAX_TITLE) errors.title = `A title has at most ${MAX_TITLE} characters.`;
  for (const key of ["title", "artist", "album", "album_artist", "genre"] as const) {
    if (form[key].trim() !== before[key].trim()) changes[key] = text(form[key]);
  }
  const numbers = [
    ["track_number", "Track number", 1, 9999],
    ["disc_number", "Disc number", 1, 999],
    ["year", "Year", 0, 9999],
  ] as const;
  for (const [key, label, min, max] of numbers) {
    const value = whole(form[key], label, min, max, errors, key);
    if (form[key].trim() !== before[key].trim() && !errors[key]) changes[key] = value;
  }
  if (form.compilation !== before.compilation) changes.compilation = form.compilation;
  if (form.visibility !== before.visibility) changes.visibility = form.visibility;
  return { changes, errors };
}

export function emptyBulkForm(): BulkForm {
  return { album: "", artist: "", album_artist: "", genre: "", year: "", visibility: "" };
}

/** The changes for many tracks: the filled fields only. */
export function bulkChanges(form: BulkForm): { changes: BulkChanges; errors: FormErrors } {
  const errors: FormErrors = {};
  const changes: BulkChanges = {};
  for (const key of ["album", "artist", "album_artist", "genre"] as const) {
    if (form[key].trim()) changes[key] = form[key].trim();
  }
  const year = whole(form.year, "Year", 0, 9999, errors, "year");
  if (year !== null) changes.year = year;
  if (form.visibility) changes.visibility = form.visibility;
  return { changes, errors };
}

export function isEmpty(changes: object): boolean {
  return Object.keys(changes).length === 0;
}
