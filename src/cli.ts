#!/usr/bin/env node
/** The `meridian` command: start the server, or talk to the bot from a terminal through the same pipeline. */
import { createInterface } from 'node:readline/promises';
import { Command, Option } from 'commander';
import { CHANNELS } from './core/activity.js';
import { renderForCapabilities } from './core/capabilities.js';
import { describeError, isMeridianError } from './core/errors.js';
import { createLogger } from './core/logger.js';
import { emulatorActivity } from './http/emulator.js';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadCatalogs } from './i18n/catalog.js';
import { systemClock } from './core/runtime.js';
import { findTranscripts } from './dialog/find-transcripts.js';
import { formatResults, loadTranscripts, runTranscript, type TranscriptResult } from './dialog/transcripts.js';
import { createDefaultBot, openShop, resolveConfig, startMeridian, transcriptBotFactory, type StartOptions } from './main.js';
import { packageRoot } from './package-root.js';
import type { Bot } from './bot.js';

const program = new Command()
  .name('meridian')
  .description('Meridian: a self-hosted multilingual customer-service bot for cross-border e-commerce')
  .option('-c, --config <file>', 'config file (YAML or JSON); default $MERIDIAN_CONFIG or ./meridian.config.yaml')
  .showHelpAfterError();

function baseOptions(): StartOptions {
  const config = program.opts<{ config?: string }>().config;
  return config ? { configFile: config } : {};
}

program
  .command('start')
  .description('start the HTTP server (web chat, webhooks, emulator API) on the configured store')
  .option('-p, --port <port>', 'port (default $PORT or 3000)', (value) => Number(value))
  .action(async (opts: { port?: number }) => {
    const running = await startMeridian({ ...baseOptions(), ...(opts.port !== undefined ? { port: opts.port } : {}) });
    process.stdout.write(`\nMeridian is running: web chat at ${running.url}/ — emulator API at ${running.url}/api/emulator/messages\nPress Ctrl+C to stop.\n\n`);
    const shutdown = (signal: string) => {
      running.logger.info({ signal }, 'shutting down');
      running.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          running.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });

const channelOption = () => new Option('--channel <channel>', 'channel to act as').choices(CHANNELS).default('webchat');

async function terminalBot(): Promise<Bot> {
  const config = resolveConfig({ ...baseOptions(), logLevel: 'warn' });
  // Logs go to stderr so stdout holds only the conversation.
  return createDefaultBot(config, createLogger({ level: process.env['MERIDIAN_LOG_LEVEL'] ?? 'warn', destination: process.stderr }));
}

async function turn(bot: Bot, channel: (typeof CHANNELS)[number], from: string, text: string, locale?: string): Promise<string[]> {
  const result = await bot.receive(emulatorActivity({ channel, from, text, ...(locale ? { locale } : {}) }, new Date(bot.clock.now())));
  const caps = bot.capabilitiesOf(channel);
  return result.replies.flatMap((reply) =>
    renderForCapabilities(reply, caps).map((message) => {
      const buttons = message.buttons?.map((button, i) => `  [${i + 1}] ${button.title}`).join('\n');
      return buttons ? `${message.text}\n${buttons}` : message.text;
    }),
  );
}

program
  .command('say')
  .description('run one turn and print the replies; the conversation continues on the next call (embedded store)')
  .addOption(channelOption())
  .requiredOption('--from <id>', 'sender id on that channel, e.g. +4915112345678 or ana@example.com')
  .option('--locale <locale>', 'choose the language explicitly, as a language picker would')
  .option('--json', 'print the replies as JSON')
  .argument('<text...>', 'what the customer says')
  .action(async (words: string[], opts: { channel: (typeof CHANNELS)[number]; from: string; locale?: string; json?: boolean }) => {
    const bot = await terminalBot();
    try {
      const replies = await turn(bot, opts.channel, opts.from, words.join(' '), opts.locale);
      process.stdout.write(opts.json ? `${JSON.stringify(replies)}\n` : `${replies.join('\n\n')}\n`);
    } finally {
      await bot.stop();
    }
  });

program
  .command('chat')
  .description('chat with the bot in the terminal, as a customer on a channel (type /quit to leave)')
  .addOption(channelOption())
  .requiredOption('--from <id>', 'sender id on that channel, e.g. +15551234567')
  .option('--locale <locale>', 'choose the language explicitly')
  .action(async (opts: { channel: (typeof CHANNELS)[number]; from: string; locale?: string }) => {
    const bot = await terminalBot();
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
    process.stdout.write(`Chatting as ${opts.channel}:${opts.from}. Type /quit to leave.\n`);
    try {
      // Iterating the lines (rather than rl.question) keeps piped input: lines that arrive early are queued.
      process.stdout.write('you> ');
      for await (const line of rl) {
        if (line.trim() === '/quit') break;
        if (line.trim() !== '') {
          try {
            for (const reply of await turn(bot, opts.channel, opts.from, line, opts.locale)) process.stdout.write(`bot> ${reply.replace(/\n/g, '\n     ')}\n`);
          } catch (error) {
            process.stdout.write(`error: ${describeError(error)}\n`);
          }
        }
        process.stdout.write('you> ');
      }
      process.stdout.write('\n');
    } finally {
      rl.close();
      await bot.stop();
    }
  });

const evaluate = program
  .command('eval')
  .description('measure understanding on JSONL files (formats of ../shared/eval); the last line printed is one JSON object');
evaluate
  .command('langid')
  .description('language identification accuracy per language (sentences and word pairs)')
  .requiredOption('--data <file>', 'JSONL with {"text","lang","kind"?}')
  .action(async (opts: { data: string }) => {
    const { evalLangid } = await import('./nlu/eval/langid.js');
    printEval(await evalLangid({ data: opts.data, supported: resolveConfig({ ...baseOptions(), logLevel: 'silent' }).locales.supported }));
  });
evaluate
  .command('intents')
  .description('intent accuracy and macro-F1 per language, trained on locales/<lang>/nlu/intents.json')
  .requiredOption('--data <file>', 'JSONL with {"text","intent","lang"}')
  .action(async (opts: { data: string }) => {
    const { evalIntents } = await import('./nlu/eval/intents.js');
    printEval(await evalIntents({ data: opts.data, localesDir: join(packageRoot(), 'locales') }));
  });
evaluate
  .command('kb')
  .description('knowledge-base recall@1 and recall@3 per language, cross-lingual questions separately')
  .requiredOption('--articles <file>', 'JSONL of articles')
  .requiredOption('--questions <file>', 'JSONL of questions with {"question","lang","article"}')
  .action(async (opts: { articles: string; questions: string }) => {
    const { evalKb } = await import('./knowledge/eval.js');
    printEval(await evalKb({ articles: opts.articles, questions: opts.questions }));
  });

function printEval(result: { table: string; summary: object }): void {
  process.stdout.write(`${result.table}\n${JSON.stringify(result.summary)}\n`);
}

/** The configured backend, opened as the server opens it. */
async function configuredBackend() {
  const config = resolveConfig({ ...baseOptions(), logLevel: 'silent' });
  const { openBackend } = await import('./storage/open-backend.js');
  return { config, backend: await openBackend(config) };
}

/** The knowledge store over the configured backend (the same data the server uses). */
async function knowledgeStore() {
  const { config, backend } = await configuredBackend();
  const { createKnowledgeStore } = await import('./knowledge/store.js');
  return { config, backend, store: createKnowledgeStore(backend) };
}

const kb = program.command('kb').description('the multilingual knowledge base');
kb.command('import')
  .description('import articles from a Markdown folder (<id>.<lang>.md), a JSONL file or a CSV file; validates everything first')
  .argument('<path>')
  .action(async (path: string) => {
    const { runKbImport } = await import('./knowledge/commands.js');
    const { backend, store } = await knowledgeStore();
    try {
      process.stdout.write(`${await runKbImport(path, store)}\n`);
    } finally {
      await backend.close();
    }
  });
kb.command('export')
  .description('export every article as markdown (a folder), jsonl or csv')
  .argument('<format>', 'markdown | jsonl | csv')
  .argument('<path>')
  .action(async (format: string, path: string) => {
    const { runKbExport } = await import('./knowledge/commands.js');
    const { backend, store } = await knowledgeStore();
    try {
      process.stdout.write(`${await runKbExport(store, format, path)}\n`);
    } finally {
      await backend.close();
    }
  });
kb.command('status')
  .description('which translations are current, stale (source changed), machine-made or missing')
  .action(async () => {
    const { runKbStatus } = await import('./knowledge/commands.js');
    const { config, backend, store } = await knowledgeStore();
    try {
      process.stdout.write(`${await runKbStatus(store, config.locales.supported)}\n`);
    } finally {
      await backend.close();
    }
  });
kb.command('retranslate')
  .description('re-translate stale and missing translations with the configured provider (translation.provider)')
  .action(async () => {
    const { createTranslatorFromConfig } = await import('./translation/config.js');
    const { config, backend, store } = await knowledgeStore();
    try {
      if (config.translation.provider === 'none') throw new Error('no translation provider is configured: set MERIDIAN_TRANSLATION_PROVIDER and its key');
      const translator = createTranslatorFromConfig({ ...config.translation, fallback: 'throw' });
      const result = await store.retranslateStale(translator, { languages: config.locales.supported });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      await backend.close();
    }
  });

const privacy = program.command('privacy').description("a person's rights: access (export) and erasure");
privacy
  .command('export')
  .description('everything Meridian holds about a person, as JSON (customer, conversations, messages, replies, events)')
  .requiredOption('--customer <id|address>', 'cu_... or an address: whatsapp:+4915112345678, email:ana@example.com, +4915112345678')
  .option('--out <file>', 'write to a file instead of stdout')
  .action(async (opts: { customer: string; out?: string }) => {
    const { exportSubject } = await import('./privacy/subject-rights.js');
    const { writeFileSync } = await import('node:fs');
    const { backend, stores, shop } = await storesFromConfig();
    try {
      const data = JSON.stringify(await exportSubject(stores, opts.customer, systemClock, { shop }), null, 2);
      if (opts.out) writeFileSync(opts.out, `${data}\n`, { mode: 0o600 });
      else process.stdout.write(`${data}\n`);
    } finally {
      await backend.close();
    }
  });
privacy
  .command('erase')
  .description('delete everything Meridian holds about a person; an audit record with counts only is kept')
  .requiredOption('--customer <id|address>', 'cu_... or an address')
  .option('--yes', 'confirm: this cannot be undone')
  .action(async (opts: { customer: string; yes?: boolean }) => {
    if (!opts.yes) throw new Error('erasure cannot be undone: add --yes to confirm');
    const { eraseSubject } = await import('./privacy/subject-rights.js');
    const { backend, stores, shop } = await storesFromConfig();
    try {
      process.stdout.write(`${JSON.stringify(await eraseSubject(stores, opts.customer, systemClock, { shop }))}\n`);
    } finally {
      await backend.close();
    }
  });

privacy
  .command('new-key')
  .description('print a new AES-256 key entry for MERIDIAN_ENCRYPTION_KEYS (<id>:<base64>); keep it in your secret store')
  .option('--id <id>', 'key id (letters, digits, - and _)', `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`)
  .action(async (opts: { id: string }) => {
    const { generateKeyEntry } = await import('./privacy/keyring.js');
    process.stdout.write(`${generateKeyEntry(opts.id)}\n`);
  });
privacy
  .command('rotate-key')
  .description('re-encrypt personal fields under the active key (MERIDIAN_ENCRYPTION_ACTIVE_KEY) while Meridian keeps running; also encrypts values stored in clear')
  .option('--dry-run', 'count what would be re-encrypted, change nothing')
  .option('--collections <names>', 'comma-separated collections (default: every collection with personal fields)')
  .action(async (opts: { dryRun?: boolean; collections?: string }) => {
    const { openDataBackends } = await import('./storage/open-backend.js');
    const { isEncryptedBackend } = await import('./privacy/encrypted-backend.js');
    const { rotateKeys } = await import('./privacy/rotate-keys.js');
    const config = resolveConfig({ ...baseOptions(), logLevel: 'silent' });
    if (!config.privacy.encryption.enabled) throw new Error('encryption at rest is off (privacy.encryption.enabled: false): nothing to rotate');
    const backends = await openDataBackends(config);
    let remaining = 0;
    try {
      for (const { name, backend } of backends) {
        if (!isEncryptedBackend(backend)) {
          process.stderr.write(`${name}: in memory, nothing at rest\n`);
          continue;
        }
        process.stderr.write(`${name}: active key ${backend.keyring.activeKeyId}\n`);
        const results = await rotateKeys(backend, {
          dryRun: opts.dryRun === true,
          ...(opts.collections ? { collections: opts.collections.split(',').map((c) => c.trim()).filter(Boolean) } : {}),
          onProgress: (p) => process.stderr.write(`  ${p.collection}: ${p.scanned} read, ${p.rotated} ${opts.dryRun ? 'to re-encrypt' : 're-encrypted'}\r`),
        });
        process.stderr.write('\n');
        for (const result of results) {
          remaining += result.remaining;
          process.stdout.write(`${JSON.stringify({ store: name, ...result, failures: result.failures.length })}\n`);
        }
      }
    } finally {
      for (const { backend } of backends) await backend.close();
    }
    process.stderr.write(remaining === 0 ? 'every value is under the active key: older keys can be removed\n' : `${remaining} document(s) still hold other keys' values or clear text: run again\n`);
    if (remaining > 0 && !opts.dryRun) process.exitCode = 1;
  });

/** The purpose-named stores and the shop over the configured backend (the same data the server uses). */
async function storesFromConfig() {
  const { config, backend } = await configuredBackend();
  const { createStores } = await import('./storage/stores.js');
  return { backend, stores: createStores(backend), shop: openShop(config, backend, systemClock) };
}

const dialogs = program.command('dialogs').description('work with dialogs');
dialogs
  .command('test')
  .description('run transcript tests (YAML) against the default bot; default: every dialogs/**/*.transcript.yaml')
  .argument('[files...]', 'transcript files')
  .action(async (files: string[]) => {
    const chosen = files.length > 0 ? files : findTranscripts(join(packageRoot(), 'dialogs'));
    const factory = transcriptBotFactory(resolveConfig({ ...baseOptions(), logLevel: 'silent' }));
    const results: TranscriptResult[] = [];
    for (const file of chosen) {
      for (const transcript of loadTranscripts(file)) results.push(await runTranscript(relative(process.cwd(), file), transcript, factory));
    }
    process.stdout.write(`${formatResults(results)}\n`);
    if (results.some((result) => !result.passed)) process.exitCode = 1;
  });

/** The folder with a dialog's code: dialogs/<id> (or dist/dialogs/<id> in an installed package). */
function dialogFolder(id: string): string | undefined {
  const folder = id === 'verify-order' ? 'shared' : id;
  for (const base of [join(packageRoot(), 'dialogs'), join(packageRoot(), 'dist', 'dialogs')]) {
    if (existsSync(join(base, folder))) return join(base, folder);
  }
  return undefined;
}

dialogs
  .command('lint')
  .description('check dialogs: unreachable steps, transitions to missing steps, prompts without retry, catalog keys missing in a language')
  .argument('[dialogs...]', 'dialog ids (default: all)')
  .action(async (ids: string[]) => {
    const { defaultDialogs } = await import('./main.js');
    const { lintDialog } = await import('./dialog/lint.js');
    const config = resolveConfig({ ...baseOptions(), logLevel: 'silent' });
    const catalogs = loadCatalogs(join(packageRoot(), 'locales'));
    const chosen = ids.length > 0 ? defaultDialogs.filter((dialog) => ids.includes(dialog.id)) : defaultDialogs;
    if (chosen.length === 0) throw new Error(`no dialog named ${ids.join(', ')}; known: ${defaultDialogs.map((d) => d.id).join(', ')}`);
    let errors = 0;
    for (const dialog of chosen) {
      const folder = dialogFolder(dialog.id);
      const findings = lintDialog(dialog, { catalogs, languages: config.locales.supported, ...(folder ? { sourceDir: folder } : {}) });
      process.stdout.write(`${findings.length === 0 ? '✓' : findings.some((f) => f.level === 'error') ? '✗' : '!'} ${dialog.id}\n`);
      for (const finding of findings) process.stdout.write(`    ${finding.level}: ${finding.message}\n`);
      errors += findings.filter((finding) => finding.level === 'error').length;
    }
    if (errors > 0) process.exitCode = 1;
  });

dialogs
  .command('graph')
  .description('print a Mermaid diagram of a dialog (paste it into Markdown)')
  .argument('<dialog>', 'dialog id, e.g. returns')
  .action(async (id: string) => {
    const { defaultDialogs } = await import('./main.js');
    const { dialogMermaid } = await import('./dialog/lint.js');
    const dialog = defaultDialogs.find((candidate) => candidate.id === id);
    if (!dialog) throw new Error(`no dialog named ${id}; known: ${defaultDialogs.map((d) => d.id).join(', ')}`);
    process.stdout.write(`${dialogMermaid(dialog)}\n`);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  const code = isMeridianError(error) ? ` [${error.code}]` : '';
  process.stderr.write(`meridian: ${describeError(error)}${code}\n`);
  process.exit(1);
});
