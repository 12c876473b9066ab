/**
 * A queue with O(1) amortised `push`/`shift` (Array#shift is O(n) once arrays grow). `unshift` is O(1) while
 * there is room before the head and O(n) otherwise; it is only used to put back orphaned deliveries.
 */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      // Compact once the consumed prefix dominates, keeping memory bounded by the live size.
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
