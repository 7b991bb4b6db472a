import { createServer } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { MeridianError } from '../../src/core/errors.js';
import { MongoBackend } from '../../src/storage/mongo-backend.js';

/** A port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

describe('MongoBackend connection errors', () => {
  it('reports an unreachable server quickly as storage_unavailable, naming the host but not the password', async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await MongoBackend.connect({
      uri: `mongodb://user:s3cret@127.0.0.1:${port}/`,
      client: { serverSelectionTimeoutMS: 300 },
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(MeridianError);
    const meridian = error as MeridianError;
    expect(meridian.code).toBe('storage_unavailable');
    expect(meridian.message).toContain(`127.0.0.1:${port}`);
    expect(meridian.message).not.toContain('s3cret');
    expect(JSON.stringify(meridian.details)).not.toContain('s3cret');
    const cause = meridian.cause instanceof Error ? meridian.cause.message : String(meridian.cause);
    expect(cause).not.toContain('s3cret');
  });

  it('keeps a serverSelectionTimeoutMS given in the URI instead of overriding it with the default', async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await MongoBackend.connect({ uri: `mongodb://127.0.0.1:${port}/?serverSelectionTimeoutMS=200` }).catch((e: unknown) => e);
    expect((error as MeridianError).code).toBe('storage_unavailable');
    expect(Date.now() - started).toBeLessThan(3000); // the default is 5000
  });

  it('reports a malformed connection string as config_invalid without echoing the password', async () => {
    const error = await MongoBackend.connect({ uri: 'mongodb://user:s3cret@127.0.0.1:27017/?serverSelectionTimeoutMS=abc' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MeridianError);
    expect((error as MeridianError).code).toBe('config_invalid');
    expect((error as MeridianError).message).not.toContain('s3cret');
  });
});
