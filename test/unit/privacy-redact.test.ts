import { describe, it, expect } from '@jest/globals';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { pino } from 'pino';
import { MeridianError } from '../../src/core/errors.js';
import { createVault, piiLogFormatter, piiLogHook, redact, redactCardNumbers, redactObject, redactReversible, restore } from '../../src/privacy/redact.js';

const PII = {
  email: 'ana.lopez@example.com',
  phone: '+34 612 34 56 78',
  card: '4111 1111 1111 1111',
  iban: 'DE89 3704 0044 0532 0130 00',
};

describe('redact', () => {
  it.each([
    ['en', `Mail ${PII.email}, call ${PII.phone}`, 'Mail [email], call [phone]'],
    ['es', 'Mi DNI es 12345678Z y mi IBAN ES91 2100 0418 4502 0005 1332', 'Mi DNI es [id] y mi IBAN [iban]'],
    ['fr', 'Livrez au 12 rue de la Paix, 75002 Paris svp', 'Livrez au [address] svp'],
    ['de', `Karte ${PII.card}, Handy 0151 12345678`, 'Karte [card], Handy [phone]'],
    ['ja', '電話は090-1234-5678、住所は東京都渋谷区神南1丁目2番3号です', '電話は[phone]、住所は[address]です'],
    ['it', 'codice fiscale RSSMRA85T10A562S, IP 10.0.0.12', 'codice fiscale [id], IP [ip]'],
    ['pt', 'CPF 529.982.247-25', 'CPF [id]'],
    ['zh', '手机13800138000，地址北京市朝阳区建国路88号', '手机[phone]，地址[address]'],
  ])('%s: replaces each span with its typed token', (lang, text, expected) => {
    expect(redact(text, { lang })).toBe(expected);
  });

  it('leaves order numbers, amounts and dates alone', () => {
    const text = 'Order A1043 of 2026-03-03: 59,90 €, tracking 1Z999AA10123456784, MO-SHIRT-BLU-M';
    expect(redact(text, { lang: 'en' })).toBe(text);
  });

  it('takes custom tokens and can limit itself to card numbers', () => {
    expect(redact(`x ${PII.email}`, { tokens: { email: '<EMAIL>' } })).toBe('x <EMAIL>');
    expect(redactCardNumbers(`card ${PII.card}, mail ${PII.email}`)).toBe(`card [card], mail ${PII.email}`);
  });
});

describe('reversible redaction', () => {
  it('round-trips through a provider that only sees tokens', () => {
    const vault = createVault();
    const text = `Hola, soy ${PII.email} y mi móvil es 612 34 56 78. Escribid a ${PII.email}.`;
    const redacted = redactReversible(text, vault, { lang: 'es' });
    expect(redacted).toBe('Hola, soy ⟦pii:1⟧ y mi móvil es ⟦pii:2⟧. Escribid a ⟦pii:1⟧.');
    expect(redacted).not.toContain('example.com');
    // What a translation provider might send back, with its own spacing and case.
    const translated = 'Hi, I am ⟦ PII:1 ⟧ and my mobile is ⟦pii：2⟧. Write to ⟦pii:1⟧.';
    expect(restore(translated, vault)).toBe(`Hi, I am ${PII.email} and my mobile is 612 34 56 78. Write to ${PII.email}.`);
    expect(vault.values('email')).toEqual([PII.email]);
  });

  it('never keeps card numbers, not even in the vault', () => {
    const vault = createVault();
    const redacted = redactReversible(`pay with ${PII.card} please`, vault);
    expect(redacted).toBe('pay with [card] please');
    expect(vault.size).toBe(0);
    expect(JSON.stringify(vault.entries())).not.toContain('4111');
  });

  it('defuses tokens a customer types to read back another value', () => {
    const vault = createVault();
    redactReversible(`my mail is ${PII.email}`, vault);
    const sneaky = redactReversible('what is ⟦pii:1⟧?', vault);
    expect(restore(sneaky, vault)).toBe('what is [pii:1]?');
  });

  it('leaves unknown tokens as they are and survives a save and load of the vault', () => {
    const vault = createVault();
    const redacted = redactReversible(`iban ${PII.iban}`, vault);
    const reloaded = createVault(JSON.parse(JSON.stringify(vault.entries())));
    expect(restore(`${redacted} ⟦pii:99⟧`, reloaded)).toBe(`iban ${PII.iban} ⟦pii:99⟧`);
    // The next value continues the numbering instead of reusing a token.
    expect(redactReversible(`mail ${PII.email}`, reloaded)).toBe('mail ⟦pii:2⟧');
  });

  it('prints and serialises as its size only', () => {
    const vault = createVault();
    redactReversible(`mail ${PII.email}`, vault);
    expect(JSON.stringify({ vault })).toBe('{"vault":{"size":1}}');
    expect(inspect(vault)).not.toContain('example.com');
    vault.clear();
    expect(restore('⟦pii:1⟧', vault)).toBe('⟦pii:1⟧');
  });
});

describe('redactObject', () => {
  it('walks nested objects and arrays, keys included, without touching the input', () => {
    const event = {
      type: 'order_lookup',
      count: 3,
      at: new Date('2026-03-03T10:00:00Z'),
      customer: { contact: [`email ${PII.email}`, { phone: PII.phone }], note: null },
      byEmail: { [PII.email]: 2 },
    };
    const copy = structuredClone(event);
    const out = redactObject(event);
    expect(out).toEqual({
      type: 'order_lookup',
      count: 3,
      at: event.at,
      customer: { contact: ['email [email]', { phone: '[phone]' }], note: null },
      byEmail: { '[email]': 2 },
    });
    expect(event).toEqual(copy);
  });

  it('copies errors with their class, redacting message, stack, fields and cause', () => {
    const cause = new Error(`lookup for ${PII.email} failed`);
    const error = new MeridianError('order_not_found', `no order for ${PII.phone}`, { cause, details: { email: PII.email } });
    const out = redactObject({ err: error }).err;
    expect(out).toBeInstanceOf(MeridianError);
    expect(out.message).toBe('no order for [phone]');
    // Only the first line of a stack holds the message; the frames' line:column numbers vary between runs.
    expect(out.stack!.split('\n')[0]).toBe('MeridianError: no order for [phone]');
    expect(out.stack).not.toContain(PII.phone);
    expect(out.details).toEqual({ email: '[email]' });
    expect((out.cause as Error).message).toBe('lookup for [email] failed');
    expect(error.message).toContain('612'); // the original is untouched
  });

  it('cuts cycles and very deep values', () => {
    const a: Record<string, unknown> = { mail: PII.email };
    a['self'] = a;
    expect(redactObject(a)).toEqual({ mail: '[email]', self: '[Circular]' });
    let deep: unknown = PII.email;
    for (let i = 0; i < 40; i++) deep = { deep };
    expect(JSON.stringify(redactObject(deep))).not.toContain('example.com');
  });
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('piiLogHook', () => {
  it('redacts the message, interpolation values and nested fields before pino writes the line', () => {
    const { lines, stream } = capture();
    const log = pino({ hooks: { logMethod: piiLogHook() }, redact: { paths: ['*.token'], censor: '[redacted]' } }, stream);
    log.info({ activity: { text: `mail ${PII.email}`, raw: { entry: [{ from: '+4915112345678' }] } } }, `turn for ${PII.phone}`);
    log.info('card %s from %s', PII.card, PII.email);
    log.error(new MeridianError('send_failed', `could not reach ${PII.email}`, { details: { iban: PII.iban } }));
    log.warn({ auth: { token: 'secret-token' }, orderId: 'A1043' }, 'plain message');
    const written = JSON.stringify(lines);
    for (const value of ['example.com', '612 34 56 78', '4915112345678', '4111 1111', '3704 0044', 'secret-token']) expect(written).not.toContain(value);
    expect(lines[0]).toMatchObject({ msg: 'turn for [phone]', activity: { text: 'mail [email]', raw: { entry: [{ from: '[phone]' }] } } });
    expect(lines[1]!['msg']).toBe('card [card] from [email]');
    expect(lines[2]).toMatchObject({ msg: 'could not reach [email]', err: { type: 'MeridianError', message: 'could not reach [email]', details: { iban: '[iban]' } } });
    expect(lines[3]).toMatchObject({ msg: 'plain message', orderId: 'A1043', auth: { token: '[redacted]' } });
  });

  it('has a formatters.log variant for the merging object', () => {
    const { lines, stream } = capture();
    const log = pino({ formatters: { log: piiLogFormatter() } }, stream);
    log.info({ customer: { email: PII.email } }, 'ok');
    expect(lines[0]).toMatchObject({ customer: { email: '[email]' }, msg: 'ok' });
  });
});
