/**
 * Writing a file atomically: a temporary file in the same directory, flushed to disk, then
 * renamed over the target, so that a reader, a concurrent run or a kill during the write never
 * sees half a file (the previous version stays whole until the rename).
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes `data` (text, bytes, or byte chunks in order) to `path` atomically. */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  // Unique per process and call: two runs (or two writes of one run) never share a temporary.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const chunks = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
  try {
    const fd = openSync(temporary, 'w');
    try {
      for (const c of chunks) for (let at = 0; at < c.length; ) at += writeSync(fd, c, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (e) {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created: nothing to clean up.
    }
    throw e;
  }
}
