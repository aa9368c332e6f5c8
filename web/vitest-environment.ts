/**
 * Node, with modules transformed for the browser: runes in the store modules compile to
 * Svelte's client build (effects, reactivity) as in the page, not to the server build
 * that Vitest's own `node` environment would ask for.
 */
import { type Environment, builtinEnvironments } from "vitest/runtime";

export default {
  ...builtinEnvironments.node,
  name: "node-client",
  viteEnvironment: "client",
} satisfies Environment;
