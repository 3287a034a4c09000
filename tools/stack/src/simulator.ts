import { existsSync, readFileSync } from 'node:fs';

/**
 * True when the simulator CLI has been built: its dist/main.js exists and is not the placeholder
 * that only says traffic generation is not built yet.
 */
export function simulatorBuilt(file: string): boolean {
  return existsSync(file) && !readFileSync(file, 'utf8').includes('not built yet');
}
