/** Timed comments on a track: the shapes of the comment API and its calls. */
import type { components } from "./api-types";
import { request } from "./http";

/** A comment; `deletable`: the viewer may delete it (its author, the track's owner, an admin). */
export type TrackComment = components["schemas"]["CommentOut"];

export const COMMENT_MAX = 2000;

const base = (trackId: string) => `/api/tracks/${encodeURIComponent(trackId)}/comments`;

export function listComments(trackId: string): Promise<components["schemas"]["CommentPage"]> {
  return request(`${base(trackId)}?limit=500`);
}

export function postComment(trackId: string, positionS: number, body: string): Promise<TrackComment> {
  return request(base(trackId), { method: "POST", json: { position_s: positionS, body } });
}

export function deleteComment(trackId: string, commentId: string): Promise<void> {
  return request(`${base(trackId)}/${encodeURIComponent(commentId)}`, { method: "DELETE" });
}

/** Comments in track order; those at the same second, oldest first. */
export function byPosition(comments: readonly TrackComment[]): TrackComment[] {
  return [...comments].sort((a, b) => a.position_s - b.position_s || a.created_at.localeCompare(b.created_at));
}

/** Where comments sit on the waveform: one marker per comment, labelled for people. */
export function commentMarkers(comments: readonly TrackComment[]): { at: number; label: string }[] {
  return comments.map((c) => ({ at: c.position_s, label: `${c.author_name}: ${c.body}` }));
}
