import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedBackend } from '../../src/storage/embedded-backend.js';
import { collectionContract } from './collection-contract.js';

collectionContract('embedded (SQLite)', async () => new EmbeddedBackend({ file: join(mkdtempSync(join(tmpdir(), 'meridian-')), 'meridian.db') }));
