import { readFileSync } from 'node:fs';

/** The version in package.json (two levels above dist/cli/: the package root). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
