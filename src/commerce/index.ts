/**
 * The commerce port's public surface: the Shop interface and its shapes, the file-backed shop (the
 * default for `npm start`), the HTTP shop for a shop's own back end (contract: HTTP-SHOP.md), and the
 * rule helpers dialogs use to explain a refusal.
 */
export type * from './types.js';
export { FileShop, DEFAULT_SHOP_FILE, resolveShopFile, type FileShopOptions } from './file-shop.js';
export { HttpShop, type HttpShopOptions } from './http-shop.js';
export { NotAllowedError } from './errors.js';
export { ShopChangesStore, type ShopChangeRecord, type ShopChangeKind } from './changes-store.js';
export { loadShopFile, parseShopData, type ShopData, type ProductRecord, type ShopFileInfo } from './schema.js';
export {
  addressChangeBlock,
  dispatchBlock,
  localizedName,
  normalizeEmail,
  normalizeOrderNumber,
  normalizePhone,
  returnEligibilityOf,
  roundMoney,
} from './rules.js';
