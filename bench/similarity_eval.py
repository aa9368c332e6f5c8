"""How well sound descriptors find "the same kind of sound", on a labelled set built here.

    .venv/bin/python bench/similarity_eval.py [--per-family 12] [--seconds 6] [--seed 17]

The set is ``tests/fixtures/sounds.py``'s: eight families (pluck, bell, kick, bass,
pad, wash, organ, hats), each one timbre in one rhythmic pattern, rendered with
ffmpeg's lavfi in variants of pitch (two octaves), tempo (±8 %), level (0 to -12 dB)
and noise seed. Families pair up under four genre tags (acoustic, electronic,
ambient, rock). Every clip goes through the real decoder and builder
(``media.describe_file``) and the real distance (``radio.neighbours.Matrix``).

For each clip, precision@10 is the share of its ten nearest other clips that are of
its family. Printed beside it, in the same run:

* random: ten other clips drawn at random (expected (n-1)/(N-1) per family);
* same genre tag: ten other clips drawn at random among those with its genre tag
  (what a tag-only radio would play);
* precision@10 per family, and per descriptor group alone, to see what carries it.

The group weights were chosen on seed 16; report other seeds.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fixtures.sounds import labelled_set

from tonearm.media import MediaTools, describe_file, probe
from tonearm.media.descriptors import LAYOUT
from tonearm.radio.neighbours import GROUP_WEIGHTS, Matrix, dimension_weights
from tonearm.types import BlobHash, Seconds

K = 10


def precision(matrix: Matrix, labels: np.ndarray, k: int = K) -> np.ndarray:
    out = np.empty(len(labels))
    for i in range(len(labels)):
        near = [j for j in matrix.nearest(matrix.rows[i], k + 1) if j != i][:k]
        out[i] = np.mean(labels[near] == labels[i])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-family", type=int, default=12)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    tools = MediaTools()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        clips = labelled_set(Path(tmp), args.per_family, seconds=args.seconds, seed=args.seed)
        vectors = []
        for clip in clips:
            info = probe(clip.path, tools, min_duration=Seconds(0.5), max_duration=Seconds(600))
            vectors.append(describe_file(clip.path, info, tools).vector)
        elapsed = time.perf_counter() - start
    raw = np.stack(vectors)
    family = np.array([c.family for c in clips])
    genre = np.array([c.genre for c in clips])
    hashes = [BlobHash(str(i)) for i in range(len(clips))]
    matrix = Matrix.build(hashes, raw, dimension_weights())
    ours = precision(matrix, family)

    rng = random.Random(args.seed)
    n = len(clips)
    rand, tag = [], []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        rand.append(np.mean(family[rng.sample(others, K)] == family[i]))
        same = [j for j in others if genre[j] == genre[i]]
        tag.append(np.mean(family[rng.sample(same, min(K, len(same)))] == family[i]))

    print(
        f"{n} clips ({len(set(family))} families x {args.per_family}, {args.seconds:g} s, "
        f"seed {args.seed}), rendered and described in {elapsed:.0f} s"
    )
    print(f"\nprecision@{K} of same-family neighbours")
    print(f"  descriptors (weights {dict(GROUP_WEIGHTS)}): {ours.mean():.3f}")
    print(f"  random:                {np.mean(rand):.3f}")
    print(f"  same genre tag:        {np.mean(tag):.3f}")
    print("\nper family")
    for name in sorted(set(family)):
        print(f"  {name:<6} {ours[family == name].mean():.3f}")
    print("\none group alone")
    for group in LAYOUT:
        alone = Matrix.build(hashes, raw, dimension_weights({group.name: 1.0}))
        print(f"  {group.name:<9} {precision(alone, family).mean():.3f}")


if __name__ == "__main__":
    main()
