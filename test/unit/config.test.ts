import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { emulatorEnabled, loadConfig, redactedConfig } from '../../config/loader.js';

const dir = mkdtempSync(join(tmpdir(), 'meridian-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('config loading', () => {
  it('has defaults that start Meridian with no file and no environment', () => {
    const { config, file: used } = loadConfig({ env: {}, cwd: dir });
    expect(used).toBeUndefined();
    expect(config.server.port).toBe(3000);
    expect(config.storage.backend).toBe('embedded');
    expect(config.dataDir).toBe('./data');
    expect(config.locales.supported).toHaveLength(8);
    expect(emulatorEnabled(config)).toBe(true);
  });

  it('reads YAML and lets environment variables override it', () => {
    const path = file('ok.yaml', 'server:\n  port: 4000\nlocales:\n  default: de\nlog:\n  level: debug\n');
    const { config } = loadConfig({ file: path, env: { PORT: '5000', MERIDIAN_LOCALES: 'de, en' } });
    expect(config.server.port).toBe(5000);
    expect(config.locales).toEqual({ default: 'de', supported: ['de', 'en'] });
    expect(config.log.level).toBe('debug');
  });

  it('names the file, line and column of a YAML syntax error', () => {
    const path = file('broken.yaml', 'server:\n  port: [1, 2\n');
    expect(() => loadConfig({ file: path, env: {} })).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid YAML/JSON at line \\d+`));
  });

  it('names the file, the key and what is expected for a wrong value', () => {
    const path = file('wrong.yaml', 'server:\n  port: "abc"\nstorage:\n  backend: postgres\n');
    let message = '';
    try {
      loadConfig({ file: path, env: {} });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${path}: server.port: Invalid input: expected number`);
    expect(message).toMatch(new RegExp(`storage.backend: .*"embedded"`));
  });

  it('names the environment variable when the bad value came from there', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty' }, cwd: dir })).toThrow(/environment variable PORT: server.port/);
  });

  it('rejects unknown keys (a typo must not be silently ignored)', () => {
    const path = file('typo.yaml', 'sever:\n  port: 1\n');
    expect(() => loadConfig({ file: path, env: {} })).toThrow(/unknown setting\(s\) "sever"/);
  });

  it('refuses secrets in the file and reads them from env or *_FILE', () => {
    const path = file('secret.yaml', 'emulator:\n  token: abcdefghijklmnopqrstuvwxyz\n');
    expect(() => loadConfig({ file: path, env: {} })).toThrow(/emulator.token is a secret .* MERIDIAN_EMULATOR_TOKEN/);
    const tokenFile = file('token.txt', 'secret-token-from-a-file-123\n');
    const { config } = loadConfig({ env: { MERIDIAN_EMULATOR_TOKEN_FILE: tokenFile }, cwd: dir });
    expect(config.emulator.token).toBe('secret-token-from-a-file-123');
    expect(JSON.stringify(redactedConfig(config))).not.toContain('secret-token');
  });

  it('turns the emulator off in production unless a token is set', () => {
    expect(emulatorEnabled(loadConfig({ env: { MERIDIAN_ENV: 'production' }, cwd: dir }).config)).toBe(false);
    expect(emulatorEnabled(loadConfig({ env: { MERIDIAN_ENV: 'production', MERIDIAN_EMULATOR_TOKEN: 'x'.repeat(20) }, cwd: dir }).config)).toBe(true);
    expect(() => loadConfig({ env: { MERIDIAN_ENV: 'production', MERIDIAN_EMULATOR: 'true' }, cwd: dir })).toThrow(/no token is set/);
  });

  it('requires a URI for MongoDB and never shows its credentials', () => {
    expect(() => loadConfig({ env: { MERIDIAN_STORAGE: 'mongodb' }, cwd: dir })).toThrow(/MERIDIAN_MONGODB_URI/);
    const { config } = loadConfig({ env: { MERIDIAN_STORAGE: 'mongodb', MERIDIAN_MONGODB_URI: 'mongodb://admin:hunter2@db.internal:27017' }, cwd: dir });
    expect(JSON.stringify(redactedConfig(config))).not.toContain('hunter2');
  });

  it('says which file cannot be read', () => {
    expect(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} })).toThrow(/cannot read config file .*missing.yaml/);
  });
});

describe('example configs', () => {
  const examples = join(dirname(fileURLToPath(import.meta.url)), '../../config/examples');
  it.each(readdirSync(examples))('%s is valid (with its secrets from the environment)', (name) => {
    const { config } = loadConfig({ file: join(examples, name), env: { MERIDIAN_MONGODB_URI: 'mongodb://db.internal:27017' } });
    expect(config.locales.supported).toContain(config.locales.default);
  });
});
