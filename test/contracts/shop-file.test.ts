import { ManualClock } from '../../src/core/runtime.js';
import { FileShop } from '../../src/commerce/file-shop.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { DEMO_NOW, shopContract } from './shop-contract.js';

shopContract('FileShop on commerce/demo-shop.json', async () => {
  const clock = new ManualClock(DEMO_NOW);
  const backend = new MemoryBackend();
  return { shop: new FileShop({ file: 'commerce/demo-shop.json', backend, clock }), clock, close: () => backend.close() };
});
