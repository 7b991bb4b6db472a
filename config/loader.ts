import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { MeridianError } from '../src/core/errors.js';
import { configSchema, SECRET_PATHS, type MeridianConfig } from './schema.js';

export const DEFAULT_CONFIG_FILES = ['meridian.config.yaml', 'meridian.config.yml', 'meridian.config.json'];

type Env = Readonly<Record<string, string | undefined>>;

interface EnvBinding {
  name: string;
  path: string[];
  kind: 'string' | 'number' | 'boolean' | 'list';
  secret?: boolean;
}

/** Environment variables that override the file; `<NAME>_FILE` reads a secret from a file instead. */
export const ENV_BINDINGS: readonly EnvBinding[] = [
  { name: 'MERIDIAN_ENV', path: ['environment'], kind: 'string' },
  { name: 'PORT', path: ['server', 'port'], kind: 'number' },
  { name: 'HOST', path: ['server', 'host'], kind: 'string' },
  { name: 'MERIDIAN_PUBLIC_URL', path: ['server', 'publicUrl'], kind: 'string' },
  { name: 'MERIDIAN_DATA_DIR', path: ['dataDir'], kind: 'string' },
  { name: 'MERIDIAN_STORAGE', path: ['storage', 'backend'], kind: 'string' },
  { name: 'MERIDIAN_MONGODB_URI', path: ['storage', 'mongodb', 'uri'], kind: 'string', secret: true },
  { name: 'MERIDIAN_MONGODB_DATABASE', path: ['storage', 'mongodb', 'database'], kind: 'string' },
  { name: 'MERIDIAN_LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { name: 'MERIDIAN_DEFAULT_LOCALE', path: ['locales', 'default'], kind: 'string' },
  { name: 'MERIDIAN_LOCALES', path: ['locales', 'supported'], kind: 'list' },
  { name: 'MERIDIAN_EMULATOR', path: ['emulator', 'enabled'], kind: 'boolean' },
  { name: 'MERIDIAN_EMULATOR_TOKEN', path: ['emulator', 'token'], kind: 'string', secret: true },
  { name: 'MERIDIAN_ADMIN_TOKEN', path: ['admin', 'token'], kind: 'string', secret: true },
  { name: 'MERIDIAN_SHOP_FILE', path: ['shop', 'file'], kind: 'string' },
  { name: 'MERIDIAN_SHOP_URL', path: ['shop', 'url'], kind: 'string' },
  { name: 'MERIDIAN_SHOP_TOKEN', path: ['shop', 'token'], kind: 'string', secret: true },
  { name: 'MERIDIAN_WEBCHAT_TOKEN_SECRET', path: ['identity', 'webchatToken', 'secret'], kind: 'string', secret: true },
  { name: 'MERIDIAN_TRANSLATION_PROVIDER', path: ['translation', 'provider'], kind: 'string' },
  { name: 'MERIDIAN_DEEPL_API_KEY', path: ['translation', 'deepl', 'apiKey'], kind: 'string', secret: true },
  { name: 'MERIDIAN_LIBRETRANSLATE_URL', path: ['translation', 'libretranslate', 'baseUrl'], kind: 'string' },
  { name: 'MERIDIAN_LIBRETRANSLATE_API_KEY', path: ['translation', 'libretranslate', 'apiKey'], kind: 'string', secret: true },
  { name: 'MERIDIAN_LLM_URL', path: ['translation', 'openaiCompatible', 'baseUrl'], kind: 'string' },
  { name: 'MERIDIAN_LLM_MODEL', path: ['translation', 'openaiCompatible', 'model'], kind: 'string' },
  { name: 'MERIDIAN_LLM_API_KEY', path: ['translation', 'openaiCompatible', 'apiKey'], kind: 'string', secret: true },
];

export interface LoadConfigOptions {
  /** A config file; defaults to $MERIDIAN_CONFIG, else the first DEFAULT_CONFIG_FILES found in cwd. */
  file?: string;
  env?: Env;
  cwd?: string;
}

export interface LoadedConfig {
  config: MeridianConfig;
  /** The file read, if any. */
  file: string | undefined;
}

/**
 * Loads the file (YAML or JSON), applies environment variables, validates against the schema. Any
 * problem stops start-up with an error naming the file or variable, the key, and what is expected.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? env['MERIDIAN_CONFIG'] ?? DEFAULT_CONFIG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path));
  const raw = file === undefined ? {} : readConfigFile(resolve(cwd, file));
  for (const secret of SECRET_PATHS) {
    if (getPath(raw, secret.split('.')) !== undefined) {
      const binding = ENV_BINDINGS.find((b) => b.path.join('.') === secret);
      throw new MeridianError(
        'config_invalid',
        `${file}: ${secret} is a secret and is not read from the config file; set ${binding?.name} or ${binding?.name}_FILE instead`,
      );
    }
  }
  const sources = new Map<string, string>();
  for (const binding of ENV_BINDINGS) {
    const value = readEnv(env, binding, cwd);
    if (value === undefined) continue;
    setPath(raw, binding.path, convert(value, binding));
    sources.set(binding.path.join('.'), `environment variable ${binding.name}${env[`${binding.name}_FILE`] ? '_FILE' : ''}`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new MeridianError('config_invalid', describeIssues(result.error.issues, file, sources));
  const config = result.data;
  if (config.environment === 'production' && config.emulator.enabled === true && config.emulator.token === undefined) {
    throw new MeridianError('config_invalid', 'emulator.enabled is true in production but no token is set: set MERIDIAN_EMULATOR_TOKEN, or turn the emulator off');
  }
  return { config, file };
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new MeridianError('config_unreadable', `cannot read config file ${path}: ${(cause as Error).message}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (cause) {
    const where = cause instanceof YAMLParseError && cause.linePos ? ` at line ${cause.linePos[0].line}, column ${cause.linePos[0].col}` : '';
    throw new MeridianError('config_invalid', `${path} is not valid YAML/JSON${where}: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new MeridianError('config_invalid', `${path} must hold a mapping of settings at the top level`);
  return parsed as Record<string, unknown>;
}

function readEnv(env: Env, binding: EnvBinding, cwd: string): string | undefined {
  const fromFile = env[`${binding.name}_FILE`];
  if (fromFile) {
    try {
      return readFileSync(resolve(cwd, fromFile), 'utf8').trim();
    } catch (cause) {
      throw new MeridianError('config_unreadable', `${binding.name}_FILE names ${fromFile}, which cannot be read: ${(cause as Error).message}`, { cause });
    }
  }
  const value = env[binding.name];
  return value === undefined || value === '' ? undefined : value;
}

function convert(value: string, binding: EnvBinding): unknown {
  switch (binding.kind) {
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      return value;
    case 'list':
      return value.split(',').map((item) => item.trim()).filter(Boolean);
    case 'string':
      return value;
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[], file: string | undefined, sources: ReadonlyMap<string, string>): string {
  const lines = issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    const source = [...sources.entries()].find(([path]) => key === path || key.startsWith(`${path}.`))?.[1] ?? file ?? 'defaults';
    const secret = ENV_BINDINGS.some((b) => b.secret && b.path.join('.') === key);
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown setting(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (secret) message = message.replace(/received .*/i, 'received a value that is not valid');
    return `  ${source}: ${key}: ${message}`;
  });
  return `invalid configuration:\n${lines.join('\n')}`;
}

function getPath(target: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = target;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = target;
  for (const key of path.slice(0, -1)) {
    const next = current[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) current[key] = {};
    current = current[key] as Record<string, unknown>;
  }
  current[path[path.length - 1] as string] = value;
}

/** The config as it may be logged: secrets masked, credentials cut out of URIs. */
export function redactedConfig(config: MeridianConfig): Record<string, unknown> {
  const masked = (value: string | undefined) => (value ? '[set]' : undefined);
  const { translation } = config;
  return {
    ...config,
    shop: { ...config.shop, token: masked(config.shop.token) },
    identity: { webchatToken: { ...config.identity.webchatToken, secret: masked(config.identity.webchatToken.secret) } },
    admin: { token: masked(config.admin.token) },
    translation: {
      ...translation,
      deepl: { ...translation.deepl, apiKey: masked(translation.deepl.apiKey) },
      libretranslate: { ...translation.libretranslate, apiKey: masked(translation.libretranslate.apiKey) },
      openaiCompatible: { ...translation.openaiCompatible, apiKey: masked(translation.openaiCompatible.apiKey) },
    },
    emulator: { ...config.emulator, token: config.emulator.token ? '[set]' : undefined },
    storage: { ...config.storage, mongodb: { ...config.storage.mongodb, uri: config.storage.mongodb.uri?.replace(/\/\/[^@/]*@/, '//[credentials]@') } },
  };
}

/** Whether the emulator API is on: explicit setting, else on in development and test only. */
export function emulatorEnabled(config: MeridianConfig): boolean {
  if (config.emulator.enabled !== undefined) return config.emulator.enabled;
  return config.environment !== 'production' || config.emulator.token !== undefined;
}
