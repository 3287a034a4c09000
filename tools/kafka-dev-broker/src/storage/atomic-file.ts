// Replaces small files so that a crash leaves either the old or the new content, never a mix.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** Makes a directory's entries (created, renamed, removed files) durable. */
export function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `data` to `<file>.tmp`, fsyncs it, renames it over `file`, then fsyncs the directory. */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirectory(path.dirname(file));
}
