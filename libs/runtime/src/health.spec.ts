import { createHealth } from './health';

describe('createHealth', () => {
  it('live() reports the service, version and uptime', () => {
    const health = createHealth({ service: 'etl', version: '1.2.3' });
    const live = health.live();
    expect(live).toMatchObject({ status: 'healthy', service: 'etl', version: '1.2.3' });
    expect(live.uptime_seconds).toBeGreaterThan(0);
  });

  it('is ready when every check passes, with the details checks return', async () => {
    const health = createHealth({ service: 'ingest', version: '1.0.0' });
    health.addCheck('kafka', async () => ({ detail: { brokers: 1 } }));
    health.addCheck('sync', () => undefined);
    expect(await health.ready()).toEqual({
      status: 'ready',
      service: 'ingest',
      checks: { kafka: { ok: true, detail: { brokers: 1 } }, sync: { ok: true } },
    });
  });

  it('is not ready when a check throws, and says why', async () => {
    const health = createHealth({ service: 'ingest', version: '1.0.0' });
    health.addCheck('kafka', async () => undefined);
    health.addCheck('postgres', async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    health.addCheck('s3', () => {
      throw new Error('bucket missing');
    });
    const report = await health.ready();
    expect(report.status).toBe('not_ready');
    expect(report.checks).toEqual({
      kafka: { ok: true },
      postgres: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:5432' },
      s3: { ok: false, error: 'bucket missing' },
    });
  });

  it('reports a hung check as not ready after its timeout', async () => {
    const health = createHealth({ service: 'ingest', version: '1.0.0', checkTimeoutMs: 50 });
    health.addCheck('kafka', () => new Promise<void>(() => undefined));
    health.addCheck('postgres', async () => undefined, { timeoutMs: 1000 });
    const report = await health.ready();
    expect(report.status).toBe('not_ready');
    expect(report.checks['kafka']).toEqual({ ok: false, error: 'timed out after 50 ms' });
    expect(report.checks['postgres']).toEqual({ ok: true });
  });

  it('is not ready once shutting down, while staying live', async () => {
    const health = createHealth({ service: 'web', version: '1.0.0' });
    health.addCheck('postgres', async () => undefined);
    expect((await health.ready()).status).toBe('ready');
    health.markShuttingDown();
    expect(health.shuttingDown).toBe(true);
    expect(await health.ready()).toMatchObject({ status: 'not_ready', shutting_down: true, checks: { postgres: { ok: true } } });
    expect(health.live().status).toBe('healthy');
  });

  it('refuses two checks with the same name', () => {
    const health = createHealth({ service: 'web', version: '1.0.0' });
    health.addCheck('postgres', () => undefined);
    expect(() => health.addCheck('postgres', () => undefined)).toThrow('already registered');
  });
});
