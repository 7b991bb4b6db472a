import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { MongoBackend } from '../../src/storage/mongo-backend.js';
import { startMongoWireServer, type MongoWireServer } from '../helpers/mongo-wire-server.js';
import { collectionContract } from './collection-contract.js';

let databases = 0;

/** A backend on a fresh database that is dropped again when the contract closes it. */
async function openFresh(uri: string): Promise<MongoBackend> {
  const database = `meridian_test_${process.pid}_${Date.now().toString(36)}_${++databases}`;
  const backend = await MongoBackend.connect({ uri, database });
  const close = backend.close.bind(backend);
  backend.close = async () => {
    try {
      await backend.dropDatabase();
    } finally {
      await close();
    }
  };
  return backend;
}

let server: MongoWireServer;
beforeAll(async () => {
  server = await startMongoWireServer();
});
afterAll(async () => {
  await server.close();
});

collectionContract('mongodb (wire-protocol test server)', () => openFresh(server.uri));

describe('mongodb (wire-protocol test server) coverage', () => {
  it('was never sent a command it does not implement', () => {
    if (server.unknownCommands.length > 0) throw new Error(`unknown commands: ${server.unknownCommands.join(', ')}`);
  });
});

const realUri = process.env['MONGODB_URI'];
if (realUri) {
  collectionContract('mongodb (real server from MONGODB_URI)', () => openFresh(realUri));
} else if (process.env['MERIDIAN_TEST_MONGO'] === 'require') {
  describe('mongodb (real server)', () => {
    it('needs MONGODB_URI', () => {
      throw new Error(
        'MERIDIAN_TEST_MONGO=require is set but MONGODB_URI is not: point MONGODB_URI at a MongoDB server ' +
          '(e.g. mongodb://localhost:27017) to run the storage contract against it, or unset MERIDIAN_TEST_MONGO.',
      );
    });
  });
} else {
  describe('mongodb (real server)', () => {
    it.skip('runs when MONGODB_URI is set', () => undefined);
  });
}
