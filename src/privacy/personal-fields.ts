/**
 * Which fields of which collection hold personal data and are encrypted at rest (field paths as
 * encryption.ts reads them). Top-level fields are sealed together, one value per document (see
 * encryptedBackend); a field a document does not have is skipped, so fields other stores have not added
 * yet cost nothing.
 *
 * None of these may be an index or unique field of its collection: an encrypted value cannot be looked
 * up, and index values are stored beside the document in plain text. encryptedBackend refuses such a spec.
 */
export const PERSONAL_FIELDS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  customers: Object.freeze(['identities', 'primaryAddress', 'displayName', 'shopCustomerId', 'country']),
  conversations: Object.freeze(['key', 'address', 'dialogs', 'data', 'lastReplies']),
  inbox: Object.freeze(['activity', 'replies', 'error']),
  outbox: Object.freeze(['address', 'message']),
  events: Object.freeze(['data']),
  cases: Object.freeze(['summary', 'promises', 'orderNumber', 'reference']),
  shop_changes: Object.freeze(['result']),
});
