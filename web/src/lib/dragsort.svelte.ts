/**
 * Drag to reorder with pointer events (mouse, touch, pen alike): a row's handle is
 * pressed, the row follows the pointer among its siblings, and on release the list is
 * told the move. The keyboard way (Alt+arrows, move buttons) lives in the components.
 *
 * Rows are the elements under the list with `data-row`, in order.
 */
import { dropIndex } from "./reorder";

export class DragSort {
  /** The index of the row being dragged; null when none is. */
  from = $state<number | null>(null);
  /** Where it would land now (an index of the list after the move). */
  to = $state<number | null>(null);

  private middles: number[] = [];

  constructor(private readonly onmove: (from: number, to: number) => void) {}

  /** On the handle's pointerdown. */
  start(event: PointerEvent, index: number, list: HTMLElement | null | undefined): void {
    if (event.button !== 0 || !list) return;
    event.preventDefault();
    const handle = event.currentTarget as HTMLElement;
    handle.setPointerCapture?.(event.pointerId);
    this.middles = [...list.querySelectorAll<HTMLElement>("[data-row]")].map((row) => {
      const rect = row.getBoundingClientRect();
      return rect.top + rect.height / 2;
    });
    this.from = index;
    this.to = index;
  }

  /** On the handle's pointermove. */
  move(event: PointerEvent): void {
    if (this.from === null) return;
    this.to = dropIndex(event.clientY, this.middles, this.from);
  }

  /** On the handle's pointerup. */
  end(): void {
    const { from, to } = this;
    this.cancel();
    if (from !== null && to !== null && from !== to) this.onmove(from, to);
  }

  cancel(): void {
    this.from = null;
    this.to = null;
  }

  /** Whether a drop line shows above row `index` (rows after the dragged one shift). */
  lineAbove(index: number): boolean {
    if (this.from === null || this.to === null || this.to === this.from) return false;
    return this.to < this.from ? index === this.to : index === this.to + 1;
  }

  /** Whether the drop line shows below the last row. */
  lineAtEnd(count: number): boolean {
    return this.from !== null && this.to !== null && this.to !== this.from && this.to === count - 1;
  }
}
