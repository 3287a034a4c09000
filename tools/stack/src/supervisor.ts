// Child processes of the stack: spawned in their own process group (so the terminal's Ctrl-C
// reaches only the launcher, which stops them in reverse order), their output prefixed by name.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createPrefixer, LastLines, prefixFor } from './prefix';

export interface Output {
  /** Writes a child's log line (unless quiet). */
  log(line: string): void;
  quiet: boolean;
  colour: boolean;
  width: number;
}

export class ManagedProcess {
  readonly lastLines = new LastLines(40);
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stopping = false;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: { env: NodeJS.ProcessEnv; cwd: string; stdinPipe?: boolean; colourIndex: number; output: Output },
  ) {
    const stdio: StdioOptions = [options.stdinPipe ? 'pipe' : 'ignore', 'pipe', 'pipe'];
    this.child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio, detached: true });
    const out = options.output;
    const prefix = prefixFor(name, out.width, out.colour ? options.colourIndex : undefined);
    const attach = (stream: NodeJS.ReadableStream | null) => {
      if (!stream) return;
      const p = createPrefixer(prefix);
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => this.emit(p.push(chunk), out));
      stream.on('end', () => this.emit(p.flush(), out));
    };
    attach(this.child.stdout);
    attach(this.child.stderr);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
      this.child.once('error', (err) => {
        this.lastLines.add(`${prefix} ${err.message}`);
        resolve({ code: 127, signal: null });
      });
    });
  }

  private emit(lines: string[], out: Output): void {
    for (const line of lines) {
      this.lastLines.add(line);
      if (!out.quiet) out.log(line);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Reads the child's stdout for a line (the embedded PostgreSQL child says `ready`). */
  onStdout(listener: (chunk: string) => void): void {
    this.child.stdout?.on('data', (d: Buffer | string) => listener(String(d)));
  }

  /** SIGTERM, wait up to timeoutMs for the exit, then SIGKILL. True when it stopped by itself. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.stopping = true;
    if (!this.running) return true;
    this.child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    if ((await Promise.race([this.exited, timer])) !== 'timeout') return true;
    this.child.kill('SIGKILL');
    await this.exited;
    return false;
  }

  kill(): void {
    this.stopping = true;
    if (this.running) this.child.kill('SIGKILL');
  }
}
