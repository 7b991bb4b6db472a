/**
 * The photo step of a return needs attachments, which YAML transcripts cannot send: a photo on a channel
 * that carries them is taken and kept for the agent; SMS is never asked for one.
 */
import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/loader.js';
import type { Attachment, Bot, ChannelName } from '../../src/index.js';
import { transcriptBotFactory } from '../../src/main.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const factory = transcriptBotFactory(loadConfig({ env: {}, cwd: ROOT }).config);

function conversation(bot: Bot, channel: ChannelName, from: string, locale: string) {
  let n = 0;
  const address = `${channel}:${from}`;
  return async (text: string, attachments: Attachment[] = []) => {
    n++;
    const result = await bot.receive({
      id: `photo-${n}`,
      channel,
      address,
      conversationKey: address,
      text,
      attachments,
      timestamp: new Date(bot.clock.now()).toISOString(),
      transport: 'emulator',
      localeHint: locale,
      localeExplicit: true,
    });
    return { text: result.replies.map((reply) => reply.text).join('\n'), conversationId: result.conversationId };
  };
}

const photo: Attachment = { contentType: 'image/jpeg', url: 'https://media.example.com/sneaker-sole.jpg', name: 'sneaker-sole.jpg' };

describe('returns: photos of faulty or damaged goods', () => {
  it('takes a photo on WhatsApp and keeps it with the conversation for the agent', async () => {
    const bot = await factory({});
    try {
      const say = conversation(bot, 'whatsapp', '+4915123456789', 'en');
      expect((await say('I want to return the sneakers from order A1024, they arrived damaged')).text).toContain('Could you send a photo');
      // Text without a photo does not pass for one.
      expect((await say('here it is')).text).toContain("I didn't receive a photo");
      const taken = await say('', [photo]);
      expect(taken.text).toContain("I've added the photo to your return");
      expect(taken.text).toContain('How would you like to send it back?');
      expect((await say('drop it off')).text).toContain('Reason: Damaged in transit');
      expect((await say('yes')).text).toContain('RMA-A1024-1');
      const record = await bot.stores.conversations.get(taken.conversationId);
      expect(record?.data['returnPhotos']).toEqual({ 'RMA-A1024-1': [{ contentType: 'image/jpeg', url: photo.url, name: photo.name }] });
    } finally {
      await bot.stop();
    }
  });

  it('counts several photos in the customer’s language (web chat, German)', async () => {
    const bot = await factory({});
    try {
      const say = conversation(bot, 'webchat', 'photo-test-web', 'de');
      await say('Die Sneaker aus Bestellung A1024 sind defekt, ich möchte sie zurücksenden');
      await say('10961');
      const taken = await say('Hier die Fotos', [photo, { ...photo, name: 'sneaker-side.jpg' }]);
      expect(taken.text).toContain('die 2 Fotos');
    } finally {
      await bot.stop();
    }
  });

  it('does not ask for a photo on SMS', async () => {
    const bot = await factory({});
    try {
      const say = conversation(bot, 'sms', '+4915123456789', 'en');
      const reply = (await say('I want to return the sneakers from order A1024, they arrived damaged')).text;
      expect(reply).not.toContain('photo');
      expect(reply).toContain('How would you like to send it back?');
    } finally {
      await bot.stop();
    }
  });
});
