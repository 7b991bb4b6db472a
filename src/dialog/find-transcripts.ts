import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every *.transcript.yaml below a folder, sorted, so runs are repeatable. */
export function findTranscripts(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findTranscripts(path));
    else if (entry.name.endsWith('.transcript.yaml')) found.push(path);
  }
  return found.sort();
}
