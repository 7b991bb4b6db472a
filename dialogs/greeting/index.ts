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

/** Answers and ends: the next message is free to start any other dialog (tracking, returns...). */
async function respond(ctx: StepContext) {
  const intent = ctx.nlu?.intent.intent;
  const first = ctx.isNewConversation && (ctx.nlu === undefined || intent === 'greeting');
  if (intent === 'thanks') ctx.say(ctx.t('greeting.thanks'));
  else if (intent === 'goodbye') ctx.say(ctx.t('greeting.goodbye'));
  else if (first || intent === 'greeting' || ctx.text.trim().length < 3) ctx.ask(ctx.t('greeting.welcome'), choices(ctx));
  else {
    const answer = await findAnswer(ctx);
    if (answer) sayAnswer(ctx, answer);
    else sayNoAnswer(ctx);
  }
  return ctx.end();
}

export const greetingDialog: Dialog = {
  id: 'greeting',
  version: 3,
  start: 'respond',
  steps: { respond },
};
