/// <reference types="svelte" />
/// <reference types="vite/client" />

// hls.js publishes its light build (no subtitles, DRM or alternate renditions: an audio
// player needs none) without a types entry of its own; it has the same API.
declare module "hls.js/light" {
  export * from "hls.js";
  export { default } from "hls.js";
}
