import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { postJson, startTestServer } from '../helpers/server.js';

function customerIds(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT id FROM customers ORDER BY id').all() as { id: string }[]).map((row) => row.id);
  } finally {
    db.close();
  }
}

/** A config file with an EU and a US region, each an embedded file in a fresh folder. */
function twoRegions(defaultRegion: 'eu' | 'us', countries: string): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-residency-'));
  const config = join(dir, 'meridian.config.yaml');
  const regions = ['eu', 'us'].map((region) => `      ${region}: { backend: embedded, file: ${join(dir, `${region}.db`)} }`);
  writeFileSync(config, ['storage:', '  residency:', `    defaultRegion: ${defaultRegion}`, `    countries: ${countries}`, '    regions:', ...regions, ''].join('\n'));
  return { dir, config };
}

describe('data residency from the config file', () => {
  it('stores a German customer in the EU file and a US customer in the US file', async () => {
    const { dir, config } = twoRegions('eu', '{ DE: eu, FR: eu, US: us, CA: us }');
    const meridian = await startTestServer({ configFile: config, storage: 'embedded', dataDir: dir });
    try {
      const emulator = `${meridian.url}/api/emulator/messages`;
      expect((await postJson(emulator, { channel: 'whatsapp', from: '+4915112345678', text: 'Hallo' })).status).toBe(200);
      expect((await postJson(emulator, { channel: 'sms', from: '+12125550123', text: 'hello' })).status).toBe(200);
    } finally {
      await meridian.stop();
    }
    const eu = customerIds(join(dir, 'eu.db'));
    const us = customerIds(join(dir, 'us.db'));
    expect(eu).toHaveLength(1);
    expect(us).toHaveLength(1);
    expect(eu[0]).not.toBe(us[0]);
  });

  it('names the missing secret for a MongoDB region', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-residency-'));
    const config = join(dir, 'meridian.config.yaml');
    writeFileSync(config, 'storage:\n  residency:\n    defaultRegion: eu\n    regions:\n      eu: { backend: mongodb }\n');
    await expect(startTestServer({ configFile: config, storage: 'embedded', dataDir: dir })).rejects.toThrow(/MERIDIAN_MONGODB_URI_EU is not set/);
  });
});

describe('data residency and linked identities', () => {
  it("moves a web-chat session's data to the region of the customer it is proven to be", async () => {
    const { signWebIdentityToken } = await import('../../src/identity/web-token.js');
    const { dir, config } = twoRegions('us', '{ DE: eu, US: us }');
    const secret = 'residency-test-shop-secret-0123456789';
    const meridian = await startTestServer({ configFile: config, storage: 'embedded', dataDir: dir, env: { MERIDIAN_WEBCHAT_TOKEN_SECRET: secret } });
    const { customerIdFor } = await import('../../src/conversation/conversation-id.js');
    try {
      const emulator = `${meridian.url}/api/emulator/messages`;
      // An anonymous web chat first lands in the default region (no phone to place it by)...
      expect((await postJson(emulator, { channel: 'webchat', from: 'lena-browser', text: 'Hallo' })).status).toBe(200);
      // ...and follows Lena (C1001, Germany) to the EU once her signed login proves who she is.
      const token = await signWebIdentityToken({ secret, shopCustomerId: 'C1001' });
      expect((await postJson(emulator, { channel: 'webchat', from: 'lena-browser', text: 'Gibt es Neuigkeiten?', identityToken: token })).status).toBe(200);
    } finally {
      await meridian.stop();
    }
    const session = customerIdFor('webchat:lena-browser');
    expect(customerIds(join(dir, 'eu.db'))).toContain(session);
    expect(customerIds(join(dir, 'us.db'))).not.toContain(session);
    const db = new Database(join(dir, 'us.db'), { readonly: true });
    try {
      expect((db.prepare('SELECT count(*) AS n FROM inbox').get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
  });
});
