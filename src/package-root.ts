import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Meridian's package.json, from src/ (tests, tsx) or dist/src/ (built). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'locales'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the Meridian package root (package.json next to locales/)');
    dir = parent;
  }
  return dir;
}
