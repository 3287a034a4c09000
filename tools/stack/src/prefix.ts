// Log lines of the children, prefixed by the component's name (padded; coloured on a terminal).

const COLOURS = [36, 33, 35, 32, 34, 96, 93, 95, 92];

export interface Prefixer {
  /** Takes a chunk of output, returns the complete lines in it, prefixed (a partial line waits). */
  push(chunk: string): string[];
  /** The partial line left at the end, prefixed, if any. */
  flush(): string[];
}

export function prefixFor(name: string, width: number, colourIndex: number | undefined): string {
  const padded = `${name.padEnd(width)} |`;
  return colourIndex === undefined ? padded : `\x1b[${COLOURS[colourIndex % COLOURS.length]}m${padded}\x1b[0m`;
}

export function createPrefixer(prefix: string): Prefixer {
  let partial = '';
  return {
    push(chunk) {
      const text = partial + chunk;
      const parts = text.split(/\r?\n/);
      partial = parts.pop() ?? '';
      return parts.map((line) => `${prefix} ${line}`);
    },
    flush() {
      if (partial === '') return [];
      const line = `${prefix} ${partial}`;
      partial = '';
      return [line];
    },
  };
}

/** Keeps the last `size` lines, for the report when a component dies. */
export class LastLines {
  private readonly lines: string[] = [];
  constructor(private readonly size = 30) {}
  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }
  get(): string[] {
    return [...this.lines];
  }
}
