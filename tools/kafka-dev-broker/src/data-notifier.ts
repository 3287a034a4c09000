// Wakes held Fetch requests when data is appended to a partition they wait on, so an empty fetch
// is held for up to its max wait instead of being answered at once (which makes clients spin).

export class DataNotifier {
  private readonly waiters = new Map<string, Set<(why: WakeReason) => void>>();

  notify(topic: string, partition: number): void {
    const key = `${topic}\u0000${partition}`;
    const set = this.waiters.get(key);
    if (!set) return;
    this.waiters.delete(key);
    for (const wake of set) wake('data');
  }

  /** Resolves when any of the partitions gets data, after `ms`, or when interrupted. */
  wait(partitions: ReadonlyArray<readonly [string, number]>, ms: number): Promise<WakeReason> {
    return new Promise((resolve) => {
      const keys = partitions.map(([t, p]) => `${t}\u0000${p}`);
      let timer: NodeJS.Timeout | undefined = undefined;
      const wake = (why: WakeReason) => {
        clearTimeout(timer);
        for (const key of keys) this.waiters.get(key)?.delete(wake);
        resolve(why);
      };
      timer = setTimeout(() => wake('timeout'), ms);
      for (const key of keys) {
        let set = this.waiters.get(key);
        if (!set) this.waiters.set(key, (set = new Set()));
        set.add(wake);
      }
    });
  }

  /** Ends every wait early (a group rebalance, shutdown): held fetches answer with what they have. */
  interruptAll(): void {
    const sets = [...this.waiters.values()];
    this.waiters.clear();
    for (const set of sets) for (const wake of set) wake('interrupted');
  }
}

export type WakeReason = 'data' | 'timeout' | 'interrupted';
