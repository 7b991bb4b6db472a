import { ManualClock } from '../../src/core/runtime.js';
import { FileShop } from '../../src/commerce/file-shop.js';
import { HttpShop } from '../../src/commerce/http-shop.js';
import { MemoryBackend } from '../../src/storage/memory-backend.js';
import { startShopServer } from '../helpers/shop-server.js';
import { DEMO_NOW, shopContract } from './shop-contract.js';

// The same suite through the REST contract: HttpShop -> node:http on 127.0.0.1 -> FileShop on the demo file.
shopContract('HttpShop against the contract test server', async () => {
  const clock = new ManualClock(DEMO_NOW);
  const backend = new MemoryBackend();
  const server = await startShopServer({ shop: new FileShop({ file: 'commerce/demo-shop.json', backend, clock }), token: 'contract-token' });
  const shop = new HttpShop({ baseUrl: server.url, token: 'contract-token', clock, timeoutMs: 5000, retryDelayMs: 0 });
  return {
    shop,
    clock,
    close: async () => {
      await server.close();
      await backend.close();
    },
  };
});
