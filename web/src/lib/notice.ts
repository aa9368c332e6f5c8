/**
 * A word for the next page to show once: why the person was sent there (the playlist
 * they had open was deleted elsewhere). Kept in the module, so it outlives the page that
 * left and is read by the one that comes.
 */
let waiting: string | null = null;

export function leaveNotice(text: string): void {
  waiting = text;
}

/** The waiting notice, once; null when there is none. */
export function takeNotice(): string | null {
  const text = waiting;
  waiting = null;
  return text;
}
