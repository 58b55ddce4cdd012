import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateModel } from '../../models/ir/validate.js';
import { runCliSync } from './cli-runner.js';


const writing = (field: string, src: number, cpus = 2) =>
  validateModel({ name: 'w', cpus, programs: { main: [{ op: 'write_id', field, src }, { op: 'done' }] }, threads: [{ program: 'main' }] }, 'w.json');

describe('write_id of a value the ID field cannot hold is bad input, not a silent truncation', () => {
  it('2 CPUs: cpu_id_start holds -2..1 (2 bits, bias 2); 2 is rejected with its location', () => {
    expect(writing('cpu_id_start', 1).ok).toBe(true);
    expect(writing('cpu_id_start', -2).ok).toBe(true);
    const r = writing('cpu_id_start', 2);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([
      expect.objectContaining({ code: 'bad-id-value', file: 'w.json', path: ['programs', 'main', 0, 'src'], message: 'writes 2 to rseq.cpu_id_start, which holds -2..1 in this model (2 CPUs, 1 threads)' }),
    ]);
  });
  it('4 CPUs: cpu_id holds -2..5 (3 bits); mm_cid with 1 thread holds 0..1; node_id only 0', () => {
    expect(writing('cpu_id', 5, 4).ok).toBe(true);
    expect(writing('cpu_id', 6, 4).ok).toBe(false);
    expect(writing('mm_cid', 1).ok).toBe(true);
    expect(writing('mm_cid', 2).ok).toBe(false);
    expect(writing('mm_cid', -1).ok).toBe(false);
    expect(writing('node_id', 0).ok).toBe(true);
    expect(writing('node_id', 1).ok).toBe(false);
  });
  it('the CLI exits 2 with one located message and no stack trace', () => {
    const r = runCliSync(['check', join('test', 'cli', 'bad-models', 'write-id-out-of-range.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/write-id-out-of-range.json:\d+:\d+: bad-id-value: programs\.worker\[0\]\.src: writes 5 to rseq\.cpu_id_start, which holds -2\.\.1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
