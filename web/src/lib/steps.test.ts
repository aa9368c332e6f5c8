import { describe, expect, it } from "vitest";
import { SERVER_STEPS, STEP_LABELS, progressText, stepLabel } from "./steps";

// The server's own source, read as text: where it names a step, that string is sent.
const sources = import.meta.glob<string>("../../../src/tonearm/**/*.py", {
  query: "?raw",
  import: "default",
  eager: true,
});

/** Every step string the server's source can put into `progress.step`. */
function stepsInServerSource(): Set<string> {
  const found = new Set<string>();
  const literal = [
    /\breport\(\s*(?:[\d.]+\s*,\s*)?"([^"]+)"/g, // heart.report(1.0, "reading tags"), run.report("encoding", …)
    /\bprogress\([^()\n]*,\s*"([^"]+)"\)/g, // observer.progress(42.0, "encoding")
    /\.step\s*=\s*"([^"]+)"/g, // job.step = "queued"
    /\bstep\s*=\s*"([^"]+)"/g, // Progress(step="done")
    /\bstep:\s*Mapped\[[^\n]*default="([^"]+)"/g, // the job row's default
  ];
  for (const text of Object.values(sources)) {
    for (const pattern of literal) {
      for (const match of text.matchAll(pattern)) found.add(match[1]);
    }
    // Progress(step=blob.status): a track with no job reports its blob's status.
    if (/\bstep\s*=\s*blob\.status\b/.test(text)) {
      for (const status of blobStatuses()) found.add(status);
    }
  }
  return found;
}

function blobStatuses(): string[] {
  const model = Object.entries(sources).find(([path]) => path.endsWith("/models/blob.py"))?.[1];
  const block = model?.match(/class BlobStatus\b[^\n]*\n((?:[ \t]+[^\n]*\n)+)/)?.[1] ?? "";
  return [...block.matchAll(/=\s*"([^"]+)"/g)].map((m) => m[1]);
}

describe("step labels", () => {
  it("list exactly the steps the server sends", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    const sent = [...stepsInServerSource()].sort();
    expect(sent.length).toBeGreaterThan(5);
    // When this fails, the server sends a new step (or stopped sending one): update
    // SERVER_STEPS and STEP_LABELS in steps.ts.
    expect([...SERVER_STEPS].sort()).toEqual(sent);
  });

  it("label each step the server sends, and no other", () => {
    expect(Object.keys(STEP_LABELS).sort()).toEqual([...SERVER_STEPS].sort());
    for (const step of SERVER_STEPS) expect(stepLabel(step)).toBe(STEP_LABELS[step]);
  });

  it("show an unknown step verbatim, humanised", () => {
    expect(stepLabel("read_tags")).toBe("Read tags");
    expect(stepLabel("measuring  loudness")).toBe("Measuring loudness");
    expect(stepLabel("hls.ladder")).toBe("Hls ladder");
    expect(stepLabel(null)).toBe("Processing");
    expect(stepLabel("  ")).toBe("Processing");
  });

  it("give the percent once work has started", () => {
    expect(progressText("queued", 0)).toBe("Queued");
    expect(progressText("starting", 0)).toBe("Starting");
    expect(progressText(null, 0)).toBe("Processing");
    expect(progressText("reading tags", 1)).toBe("Reading tags 1%");
    expect(progressText("encoding", 41.6)).toBe("Encoding 42%");
    expect(progressText("publishing", 99)).toBe("Finishing 99%");
  });
});
