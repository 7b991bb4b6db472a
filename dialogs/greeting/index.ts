import type { Button, Dialog, StepContext } from '../../src/index.js';
import { findAnswer, sayAnswer, sayNoAnswer } from '../faq/index.js';

/**
 * The fallback dialog: greets and offers the main choices, answers small talk, and otherwise looks the
 * question up in the knowledge base; when nothing fits it says so and offers a person.
 */
function choices(ctx: StepContext): Button[] {
  return [
    { title: ctx.t('greeting.track'), value: 'track order' },
    { title: ctx.t('greeting.return'), value: 'return item' },
    { title: ctx.t('greeting.human'), value: 'agent' },
  ];
}

async function listen(ctx: StepContext, first: boolean) {
  const intent = ctx.nlu?.intent.intent;
  if (intent === 'thanks') ctx.say(ctx.t('greeting.thanks'));
  else if (intent === 'goodbye') ctx.say(ctx.t('greeting.goodbye'));
  else if (first || intent === 'greeting' || ctx.text.trim().length < 3) ctx.ask(ctx.t('greeting.welcome'), choices(ctx));
  else {
    const answer = await findAnswer(ctx);
    if (answer) sayAnswer(ctx, answer);
    else sayNoAnswer(ctx);
  }
  return ctx.wait('listen');
}

export const greetingDialog: Dialog = {
  id: 'greeting',
  version: 2,
  start: 'welcome',
  steps: {
    // A first message that is a real question gets an answer, not just a menu.
    welcome: (ctx) => listen(ctx, ctx.nlu === undefined || ctx.nlu.intent.intent === 'greeting'),
    listen: (ctx) => listen(ctx, false),
  },
  migrate: (state) => ({ step: 'listen', values: state.values }),
};
