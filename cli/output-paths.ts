/**
 * Output paths checked before any search starts: a run must never end in a write error. The
 * files themselves are written atomically (run/atomic-file.ts).
 */
import { accessSync, constants, mkdirSync, realpathSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { badOption } from './options.js';

/** Kernel pseudo file systems (statfs magic numbers): writing a report there makes no sense. */
const specialFileSystems = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x6165676c, 'pstore'],
]);

/** The nearest existing ancestor of `path` (itself if it exists), resolved. */
function nearestExisting(path: string): string {
  let p = resolve(path);
  for (;;) {
    try {
      statSync(p);
      return realpathSync(p);
    } catch {
      const up = dirname(p);
      if (up === p) return p;
      p = up;
    }
  }
}

/** Throws unless `dir` (existing) is a directory on an ordinary file system that this process may write. */
function checkWritableDirectory(option: string, shown: string, dir: string): void {
  if (!statSync(dir).isDirectory()) throw badOption(option, `${shown}: "${dir}" is an existing file where a directory is needed`);
  const special = specialFileSystems.get(statfsSync(dir).type);
  if (special !== undefined || dir === '/dev' || dir.startsWith('/dev/')) throw badOption(option, `${shown}: "${dir}" is on the ${special ?? 'devtmpfs'} pseudo file system; write reports to an ordinary directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw badOption(option, `${shown}: the directory "${dir}" is not writable`);
  }
}

/** `--report DIR`, `--out DIR`: a writable directory, existing or to be created. */
export function checkOutputDirectory(option: string, dir: string): void {
  if (dir.trim() === '') throw badOption(option, `${option} needs a directory name`);
  // The directory itself if it exists, else the ancestor it would be created in.
  const existing = nearestExisting(dir);
  checkWritableDirectory(option, `${option} ${dir}`, existing);
}

/**
 * `--graph FILE`, `-o FILE`: a file that may be (over)written, in an existing writable directory
 * (or, with `createParents`, one to be created under a writable directory).
 */
export function checkOutputFile(option: string, file: string, createParents = false): void {
  if (file.trim() === '') throw badOption(option, `${option} needs a file name`);
  const path = resolve(file);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // Not there yet: its directory decides.
  }
  if (isDirectory || file.endsWith('/')) throw badOption(option, `${option} ${file}: is a directory, a file name is needed`);
  let parent: string;
  try {
    parent = createParents ? nearestExisting(dirname(path)) : realpathSync(dirname(path));
  } catch {
    throw badOption(option, `${option} ${file}: the directory "${dirname(file)}" does not exist`);
  }
  checkWritableDirectory(option, `${option} ${file}`, parent);
}

/** Creates `dir` (and its parents) for a report. */
export function makeDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
