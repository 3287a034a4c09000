// The dev broker against librdkafka through kcat (installed by .ci/run when missing).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { startBroker, type RunningBroker } from '../src';
import { tempDir, waitFor } from './helpers';

const run = promisify(execFile);
jest.setTimeout(60_000);

function kcat(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${err}`));
    });
    child.stdin.end(input ?? '');
  });
}

describe('kcat (librdkafka) against kafka-dev-broker', () => {
  const dir = tempDir();
  let broker: RunningBroker;

  beforeAll(async () => {
    await run('kcat', ['-V']);
    broker = await startBroker({ port: 0, dataDir: dir.path, defaultPartitions: 3 });
  });
  afterAll(async () => {
    await broker?.stop();
    dir.remove();
  });

  it('-P produces and -C -e consumes the same lines', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `line-${i}`);
    await kcat(['-b', broker.address, '-P', '-t', 'kcat-lines', '-p', '0'], lines.join('\n') + '\n');
    const out = await kcat(['-b', broker.address, '-C', '-t', 'kcat-lines', '-p', '0', '-o', 'beginning', '-e', '-q']);
    expect(out.trim().split('\n')).toEqual(lines);
  });

  it('-L lists the broker as controller and the topics with their partitions', async () => {
    const out = await kcat(['-b', broker.address, '-L', '-t', 'kcat-lines']);
    expect(out).toContain('1 brokers:');
    expect(out).toContain(`broker 1 at ${broker.address} (controller)`);
    expect(out).toMatch(/topic "kcat-lines" with 3 partitions/);
  });

  it('-C with keys and an offset reads from that offset', async () => {
    await kcat(['-b', broker.address, '-P', '-t', 'kcat-keys', '-p', '1', '-K', ':'], 'a:1\nb:2\nc:3\n');
    const out = await kcat(['-b', broker.address, '-C', '-t', 'kcat-keys', '-p', '1', '-o', '1', '-e', '-q', '-f', '%k=%s@%o\\n']);
    expect(out.trim().split('\n')).toEqual(['b=2@1', 'c=3@2']);
  });

  it('-G consumes as a group member and its commits are kept', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `g-${i}`);
    await kcat(['-b', broker.address, '-P', '-t', 'kcat-group'], lines.join('\n') + '\n');
    const child = spawn('kcat', ['-b', broker.address, '-G', 'kcat-readers', '-o', 'beginning', '-q', '-u', '-X', 'auto.commit.interval.ms=100', 'kcat-group'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor('kcat -G to read every line', () => out.trim().split('\n').length === lines.length, 30_000);
      expect(out.trim().split('\n').sort()).toEqual([...lines].sort());
      // The group's commits reach the broker while it runs.
      const { Kafka, logLevel } = await import('kafkajs');
      const admin = new Kafka({ brokers: [broker.address], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await waitFor('kcat-readers commits', async () => {
        const offsets = await admin.fetchOffsets({ groupId: 'kcat-readers', topics: ['kcat-group'] });
        const committed = offsets[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
        return committed === lines.length;
      });
      await admin.disconnect();
    } finally {
      // kcat -G leaves its group on SIGTERM, which librdkafka can spend a long time on; a kcat left
      // running would keep jest from exiting, so it gets 5 s, then SIGKILL, and the test waits for it.
      const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
  });
});
