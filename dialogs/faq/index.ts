import type { Button, Dialog, StepContext, TurnContext } from '../../src/index.js';
import { humanButton, parsers, prompt } from '../../src/index.js';
import type { KbAnswer } from '../../src/knowledge/knowledge-base.js';

/**
 * Questions answered from the knowledge base, in the customer's language (translated or with a note when
 * no translation exists). "I don't know" leads to a human, never to an invented answer.
 */

/** The best article for the message, or undefined when nothing is confident enough (or no KB is set up). */
export async function findAnswer(ctx: TurnContext): Promise<KbAnswer | undefined> {
  const kb = ctx.services.kb;
  if (!kb) return undefined;
  return kb.answer(ctx.text, ctx.locale);
}

/** Says the article: the note first (untranslated or machine-translated), then the title and the body. */
export function sayAnswer(ctx: TurnContext, answer: KbAnswer): void {
  const parts = [answer.note?.text, `**${answer.title}**`, answer.body].filter((part): part is string => Boolean(part));
  ctx.say(parts.join('\n\n'));
}

/** "I don't know" with the offer of a person (and the main choices, so the customer is never stuck). */
export function sayNoAnswer(ctx: TurnContext): void {
  ctx.ask(ctx.t('kb.no_answer'), [humanButton(ctx), { title: ctx.t('greeting.track'), value: 'track order' }, { title: ctx.t('greeting.return'), value: 'return item' }]);
}

const helpfulButtons = (ctx: StepContext): Button[] => [
  { title: ctx.t('faq.helpful_yes'), value: 'yes' },
  { title: ctx.t('faq.helpful_no'), value: 'no' },
];

export const faqDialog: Dialog = {
  id: 'faq',
  version: 1,
  start: 'answer',
  intents: ['shipping_info', 'product_question', 'payment_issue'],
  steps: {
    async answer(ctx) {
      const answer = await findAnswer(ctx);
      if (!answer) {
        sayNoAnswer(ctx);
        return ctx.end();
      }
      sayAnswer(ctx, answer);
      ctx.values['article'] = answer.articleId;
      return ctx.goto('helpful');
    },
    helpful: prompt({
      slot: 'helpful',
      maxRetries: 1,
      ask: (ctx) => ctx.ask(ctx.t('faq.was_helpful'), helpfulButtons(ctx)),
      parse: parsers.yesNo,
      then: (ctx, helpful) => {
        ctx.log.info({ article: ctx.values['article'], helpful }, 'knowledge-base answer rated');
        if (helpful) ctx.say(ctx.t('faq.glad'));
        else ctx.ask(ctx.t('faq.sorry'), [humanButton(ctx)]);
        return ctx.end();
      },
    }),
  },
};
