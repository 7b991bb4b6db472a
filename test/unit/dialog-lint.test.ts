import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDialogs } from '../../src/main.js';
import { dialogMermaid, lintDialog } from '../../src/dialog/lint.js';
import { prompt } from '../../src/dialog/prompts.js';
import { yesNo } from '../../src/dialog/parsers.js';
import type { Dialog } from '../../src/dialog/types.js';
import { LAUNCH_LOCALES } from '../../src/bot.js';
import { ROOT, catalogs } from '../helpers/bot.js';

const sloppy: Dialog = {
  id: 'sloppy',
  version: 1,
  start: 'ask',
  steps: {
    ask: prompt({ slot: 'ok', maxRetries: 0, ask: (ctx) => ctx.say(ctx.t('greeting.welcome')), parse: yesNo, then: (ctx) => ctx.goto('missing') }),
    orphan: (ctx) => ctx.end(),
    listen: (ctx) => ctx.wait('listen'),
  },
};

describe('dialogs lint and graph', () => {
  it('finds unreachable steps, missing steps, prompts without retry and missing catalog keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-lint-'));
    writeFileSync(join(dir, 'index.ts'), "ctx.say(ctx.t('sloppy.only_in_code'));");
    const messages = lintDialog(sloppy, { catalogs, languages: LAUNCH_LOCALES, sourceDir: dir }).map((f) => `${f.level}: ${f.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'error: step "ask" leads to "missing", which is not a step of this dialog',
        'warning: prompt "ask" has maxRetries 0: a misunderstood answer is not asked again',
        'warning: step "listen" waits for an answer without a prompt: nothing validates or re-asks',
        expect.stringMatching(/^warning: step "orphan" is not reachable/),
        'error: catalog key "sloppy.only_in_code" is missing in en, es, fr, de, ja, it, pt, zh',
      ]),
    );
  });

  it('finds nothing wrong with the shipped dialogs', () => {
    for (const dialog of defaultDialogs) {
      const folder = join(ROOT, 'dialogs', dialog.id === 'verify-order' ? 'shared' : dialog.id);
      const findings = lintDialog(dialog, { catalogs, languages: LAUNCH_LOCALES, sourceDir: folder });
      expect([dialog.id, findings]).toEqual([dialog.id, []]);
    }
  });

  it('draws a flow as a Mermaid diagram', () => {
    const cancel = defaultDialogs.find((dialog) => dialog.id === 'cancel-order')!;
    const diagram = dialogMermaid(cancel);
    expect(diagram.split('\n')[0]).toBe('flowchart TD');
    expect(diagram).toContain('cancel_order_order(["order (prompt)"])');
    expect(diagram).toContain('cancel_order_order --> cancel_order_lookup');
    expect(diagram).toContain('cancel_order_lookup --> cancel_order_check');
  });
});
