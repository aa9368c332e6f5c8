// Records which source the committed build came from, so a test can tell when
// src/tonearm/web/ is stale. tests/browser/test_frontend_unit.py computes the same hash:
// sha256 over "<path>\0<sha256 of its bytes>\n" for every input file, sorted by path.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const web = fileURLToPath(new URL("..", import.meta.url));
const out = join(web, "..", "src", "tonearm", "web", "SOURCE_SHA256");

export const INPUTS = [
  "index.html",
  "package-lock.json",
  "svelte.config.js",
  "tsconfig.json",
  "vite.config.ts",
  "src",
];

function* files(path) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) yield* files(join(path, name));
  } else if (!path.endsWith(".test.ts")) {
    yield path;
  }
}

const paths = INPUTS.flatMap((input) => [...files(join(web, input))])
  .map((path) => relative(web, path).split(sep).join("/"))
  .sort();
const all = createHash("sha256");
for (const path of paths) {
  const digest = createHash("sha256").update(readFileSync(join(web, path))).digest("hex");
  all.update(`${path}\0${digest}\n`);
}
writeFileSync(out, `${all.digest("hex")}\n`);
console.log(`stamped ${paths.length} source files into ${relative(process.cwd(), out)}`);
