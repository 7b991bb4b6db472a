import type { CollectionSpec, StoredDocument } from '../storage/collection.js';
import { SEALED_FIELD, type EncryptedBackend } from './encrypted-backend.js';
import { rotateCollection, type RotationResult } from './encryption.js';

export interface RotateKeysOptions {
  /** Collections to rotate (default: every collection of the backend's field map). */
  collections?: string[];
  /** Count what would change, write nothing. */
  dryRun?: boolean;
  /** Documents written concurrently per batch (default 100). */
  batchSize?: number;
  onProgress?: (progress: { collection: string; scanned: number; rotated: number }) => void;
}

export interface RotateKeysResult {
  collection: string;
  /** Documents read. */
  scanned: number;
  /** Documents rewritten under the active key (0 in a dry run). */
  rotated: number;
  /** Documents still holding plain text or another key's values once done: 0 means the old keys can go. */
  remaining: number;
  /** Documents that could not be rotated (ids and reasons, never values). */
  failures: RotationResult['failures'];
}

/**
 * Re-encrypts under the active key every value encrypted with another key, and encrypts values still in
 * plain text, in every collection with encrypted fields. It works on the RAW collections (it must read
 * the stored values) through rotateCollection, whose writes are conditional on the version it read: a
 * turn that saves the document in between makes the write fail with a version conflict, and the
 * document is read and rotated again, so the turn's change is kept.
 *
 * Which spec the raw collection is opened with: the one the stores opened it with in this process if
 * they did (backends cache collections by name, so that is what we get anyway), else the collection
 * name with no indexes. No index list is kept here on purpose. Rotation only filters on nothing
 * (find({})) and rewrites encrypted fields, which are never index fields, so it needs no index. And an
 * index-less open is the one that cannot change the schema: the embedded backend opens a table with
 * CREATE TABLE IF NOT EXISTS, adds a column and CREATE [UNIQUE] INDEX for every listed field it lacks and
 * never drops any, and an update only assigns the index columns of the spec it was opened with, so with
 * none it leaves every existing index column as it is; MongoDB creates the listed indexes. A copied
 * list that drifted from the stores would re-add a dropped index or unique constraint (one holding plain
 * text, say). The hazard of an index-less open, a store opening the same name later in this process and
 * getting the index-less collection, is refused by encryptedBackend.
 */
export async function rotateKeys(backend: EncryptedBackend, options: RotateKeysOptions = {}): Promise<RotateKeysResult[]> {
  const names = options.collections ?? Object.keys(backend.fields);
  const unknown = names.filter((name) => (backend.fields[name] ?? []).length === 0);
  if (unknown.length > 0) throw new Error(`no encrypted fields are configured for ${unknown.join(', ')}: nothing to rotate there`);

  const results: RotateKeysResult[] = [];
  for (const name of names) {
    // Sealed documents keep their personal fields in one value; rows stored field by field are rotated per field.
    const fields = [...backend.fields[name]!, SEALED_FIELD];
    const spec: CollectionSpec = { name, indexes: [] };
    const collection = backend.raw<StoredDocument>(spec);
    const run = await rotateCollection(collection, fields, backend.keyring, {
      batchSize: options.batchSize,
      dryRun: options.dryRun,
      onProgress: (p) => options.onProgress?.({ collection: name, scanned: p.scanned, rotated: options.dryRun ? 0 : p.updated }),
    });
    // A dry run's count is what remains. After a real run, count again: an instance still running with
    // the old key active (rolling deploy) may have written old-key values behind the scan.
    const check = options.dryRun ? run : await rotateCollection(collection, fields, backend.keyring, { dryRun: true });
    results.push({
      collection: name,
      scanned: run.scanned,
      rotated: options.dryRun ? 0 : run.updated,
      remaining: check.updated + check.failed,
      failures: check.failures,
    });
  }
  return results;
}
