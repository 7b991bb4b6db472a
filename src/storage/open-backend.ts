import { join, resolve } from 'node:path';
import type { MeridianConfig } from '../../config/schema.js';
import { MeridianError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { StorageBackend } from './collection.js';
import { EmbeddedBackend } from './embedded-backend.js';
import { MemoryBackend } from './memory-backend.js';
import { encryptedBackend } from '../privacy/encrypted-backend.js';
import { openKeyring } from '../privacy/open-keyring.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Opens the backend the config names; MongoDB's driver is only loaded when it is used. With
 * `storage.residency`, one backend per region behind the residency router.
 */
export async function openBackend(config: MeridianConfig, options: { env?: Env; logger?: Logger } = {}): Promise<StorageBackend> {
  const residency = config.storage.residency;
  if (residency) return openResidency(config, residency, options);
  switch (config.storage.backend) {
    case 'memory':
      // Nothing is at rest in memory: no encryption to pay for.
      return new MemoryBackend();
    case 'embedded':
      return encrypted(
        config,
        new EmbeddedBackend({ file: resolve(config.storage.embedded.file ?? join(config.dataDir, 'meridian.db')), durability: config.storage.embedded.durability }),
        options,
      );
    case 'mongodb': {
      const { MongoBackend } = await import('./mongo-backend.js');
      return encrypted(config, await MongoBackend.connect({ uri: config.storage.mongodb.uri as string, database: config.storage.mongodb.database }), options);
    }
  }
}

/**
 * Personal fields (src/privacy/personal-fields.ts) encrypted at rest with AES-256-GCM, unless
 * privacy.encryption.enabled is false. The key comes from MERIDIAN_ENCRYPTION_KEYS(_FILE); development
 * without one generates a key file in the data directory, production refuses to start.
 */
function encrypted(config: MeridianConfig, backend: StorageBackend, options: { env?: Env; logger?: Logger }): StorageBackend {
  if (!config.privacy.encryption.enabled) return backend;
  const storage = backend.kind === 'mongodb' ? 'mongodb' : 'embedded';
  try {
    const { keyring } = openKeyring({ env: options.env ?? process.env, environment: config.environment, dataDir: config.dataDir, storage, ...(options.logger ? { logger: options.logger } : {}) });
    return encryptedBackend(backend, { keyring });
  } catch (error) {
    void backend.close();
    throw error;
  }
}

/**
 * The backends that hold data, each as the server opens it (encrypted unless turned off): the one
 * backend, or every region's. For maintenance that works per physical store, such as key rotation.
 */
export async function openDataBackends(config: MeridianConfig, options: { env?: Env; logger?: Logger } = {}): Promise<{ name: string; backend: StorageBackend }[]> {
  const residency = config.storage.residency;
  if (!residency) return [{ name: config.storage.backend, backend: await openBackend(config, options) }];
  return Object.entries(await openRegions(config, residency, options)).map(([name, backend]) => ({ name: `region ${name}`, backend }));
}

async function openResidency(
  config: MeridianConfig,
  residency: NonNullable<MeridianConfig['storage']['residency']>,
  options: { env?: Env; logger?: Logger },
): Promise<StorageBackend> {
  const regions = await openRegions(config, residency, options);
  const { createResidencyBackend } = await import('../privacy/residency.js');
  return createResidencyBackend({
    regions,
    defaultRegion: residency.defaultRegion,
    countryToRegion: residency.countries,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

async function openRegions(
  config: MeridianConfig,
  residency: NonNullable<MeridianConfig['storage']['residency']>,
  options: { env?: Env; logger?: Logger },
): Promise<Record<string, StorageBackend>> {
  const env = options.env ?? process.env;
  const regions: Record<string, StorageBackend> = {};
  for (const [name, region] of Object.entries(residency.regions)) {
    // Each region is encrypted under the router: the router reads addresses to choose the region.
    if (region.backend === 'memory') regions[name] = new MemoryBackend();
    else if (region.backend === 'embedded') {
      regions[name] = encrypted(config, new EmbeddedBackend({ file: resolve(region.file ?? join(config.dataDir, `${name}.db`)), durability: config.storage.embedded.durability }), options);
    } else {
      // Each region's URI is a secret of its own: MERIDIAN_MONGODB_URI_EU, MERIDIAN_MONGODB_URI_US...
      const variable = `MERIDIAN_MONGODB_URI_${name.toUpperCase()}`;
      const uri = env[variable];
      if (!uri) throw new MeridianError('config_invalid', `storage.residency.regions.${name} uses mongodb but ${variable} is not set`);
      const { MongoBackend } = await import('./mongo-backend.js');
      regions[name] = encrypted(config, await MongoBackend.connect({ uri, database: region.database }), options);
    }
  }
  return regions;
}
