/**
 * Meridian's public API: build your own bot with `import { createBot, ... } from 'meridian-bot'`.
 * Everything exported here is covered by semver; other modules are internal.
 */
export { createBot, Bot, LAUNCH_LOCALES, type BotOptions } from './bot.js';
export type { InboundActivity, OutboundMessage, RenderedMessage, Button, Card, Attachment, ChannelName, KnownChannel, JsonValue, JsonObject } from './core/activity.js';
export { CHANNELS } from './core/activity.js';
export type { ChannelAdapter, AdapterRoute, AdapterHost, Delivery, WebhookRequest, WebhookResponse, VerifyResult, TurnOutcome, HistoryItem } from './core/adapter.js';
export { CHANNEL_CAPABILITIES, capabilitiesFor, renderForCapabilities, splitText, type ChannelCapabilities } from './core/capabilities.js';
export { formatAddress, parseAddress, normalizeSenderId, type Address } from './core/address.js';
export { compose, type Middleware, type Next } from './core/compose.js';
export { MeridianError, VersionConflictError, DuplicateKeyError, isMeridianError, type ErrorCode } from './core/errors.js';
export { createLogger, silentLogger, type Logger } from './core/logger.js';
export { systemClock, ManualClock, randomId, sequentialIds, type Clock, type IdGenerator } from './core/runtime.js';
export type { TurnContext, Services } from './conversation/context.js';
export type { Outbound, MailboxItem } from './conversation/outbound.js';
export type { TurnResult, ErrorHandler } from './conversation/turn-runner.js';
export type { Dialog, Step, StepContext, StepOutcome } from './dialog/types.js';
export { loadCatalogs, createTranslator, fallbackChain, type Catalog, type Catalogs, type Translate, type Vars } from './i18n/catalog.js';
export { matchLocale, parseAcceptLanguage, scriptLanguageDetector, type LanguageDetector, type LanguageGuess } from './i18n/locale.js';
export type { Collection, CollectionSpec, StorageBackend, StoredDocument, Filter, FindOptions, IndexValue, NewDocument } from './storage/collection.js';
export { MemoryBackend } from './storage/memory-backend.js';
export { EmbeddedBackend, type EmbeddedBackendOptions } from './storage/embedded-backend.js';
export { createStores, type Stores, ConversationsStore, CustomersStore, InboxStore, OutboxStore, EventsStore, CasesStore } from './storage/stores.js';
export type { ConversationRecord, CustomerRecord, InboxEntry, OutboxEntry, DialogState, EventRecord, CaseRecord, CaseKind, CasePromise, LinkMethod } from './storage/records.js';
export { recordCase, casesOf, promiseText, caseIdFor, type NewCase } from './identity/cases.js';
export { linkIdentity, unlinkIdentity, profileIdFor, identityIdsOf, type LinkRequest } from './identity/profiles.js';
export { createWebTokenVerifier, signWebIdentityToken, WEB_TOKEN_AUDIENCE, type WebTokenOptions, type WebTokenVerifier, type WebIdentityClaims } from './identity/web-token.js';
export { createHttpApp, type HttpAppOptions } from './http/app.js';
export type { EmulatorOptions } from './http/emulator.js';
export * from './commerce/index.js';
export * from './translation/index.js';
export { createNluEngine, type NluEngine, type NluComponents, type ParseOptions } from './nlu/engine.js';
export { nluMiddleware, type NluMiddlewareOptions } from './nlu/middleware.js';
export * from './nlu/types.js';
export { prompt, offerHuman, humanButton, yesNoButtons, type PromptOptions } from './dialog/prompts.js';
export * as parsers from './dialog/parsers.js';
export { loadTranscripts, runTranscript, formatResults, type Transcript, type TranscriptResult, type BotFactory } from './dialog/transcripts.js';
export { createFormatter } from './i18n/format.js';
export { detectPii, containsCardNumber } from './privacy/pii.js';
export { redact, redactCardNumbers, redactObject, createVault, redactReversible, restore, piiLogHook } from './privacy/redact.js';
export { loadKeyring, keyringOptionsFromEnv, generateKeyEntry, type KeyringOptions } from './privacy/keyring.js';
export { encryptField, decryptField, encryptValue, decryptValue, isEncrypted, encryptDocumentFields, decryptDocumentFields, rotateDocumentFields, rotateCollection } from './privacy/encryption.js';
export { createResidencyBackend, type ResidencyBackend } from './privacy/residency.js';
export { createRetentionJob, parseDuration, type RetentionJob, type RetentionPolicy } from './privacy/retention.js';
