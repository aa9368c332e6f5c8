/** A clock the tests move by hand, in the shape of stores/library's Timers. */
export class ManualTimers {
  private next = 1;
  private pending = new Map<number, { run: () => void; ms: number }>();

  set = (run: () => void, ms: number): number => {
    const id = this.next++;
    this.pending.set(id, { run, ms });
    return id;
  };

  clear = (handle: unknown): void => {
    this.pending.delete(handle as number);
  };

  /** The delays of the timers waiting now, in the order they were set. */
  get delays(): number[] {
    return [...this.pending.values()].map((t) => t.ms);
  }

  /** Run every timer waiting now (not the ones they set). */
  fire(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const timer of due) timer.run();
  }
}

/** Let pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
