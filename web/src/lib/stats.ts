/**
 * Charts, a person's history and an owner's statistics (GET /api/charts, /api/me/history,
 * /api/me/stats, /api/tracks/{id}/stats): read only by the views that show them, so none of
 * this is in the first load. The shapes are in listening.ts.
 */
import { request } from "./http";
import type {
  ChartKind,
  ChartOut,
  ChartSort,
  ChartWindow,
  MostPlayed,
  OwnerStats,
  RecentPage,
  TrackStats,
} from "./listening";

export function getChart(kind: ChartKind, window: ChartWindow, sort: ChartSort, limit = 50): Promise<ChartOut> {
  const query = new URLSearchParams({ kind, window, sort, limit: String(limit) });
  return request<ChartOut>(`/api/charts?${query}`);
}

export function getRecent(before: string | null = null, limit = 50): Promise<RecentPage> {
  const query = new URLSearchParams({ view: "recent", limit: String(limit) });
  if (before) query.set("before", before);
  return request<RecentPage>(`/api/me/history?${query}`);
}

export function getMostPlayed(limit = 50): Promise<{ items: MostPlayed[] }> {
  return request<{ items: MostPlayed[] }>(`/api/me/history?view=most&limit=${limit}`);
}

export function getMyStats(days = 30): Promise<OwnerStats> {
  return request<OwnerStats>(`/api/me/stats?days=${days}`);
}

export function getTrackStats(trackId: string, days = 30): Promise<TrackStats> {
  return request<TrackStats>(`/api/tracks/${encodeURIComponent(trackId)}/stats?days=${days}`);
}

/** A day of a series (YYYY-MM-DD, UTC) as seconds since the epoch, for a time axis. */
export function daySeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

/** The seconds-since-epoch of `daySeconds`, as the day it was. */
export function dayText(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** A count with its noun: "1 play", "3 plays". */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
