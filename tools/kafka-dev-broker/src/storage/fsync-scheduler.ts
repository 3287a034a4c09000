// Decides when written data is forced to disk: after every write, on a timer, or only at close.

// Appends always reach the OS page cache before they are acknowledged (writeSync), which survives
// a killed process; fsync only adds safety against power loss and kernel crashes, at a cost.
export type FsyncPolicy = 'always' | 'interval' | 'never';

export const FSYNC_POLICIES: readonly FsyncPolicy[] = ['always', 'interval', 'never'];

export function validateFsyncOptions(policy: unknown, intervalMs: unknown): void {
  if (!FSYNC_POLICIES.includes(policy as FsyncPolicy)) {
    throw new RangeError(`fsync must be one of ${FSYNC_POLICIES.join(', ')} (got ${String(policy)})`);
  }
  if (!Number.isInteger(intervalMs) || (intervalMs as number) <= 0) {
    throw new RangeError(`fsyncIntervalMs must be a positive integer (got ${String(intervalMs)})`);
  }
}

export class FsyncScheduler {
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;

  /**
   * @param sync forces every dirty file of the owner to disk; throws on failure
   * @param onBackgroundFailure told when a timer-driven sync fails (the failure is also kept and
   *   rethrown by assertHealthy, because after a failed fsync Linux may already have dropped the
   *   dirty pages: acknowledging more writes would hide data loss)
   */
  constructor(
    readonly policy: FsyncPolicy,
    private readonly intervalMs: number,
    private readonly sync: () => void,
    private readonly onBackgroundFailure: (err: Error) => void,
  ) {
    validateFsyncOptions(policy, intervalMs);
  }

  /** Throws the error of an earlier failed background sync, if any. */
  assertHealthy(): void {
    if (this.failure) throw this.failure;
  }

  /** Called after a write: syncs now ('always') or makes sure a sync is scheduled ('interval'). */
  written(): void {
    if (this.policy === 'always') this.sync();
    else if (this.policy === 'interval' && !this.timer) {
      // One pending timer per owner, only while there is something to sync; unref'd so an idle
      // broker's pending sync never keeps the process alive (close() syncs anyway).
      this.timer = setTimeout(() => this.runScheduled(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Cancels a pending timer (the owner syncs itself on close). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private runScheduled(): void {
    this.timer = undefined;
    try {
      this.sync();
    } catch (err) {
      this.failure = err as Error;
      this.onBackgroundFailure(err as Error);
    }
  }
}
