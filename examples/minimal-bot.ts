/**
 * A complete custom bot in a few dozen lines: one dialog, your own catalog, the embedded store, the
 * web chat and the emulator API. Run it with `npm run build && node dist/examples/minimal-bot.js`.
 */
import { createServer } from 'node:http';
import { createBot, createHttpApp, createLogger, createStores, EmbeddedBackend, type Dialog } from 'meridian-bot';

const catalogs = new Map([
  ['en', { 'disclosure.ai': "I'm an AI assistant; type 'agent' for a person.", 'keywords.human': 'agent|human', 'handoff.connecting': 'Connecting you…', 'error.generic': 'Sorry, try again.' }],
  ['de', { 'disclosure.ai': 'Ich bin ein KI-Assistent; schreiben Sie „Mitarbeiter“ für einen Menschen.', 'keywords.human': 'mitarbeiter|mensch', 'handoff.connecting': 'Ich verbinde Sie…', 'error.generic': 'Entschuldigung, bitte noch einmal.' }],
]);

/** Asks for a size and answers with stock; the state is saved as the step name. */
export const sizeCheck: Dialog = {
  id: 'size-check',
  version: 1,
  start: 'ask',
  steps: {
    ask(ctx) {
      ctx.ask('Which size?', ['S', 'M', 'L'].map((size) => ({ title: size, value: size })));
      return ctx.wait('answer');
    },
    answer(ctx) {
      const size = ctx.input.trim().toUpperCase();
      if (!['S', 'M', 'L'].includes(size)) return (ctx.say('Please pick S, M or L.'), ctx.retry());
      ctx.say(size === 'M' ? 'M is sold out, sorry.' : `${size} is in stock.`);
      return ctx.end();
    },
  },
};

export function createSizeBot(file = './data/minimal-bot.db') {
  const logger = createLogger({ level: 'info' });
  const bot = createBot({ dialogs: [sizeCheck], catalogs, locales: { supported: ['en', 'de'] }, stores: createStores(new EmbeddedBackend({ file })), logger });
  // Your own middleware runs before the dialogs on every turn.
  bot.use(async (ctx, next) => {
    ctx.log.info({ channel: ctx.activity.channel }, 'turn');
    await next();
  });
  return bot;
}

if (process.argv[1]?.endsWith('minimal-bot.js')) {
  const bot = createSizeBot();
  const server = createServer(createHttpApp({ bot, logger: bot.logger, bodyLimit: '100kb', emulator: { token: undefined }, publicUrl: undefined, isReady: () => true }));
  server.listen(3100, () => void bot.start(server).then(() => console.log('POST http://localhost:3100/api/emulator/messages')));
}
