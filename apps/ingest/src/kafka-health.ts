// Whether Kafka is taking writes, as ingest sees it: down after a failed write, up again after a
// successful one or a successful probe (run every few seconds while down), so /ready recovers
// even when no traffic arrives.

export interface KafkaHealth {
  ready(): boolean;
  record(ok: boolean): void;
  stop(): void;
}

export function createKafkaHealth(probe: () => Promise<void>, intervalMs = 3000): KafkaHealth {
  let up = true;
  let probing = false;
  const timer = setInterval(() => {
    if (up || probing) return;
    probing = true;
    probe().then(
      () => {
        up = true;
        probing = false;
      },
      () => {
        probing = false;
      },
    );
  }, intervalMs);
  timer.unref();
  return {
    ready: () => up,
    record: (ok) => {
      up = ok;
    },
    stop: () => clearInterval(timer),
  };
}
