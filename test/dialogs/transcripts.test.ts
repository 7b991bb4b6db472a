import { describe, it, expect } from '@jest/globals';
import { join } from 'node:path';
import { loadConfig } from '../../config/loader.js';
import { findTranscripts } from '../../src/dialog/find-transcripts.js';
import { formatResults, loadTranscripts, runTranscript } from '../../src/dialog/transcripts.js';
import { transcriptBotFactory } from '../../src/main.js';
import { ROOT } from '../helpers/bot.js';

/** Every transcript a designer wrote in dialogs/ runs as a test, with the runner's own report on failure. */
const factory = transcriptBotFactory(loadConfig({ env: {}, cwd: ROOT }).config);
const files = findTranscripts(join(ROOT, 'dialogs'));

describe('dialog transcripts', () => {
  it('finds transcripts', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    for (const transcript of loadTranscripts(file)) {
      it(`${transcript.name}`, async () => {
        const result = await runTranscript(file.slice(ROOT.length), transcript, factory);
        if (!result.passed) throw new Error(formatResults([result]));
        expect(result.passed).toBe(true);
      });
    }
  }
});
