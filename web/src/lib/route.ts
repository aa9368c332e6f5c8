/**
 * The page's places, in the URL's fragment (`/#/albums/<id>`): the server serves the page
 * at `/` only, and a fragment never reaches it, so an invite code in a sign-up link
 * (`/#/join/<code>`, `/#/playlists/join/<code>`) stays out of its logs and of the Referer
 * of anything the page loads.
 *
 * Each change of place is a new history entry (setting `location.hash`, or following a
 * link), so Back and Forward walk the places and a reload stays where it is.
 */

export type Route =
  | { page: "home" }
  | { page: "albums" }
  | { page: "album"; id: string }
  | { page: "artists" }
  | { page: "artist"; id: string }
  | { page: "tracks" }
  | { page: "track"; id: string }
  | { page: "playlists" }
  | { page: "playlist"; id: string }
  | { page: "playlist-join"; code: string }
  | { page: "liked" }
  | { page: "upload" }
  | { page: "queue" }
  /** Who listens to what now. */
  | { page: "live" }
  | { page: "charts" }
  /** What the signed-in person played. */
  | { page: "history" }
  /** An owner's dashboard: how their tracks are heard. */
  | { page: "stats" }
  /** `#/search?q=<text>&type=<tracks|artists|…>`; no type: every kind. */
  | { page: "search"; q: string; type: string | null }
  | { page: "settings" }
  | { page: "admin" }
  | { page: "signin" }
  | { page: "join"; code: string };

export type Page = Route["page"];

/** Places that name no thing: `#/<page>`. */
const PLAIN = new Set<Page>([
  "albums",
  "artists",
  "tracks",
  "playlists",
  "liked",
  "upload",
  "queue",
  "live",
  "charts",
  "history",
  "stats",
  "settings",
  "admin",
  "signin",
]);

/** Collections whose members have their own page: `#/albums/<id>` is an album. */
const ONE: Record<string, "album" | "artist" | "track" | "playlist"> = {
  albums: "album",
  artists: "artist",
  tracks: "track",
  playlists: "playlist",
};

const HOME: Route = { page: "home" };

/**
 * The route a fragment names, or null for a fragment that is no route (an in-page
 * anchor such as `#library`): the page stays where it is. An unknown place is home.
 */
export function parseRoute(hash: string): Route | null {
  const [path = "", search = ""] = hash.replace(/^#/, "").split(/[?](.*)/s);
  if (path === "/search") {
    const params = new URLSearchParams(search);
    return { page: "search", q: params.get("q") ?? "", type: params.get("type") || null };
  }
  if (path === "" || path === "/") return HOME;
  if (!path.startsWith("/")) return null;
  const [first = "", second, ...rest] = path.slice(1).split("/");
  if (first === "join") {
    // No code: sign-up while registration is open to all.
    return { page: "join", code: safeDecode([second ?? "", ...rest].join("/")) };
  }
  if (first === "playlists" && second === "join") {
    const code = safeDecode(rest.join("/"));
    return code ? { page: "playlist-join", code } : { page: "playlists" };
  }
  const one = ONE[first];
  if (one && second) {
    const id = safeDecode(second);
    return id ? ({ page: one, id } as Route) : ({ page: first } as Route);
  }
  if (PLAIN.has(first as Page) && !second) return { page: first } as Route;
  return HOME;
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case "home":
      return "#/";
    case "join":
      return route.code ? `#/join/${encodeURIComponent(route.code)}` : "#/join";
    case "playlist-join":
      return `#/playlists/join/${encodeURIComponent(route.code)}`;
    case "search": {
      const params = new URLSearchParams();
      if (route.q) params.set("q", route.q);
      if (route.type) params.set("type", route.type);
      const text = params.toString();
      return text ? `#/search?${text}` : "#/search";
    }
    case "album":
    case "artist":
    case "track":
    case "playlist":
      return `#/${route.page}s/${encodeURIComponent(route.id)}`;
    default:
      return `#/${route.page}`;
  }
}

/** Go to a place as a new history entry (Back returns here). */
export function navigate(route: Route): void {
  const href = routeHref(route);
  if (location.hash !== href) location.hash = href;
}

/** Go to a place in place of this one (a redirect: Back skips it). */
export function redirect(route: Route): void {
  history.replaceState(history.state, "", routeHref(route));
}

/** Same place (the same page for the same thing). */
export function samePlace(a: Route, b: Route): boolean {
  return routeHref(a) === routeHref(b);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text).trim();
  } catch {
    return text.trim();
  }
}
