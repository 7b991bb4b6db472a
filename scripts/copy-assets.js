// Copies the files tsc does not emit (the web chat's browser code) next to the compiled modules.
import { cpSync, existsSync, chmodSync } from 'node:fs';

const assets = [['adapters/webchat/public', 'dist/adapters/webchat/public']];
for (const [from, to] of assets) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
if (existsSync('dist/src/cli.js')) chmodSync('dist/src/cli.js', 0o755);
