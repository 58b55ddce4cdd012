/**
 * Mounting tracefs for a litmus trace session (litmus/tracepoint.ts) when another process does
 * the same at once: mount(8) fails for the second one ("already mounted"), which must then use
 * the mount the first made. The file system and mount(8) are mocked: the real tracefs is shared
 * with the other test files.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const fsState = vi.hoisted(() => ({ mounted: false, mountCalls: 0, mountedMeanwhile: false, mountFails: false, umountCalls: 0 }));

vi.mock('node:child_process', () => ({
  execFileSync: (cmd: string) => {
    if (cmd === 'umount') {
      fsState.umountCalls++;
      fsState.mounted = false;
      return Buffer.alloc(0);
    }
    fsState.mountCalls++;
    if (fsState.mountFails) throw new Error('mount: /sys/kernel/tracing: permission denied.');
    // The other process's mount lands first: ours fails as mount(8) does, exit status 32.
    if (fsState.mountedMeanwhile) {
      fsState.mounted = true;
      throw new Error('mount: /sys/kernel/tracing: nodev already mounted on /sys/kernel/tracing.');
    }
    fsState.mounted = true;
    return Buffer.alloc(0);
  },
}));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    existsSync: (p: string) => fsState.mounted && p.startsWith('/sys/kernel/tracing'),
    mkdirSync: () => undefined,
    rmdirSync: () => undefined,
    writeFileSync: () => undefined,
    readFileSync: () => '',
    readdirSync: () => [],
  };
});

const { startFixupTrace } = await import('../../litmus/tracepoint.js');

describe('mounting tracefs for a trace session', () => {
  beforeEach(() => {
    Object.assign(fsState, { mounted: false, mountCalls: 0, mountedMeanwhile: false, mountFails: false, umountCalls: 0 });
    vi.spyOn(process, 'getuid').mockReturnValue(0); // tracefs is written as root
  });

  it('mounts it when it is not mounted, and leaves it mounted after the session', () => {
    const r = startFixupTrace();
    expect(r.ok).toBe(true);
    expect(fsState.mountCalls).toBe(1);
    if (r.ok) expect(r.session.stop()).toMatchObject({ events: [], lost: 0 });
    expect([fsState.mounted, fsState.umountCalls]).toEqual([true, 0]);
  });

  it('uses the mount another process made between the check and its own mount', () => {
    fsState.mountedMeanwhile = true;
    const r = startFixupTrace();
    expect(r).toMatchObject({ ok: true });
    expect(fsState.mountCalls).toBe(1);
  });

  it('says why when the mount fails and tracefs is still not there', () => {
    fsState.mountFails = true;
    expect(startFixupTrace()).toEqual({ ok: false, reason: 'tracefs is not mounted at /sys/kernel/tracing and mounting it failed' });
  });

  it('does not mount what is already mounted', () => {
    fsState.mounted = true;
    expect(startFixupTrace()).toMatchObject({ ok: true });
    expect(fsState.mountCalls).toBe(0);
  });
});
