import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { RunningMeridian } from '../../src/main.js';
import { getJson, postJson, startTestServer } from '../helpers/server.js';

/** Linking by one-time code through the emulator: wrong codes, unknown contacts, and the daily limit. */
describe('one-time codes', () => {
  let meridian: RunningMeridian;
  beforeAll(async () => {
    meridian = await startTestServer();
  });
  afterAll(async () => {
    await meridian.stop();
  });

  const say = async (from: string, text: string) => {
    const { json } = await postJson(`${meridian.url}/api/emulator/messages`, { channel: 'webchat', from, text, locale: 'en' });
    return (json['replies'] as { text: string }[]).map((r) => r.text).join('\n');
  };
  const mailbox = async (address: string) =>
    ((await getJson(`${meridian.url}/api/emulator/outbox?address=${encodeURIComponent(address)}`)).json['messages'] as { text: string }[]).map((m) => m.text);

  it('answers the same for an unknown contact and sends nothing, and locks a code after three wrong tries', async () => {
    await say('otp-a', 'link my account');
    const unknown = await say('otp-a', 'nobody-here@example.com');
    expect(unknown).toMatch(/If that belongs to an account/);
    expect(await mailbox('email:nobody-here@example.com')).toEqual([]);

    await say('otp-b', 'link my account');
    const known = await say('otp-b', 'emily.carter@example.com');
    expect(known).toBe(unknown);
    const code = /\b(\d{6})\b/.exec((await mailbox('email:emily.carter@example.com')).at(-1) ?? '')?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await say('otp-b', wrong)).toMatch(/doesn't match/);
    expect(await say('otp-b', wrong)).toMatch(/doesn't match/);
    expect(await say('otp-b', wrong)).toMatch(/no longer valid/);
    // The right code after the lock does not link.
    expect(await say('otp-b', code)).not.toMatch(/confirmed/);
    const record = await meridian.bot.stores.customers.findByAddress('webchat:otp-b');
    expect(record?.linkedProfileId ?? null).toBeNull();
  });

  it('sends at most five codes a day from one conversation', async () => {
    const replies: string[] = [];
    for (let i = 0; i < 6; i++) {
      await say('otp-c', 'link my account');
      replies.push(await say('otp-c', 'oliver.bennett@example.com'));
      await say('otp-c', 'cancel');
    }
    expect(replies.slice(0, 5).every((r) => /If that belongs/.test(r))).toBe(true);
    expect(replies[5]).toMatch(/several codes today/);
    expect((await mailbox('email:oliver.bennett@example.com')).length).toBe(5);
  });
});
