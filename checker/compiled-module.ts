/**
 * Where the compiled JavaScript of a project module is, for worker threads: they run built code
 * from dist/ (see design.md), whether the caller runs from dist/ or from the TypeScript sources.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/**
 * The sibling file when running from dist/, else the build of it. `fromUrl` is the caller's
 * import.meta.url; `fromDir` its folder relative to the project root.
 */
export function compiledModule(fromUrl: string, fromDir: string, file: string): string {
  const here = dirname(fileURLToPath(fromUrl));
  const sibling = join(here, file);
  if (existsSync(sibling)) return sibling;
  const depth = fromDir.split('/').filter(Boolean).length;
  const built = join(here, ...Array<string>(depth).fill('..'), 'dist', fromDir, file);
  if (existsSync(built)) return built;
  throw new Error(`worker threads need the compiled ${built}: run "npm run build" first`);
}
