/** The renditions an HLS master playlist offers (its "rungs"), for a track's details. */

export interface Rung {
  /** Peak bits per second, as the playlist states it. */
  bandwidth: number;
  codecs: string | null;
}

export function parseLadder(master: string): Rung[] {
  const rungs: Rung[] = [];
  for (const line of master.split(/\r?\n/)) {
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const bandwidth = /(?:^|[:,])BANDWIDTH=(\d+)/.exec(line);
    const codecs = /CODECS="([^"]*)"/.exec(line);
    if (bandwidth) rungs.push({ bandwidth: Number(bandwidth[1]), codecs: codecs ? codecs[1] : null });
  }
  return rungs.sort((a, b) => a.bandwidth - b.bandwidth);
}
