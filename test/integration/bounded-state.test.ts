import { describe, it, expect } from '@jest/globals';
import { loadConfig } from '../../config/loader.js';
import { transcriptBotFactory } from '../../src/main.js';
import type { InboundActivity } from '../../src/core/activity.js';

/** A conversation document must not grow with the conversation: turns live in the inbox (and expire by retention). */
describe('bounded conversation state', () => {
  it('keeps the conversation document the same size after hundreds of turns', async () => {
    const bot = await transcriptBotFactory(loadConfig({ env: {} }).config)({});
    const texts = ['Wo ist meine Bestellung A1024?', 'danke', 'Ich möchte etwas zurückgeben', 'abbrechen', 'Gibt es Neuigkeiten?', 'hallo'];
    const sizes: number[] = [];
    for (let turn = 0; turn < 300; turn++) {
      const activity: InboundActivity = {
        id: `m${turn}`,
        channel: 'whatsapp',
        address: 'whatsapp:+4915123456789',
        conversationKey: 'whatsapp:+4915123456789',
        text: texts[turn % texts.length] as string,
        attachments: [],
        timestamp: new Date(bot.clock.now()).toISOString(),
        transport: 'emulator',
      };
      const result = await bot.receive(activity);
      if (turn === 59 || turn === 299) sizes.push(JSON.stringify(await bot.stores.conversations.get(result.conversationId)).length);
    }
    const [after60, after300] = sizes as [number, number];
    expect(after300).toBeLessThan(16_000);
    // Same cycle of messages: the document may differ by a few counters, not by 240 turns of history.
    expect(Math.abs(after300 - after60)).toBeLessThan(200);
    await bot.stop();
  });
});
