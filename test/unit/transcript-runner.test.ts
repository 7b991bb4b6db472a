import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatResults, loadTranscripts, runTranscript } from '../../src/dialog/transcripts.js';
import { testBot } from '../helpers/bot.js';

const dir = mkdtempSync(join(tmpdir(), 'meridian-transcripts-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const factory = async () => testBot().bot;

describe('transcript runner', () => {
  it('reports every failed expectation with what the bot said', async () => {
    const file = write('fail.transcript.yaml', 'name: wrong expectations\nchannel: sms\nfrom: "+15551234567"\nturns:\n  - user: hello\n    bot:\n      contains: [Bonjour]\n      buttons: [Nope]\n      handoff: true\n');
    const [transcript] = loadTranscripts(file);
    const result = await runTranscript(file, transcript!, factory);
    expect(result.passed).toBe(false);
    const report = formatResults([result]);
    expect(report).toContain('expected the reply to contain "Bonjour"');
    expect(report).toContain('expected a button "Nope" (buttons: none)');
    expect(report).toContain('expected a handoff to a human');
    expect(report).toContain('| Hi! I\'m Meridian');
    expect(report).toMatch(/transcripts: 0 passed, 1 failed$/);
  });

  it('passes when the expectations hold', async () => {
    const file = write('ok.transcript.yaml', 'name: ok\nchannel: whatsapp\nfrom: "+4915112345678"\nlocale: de\nturns:\n  - user: Hallo\n    bot:\n      contains: KI-Assistent\n      locale: de\n      buttons: [Bestellung verfolgen]\n');
    const [transcript] = loadTranscripts(file);
    expect((await runTranscript(file, transcript!, factory)).passed).toBe(true);
  });

  it('names the file and key of a broken transcript', () => {
    const file = write('broken.transcript.yaml', 'name: broken\nchannel: pigeon\nturns:\n  - user: hi\n');
    expect(() => loadTranscripts(file)).toThrow(/broken.transcript.yaml: channel: /);
    const typo = write('typo.transcript.yaml', 'name: typo\nturns:\n  - user: hi\n    bot:\n      contain: x\n');
    expect(() => loadTranscripts(typo)).toThrow(/typo.transcript.yaml: turns.0.bot: /);
  });
});
