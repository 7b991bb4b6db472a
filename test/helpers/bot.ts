import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { greetingDialog } from '../../dialogs/greeting/index.js';
import { createBot, type BotOptions } from '../../src/bot.js';
import type { InboundActivity } from '../../src/core/activity.js';
import { ManualClock, sequentialIds } from '../../src/core/runtime.js';
import { loadCatalogs } from '../../src/i18n/catalog.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const catalogs = loadCatalogs(join(ROOT, 'locales'));

/** A bot as tests need it: memory stores, the real catalogs and greeting dialog, a manual clock. */
export function testBot(options: Partial<BotOptions> = {}) {
  const clock = new ManualClock();
  const bot = createBot({ dialogs: [greetingDialog], catalogs, clock, ids: sequentialIds(), ...options });
  return { bot, clock };
}

let counter = 0;
/** An inbound activity as an adapter would produce it. */
export function activity(text: string, overrides: Partial<InboundActivity> = {}): InboundActivity {
  counter++;
  const channel = overrides.channel ?? 'sms';
  const address = overrides.address ?? `${channel}:+15551230000`;
  return {
    id: `m${counter}`,
    channel,
    address,
    conversationKey: address,
    text,
    attachments: [],
    timestamp: '2026-01-15T10:00:00.000Z',
    transport: 'emulator',
    ...overrides,
  };
}
