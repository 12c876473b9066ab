/**
 * The commit point of one partition: Kafka keeps one offset per partition, but handlers finish out of order
 * (concurrency > 1). The committable offset is the lowest offset still unfinished, or one past the highest offset
 * seen when nothing is unfinished. Pure bookkeeping, no I/O.
 */
export class PartitionProgress {
  private readonly unfinished = new Set<bigint>();
  private next: bigint | undefined;

  /** A record at `offset` was taken (offsets arrive in increasing order within a partition). */
  taken(offset: bigint): void {
    this.unfinished.add(offset);
    if (this.next === undefined || offset + 1n > this.next) this.next = offset + 1n;
  }

  /** The record at `offset` is finished (handled, skipped as duplicate, or rejected). */
  finished(offset: bigint): void {
    this.unfinished.delete(offset);
  }

  hasUnfinished(): boolean {
    return this.unfinished.size > 0;
  }

  isUnfinished(offset: bigint): boolean {
    return this.unfinished.has(offset);
  }

  /** The offset to commit now (the next record to read after a restart), or undefined before any record. */
  commitPoint(): bigint | undefined {
    let low: bigint | undefined;
    for (const o of this.unfinished) if (low === undefined || o < low) low = o;
    return low ?? this.next;
  }
}
