// Liveness and readiness of a service: `live()` says the process runs, `ready()` runs the
// dependency checks (Kafka, PostgreSQL, S3…) so a load balancer sends traffic only when they pass.

/** A readiness check: resolves (optionally with a detail to show) when healthy, throws when not. */
export type HealthCheck = () => Promise<void | { detail?: unknown }> | void | { detail?: unknown };

export interface CheckResult {
  ok: boolean;
  error?: string;
  detail?: unknown;
}

export interface LiveReport {
  status: 'healthy';
  service: string;
  version: string;
  uptime_seconds: number;
}

export interface ReadyReport {
  status: 'ready' | 'not_ready';
  service: string;
  /** Set while the service is shutting down (the reason it is not ready). */
  shutting_down?: true;
  checks: Record<string, CheckResult>;
}

export interface Health {
  addCheck(name: string, fn: HealthCheck, options?: { timeoutMs?: number }): void;
  live(): LiveReport;
  ready(): Promise<ReadyReport>;
  /** From now on ready() reports not_ready, so load balancers drain this instance. */
  markShuttingDown(): void;
  readonly shuttingDown: boolean;
}

export interface CreateHealthOptions {
  service: string;
  version: string;
  /** Default time a check may take before it counts as failed. */
  checkTimeoutMs?: number;
}

export function createHealth(options: CreateHealthOptions): Health {
  const { service, version, checkTimeoutMs = 2000 } = options;
  const checks = new Map<string, { fn: HealthCheck; timeoutMs: number }>();
  let shuttingDown = false;

  return {
    addCheck(name, fn, checkOptions = {}) {
      if (checks.has(name)) throw new Error(`health check "${name}" is already registered`);
      checks.set(name, { fn, timeoutMs: checkOptions.timeoutMs ?? checkTimeoutMs });
    },
    live() {
      return {
        status: 'healthy',
        service,
        version,
        uptime_seconds: Math.round(process.uptime() * 1000) / 1000,
      };
    },
    async ready() {
      // All checks run concurrently, so the slowest one (bounded by its timeout) sets the latency.
      const entries = await Promise.all(
        [...checks].map(async ([name, { fn, timeoutMs }]) => [name, await runCheck(fn, timeoutMs)] as const),
      );
      const results = Object.fromEntries(entries);
      const allOk = entries.every(([, r]) => r.ok);
      return {
        status: allOk && !shuttingDown ? 'ready' : 'not_ready',
        service,
        ...(shuttingDown ? { shutting_down: true as const } : {}),
        checks: results,
      };
    },
    markShuttingDown() {
      shuttingDown = true;
    },
    get shuttingDown() {
      return shuttingDown;
    },
  };
}

async function runCheck(fn: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  // A hung dependency must turn into not_ready, not into a /ready request that never answers.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(fn), timeout]);
    const detail = outcome && typeof outcome === 'object' ? outcome.detail : undefined;
    return detail === undefined ? { ok: true } : { ok: true, detail };
  } catch (err) {
    // Duck-typed rather than instanceof: errors may come from another realm (vm, Jest).
    const message = (err as { message?: unknown } | null)?.message;
    return { ok: false, error: typeof message === 'string' ? message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
