import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedBackend } from '../../src/storage/embedded-backend.js';
import { collectionContract } from './collection-contract.js';

collectionContract('embedded (SQLite)', async () => new EmbeddedBackend({ file: join(mkdtempSync(join(tmpdir(), 'meridian-')), 'meridian.db') }));

import { describe, it, expect } from '@jest/globals';
import { createStores } from '../../src/storage/stores.js';

describe('embedded store durability', () => {
  it('writes are visible to another connection once flushed, and before only on this one', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meridian-')), 'meridian.db');
    const writer = new EmbeddedBackend({ file });
    const events = createStores(writer).events;
    await events.append({ id: 'e1', type: 't', at: 1, conversationId: null, customerId: null, data: {} });
    expect(await events.collection.get('e1')).toBeDefined();
    const reader = new EmbeddedBackend({ file });
    expect(await createStores(reader).events.collection.get('e1')).toBeUndefined();
    await writer.flush();
    expect(await createStores(reader).events.collection.get('e1')).toBeDefined();
    await reader.close();
    await writer.close();
  });
});
