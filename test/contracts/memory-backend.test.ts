import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { collectionContract } from './collection-contract.js';

collectionContract('memory', async () => new MemoryBackend());
