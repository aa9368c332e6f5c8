import { describe, expect, it } from "vitest";
import { type Entry, droppedFiles, isAudioFile, pickedFolder, walk } from "./folders";

const file = (name: string, type = ""): File => new File(["x"], name, { type });

function fileEntry(name: string): Entry {
  return { isFile: true, isDirectory: false, name, file: (ok) => ok(file(name)) };
}

/** A folder whose reader answers in batches of two, as readEntries does in batches. */
function folder(name: string, children: Entry[]): Entry {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader() {
      let at = 0;
      return {
        readEntries(ok) {
          const batch = children.slice(at, at + 2);
          at += 2;
          ok(batch);
        },
      };
    },
  };
}

describe("folders", () => {
  it("tell audio by its extension or type", () => {
    expect(isAudioFile(file("01 Intro.FLAC"))).toBe(true);
    expect(isAudioFile(file("track.opus"))).toBe(true);
    expect(isAudioFile(file("noext", "audio/mpeg"))).toBe(true);
    expect(isAudioFile(file("cover.jpg", "image/jpeg"))).toBe(false);
    expect(isAudioFile(file("01 Intro.lrc"))).toBe(false);
    expect(isAudioFile(file("rip.log"))).toBe(false);
    expect(isAudioFile(file("._01.flac"))).toBe(false);
  });

  it("walk nested folders in every batch, in name order", async () => {
    const tree = folder("Album", [
      fileEntry("10 Ten.flac"),
      fileEntry("2 Two.flac"),
      fileEntry("cover.jpg"),
      folder("CD2", [fileEntry("1 One.flac")]),
    ]);
    const names = (await walk(tree)).map((f) => f.name);
    expect(names).toEqual(["2 Two.flac", "10 Ten.flac", "1 One.flac", "cover.jpg"]);
  });

  it("take loose files as they are and only the audio inside folders", async () => {
    const items = [
      { kind: "file", webkitGetAsEntry: () => fileEntry("notes.txt"), getAsFile: () => file("notes.txt") },
      {
        kind: "file",
        webkitGetAsEntry: () =>
          folder("A", [fileEntry("a.flac"), fileEntry("a.lrc"), fileEntry("a.jpg"), fileEntry("rip.txt")]),
        getAsFile: () => null,
      },
      { kind: "string", webkitGetAsEntry: () => null, getAsFile: () => null },
    ];
    // Lyrics named like an audio file come along (the upload page saves them).
    expect((await droppedFiles(items)).map((f) => f.name)).toEqual(["notes.txt", "a.flac", "a.lrc"]);
  });

  it("keep the audio a folder picker chose, in path order", () => {
    const picked = [file("b.flac"), file("a.mp3"), file("cover.png", "image/png"), file("b.txt"), file("c.lrc")];
    expect(pickedFolder(picked).map((f) => f.name)).toEqual(["a.mp3", "b.flac", "b.txt"]);
  });
});
