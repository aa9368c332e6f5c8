/**
 * The page's places, in the URL's fragment (`/#/settings`): the server serves the page
 * at `/` only, and a fragment never reaches it, so an invite code in a sign-up link
 * (`/#/join/<code>`) stays out of its logs and of the Referer of anything the page loads.
 */

export type Route =
  | { page: "music" }
  | { page: "signin" }
  | { page: "settings" }
  | { page: "admin" }
  | { page: "join"; code: string };

/**
 * The route a fragment names, or null for a fragment that is no route (an in-page
 * anchor such as the skip link's `#library`): the page stays where it is.
 */
export function parseRoute(hash: string): Route | null {
  const path = hash.replace(/^#/, "");
  if (path === "" || path === "/") return { page: "music" };
  if (!path.startsWith("/")) return null;
  const [, first = "", ...rest] = path.split("/");
  switch (first) {
    case "signin":
      return { page: "signin" };
    case "settings":
      return { page: "settings" };
    case "admin":
      return { page: "admin" };
    case "join": {
      // No code: sign-up while registration is open to all.
      return { page: "join", code: safeDecode(rest.join("/")) };
    }
    default:
      return { page: "music" };
  }
}

export function routeHref(route: Route): string {
  switch (route.page) {
    case "music":
      return "#/";
    case "join":
      return route.code ? `#/join/${encodeURIComponent(route.code)}` : "#/join";
    default:
      return `#/${route.page}`;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text).trim();
  } catch {
    return text.trim();
  }
}
