import type { Button, Dialog, StepContext } from '../../src/index.js';

/**
 * The first dialog: it greets, offers the main choices and echoes what it does not understand yet.
 * It exists to prove the path end to end; the after-sales dialogs replace it as the fallback.
 */
function choices(ctx: StepContext): Button[] {
  return [
    { title: ctx.t('greeting.track'), value: 'track order' },
    { title: ctx.t('greeting.return'), value: 'return item' },
    { title: ctx.t('greeting.human'), value: 'agent' },
  ];
}

export const greetingDialog: Dialog = {
  id: 'greeting',
  version: 1,
  start: 'welcome',
  steps: {
    welcome(ctx) {
      ctx.ask(ctx.t('greeting.welcome'), choices(ctx));
      return ctx.wait('echo');
    },
    echo(ctx) {
      ctx.ask(ctx.t('greeting.echo', { text: ctx.input.slice(0, 200) }), choices(ctx));
      return ctx.wait('echo');
    },
  },
};
