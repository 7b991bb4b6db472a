import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_KEY_FILE } from '../../src/privacy/open-keyring.js';
import { postJson, startTestServer } from '../helpers/server.js';

describe('encryption at rest on the embedded store', () => {
  it('refuses to start in production without a key, naming the variables and the command that makes one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-nokey-'));
    try {
      await expect(startTestServer({ storage: 'embedded', dataDir, env: { MERIDIAN_ENV: 'production' } })).rejects.toThrow(
        /MERIDIAN_ENCRYPTION_KEYS.*MERIDIAN_ENCRYPTION_KEYS_FILE[\s\S]*meridian privacy new-key/,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('in development makes a key file once (owner-only), keeps using it across restarts, and writes no personal field in clear', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meridian-devkey-'));
    try {
      const first = await startTestServer({ storage: 'embedded', dataDir });
      await postJson(`${first.url}/api/emulator/messages`, { channel: 'whatsapp', from: '+4915123456789', text: 'Meine Adresse ist Gartenstraße 12' });
      await first.stop();
      const keyFile = join(dataDir, GENERATED_KEY_FILE);
      const key = readFileSync(keyFile, 'utf8');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const bytes = readFileSync(join(dataDir, 'meridian.db')).toString('latin1');
      expect(bytes).not.toContain('4915123456789');
      expect(bytes).not.toContain('Gartenstra');

      const second = await startTestServer({ storage: 'embedded', dataDir });
      try {
        expect(readFileSync(keyFile, 'utf8')).toBe(key);
        const history = await second.bot.history(second.bot.conversationIdFor({ channel: 'whatsapp', conversationKey: 'whatsapp:+4915123456789' }));
        expect(history[0]?.text).toBe('Meine Adresse ist Gartenstraße 12');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
