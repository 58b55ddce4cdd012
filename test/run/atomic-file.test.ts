import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../run/atomic-file.js';

describe('writeFileAtomic', () => {
  it('writes text, bytes and chunks in order, replacing an existing file and leaving no temporary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rseq-atomic-'));
    const file = join(dir, 'out.bin');
    writeFileSync(file, 'old contents, longer than the new ones');
    writeFileAtomic(file, 'ab');
    expect(readFileSync(file, 'utf8')).toBe('ab');
    writeFileAtomic(file, Uint8Array.of(1, 2, 3));
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
    writeFileAtomic(file, [Uint8Array.of(4), Uint8Array.of(), Uint8Array.of(5, 6)]);
    expect([...readFileSync(file)]).toEqual([4, 5, 6]);
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('throws when the directory is missing and cleans up its temporary when the rename fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rseq-atomic-'));
    expect(() => writeFileAtomic(join(dir, 'missing', 'out.txt'), 'x')).toThrow(/ENOENT/);
    // Renaming a file over a directory fails: the directory and no temporary remain.
    mkdirSync(join(dir, 'a-directory'));
    expect(() => writeFileAtomic(join(dir, 'a-directory'), 'x')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(readdirSync(dir)).toEqual(['a-directory']);
  });
});
