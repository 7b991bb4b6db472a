import { join, resolve } from 'node:path';
import type { MeridianConfig } from '../../config/schema.js';
import type { StorageBackend } from './collection.js';
import { EmbeddedBackend } from './embedded-backend.js';
import { MemoryBackend } from './memory-backend.js';

/** Opens the backend the config names; MongoDB's driver is only loaded when it is used. */
export async function openBackend(config: MeridianConfig): Promise<StorageBackend> {
  switch (config.storage.backend) {
    case 'memory':
      return new MemoryBackend();
    case 'embedded':
      return new EmbeddedBackend({
        file: resolve(config.storage.embedded.file ?? join(config.dataDir, 'meridian.db')),
        durability: config.storage.embedded.durability,
      });
    case 'mongodb': {
      const { MongoBackend } = await import('./mongo-backend.js');
      return MongoBackend.connect({ uri: config.storage.mongodb.uri as string, database: config.storage.mongodb.database });
    }
  }
}
