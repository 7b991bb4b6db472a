import type { Middleware } from '../core/compose.js';
import type { TurnContext } from '../conversation/context.js';
import { humanButton } from '../dialog/prompts.js';
import type { NluEngine } from './engine.js';

export interface NluMiddlewareOptions {
  /** Confidence of the human_agent intent that hands over without a keyword ("can I speak with someone?"). */
  humanIntentConfidence?: number;
}

/**
 * Understands the message (ctx.nlu) before the dialogs run, and acts on what must not wait for a dialog:
 * sensitive topics get a careful answer (and a person when needed), a clear request for a human is
 * honoured in any wording.
 */
export function nluMiddleware(engine: NluEngine, options: NluMiddlewareOptions = {}): Middleware<TurnContext> {
  const humanConfidence = options.humanIntentConfidence ?? 0.7;
  return async (ctx, next) => {
    const nlu = engine.parse(ctx.text, { locale: ctx.locale });
    ctx.nlu = nlu;
    // Keep what agents and routing need across turns; the text itself stays in the turn log.
    ctx.conversation.data['lastUnderstanding'] = {
      intent: nlu.intent.intent,
      confidence: Number(nlu.intent.confidence.toFixed(3)),
      frustration: Number(nlu.emotion.frustration.toFixed(2)),
      urgency: Number(nlu.emotion.urgency.toFixed(2)),
    };
    const sensitive = nlu.sensitive;
    const topic = sensitive.topics[0]?.topic;
    if (topic && sensitive.action !== 'none') {
      ctx.log.info({ topic, action: sensitive.action }, 'sensitive topic');
      const message = ctx.t(`sensitive.${topic}`);
      if (sensitive.action === 'force_human') {
        ctx.handoff(`sensitive:${topic}`, message);
        // Someone in danger also needs to know where to get help right now, before any person replies.
        if (topic === 'self_harm') ctx.say(ctx.t('sensitive.self_harm_emergency'));
        return;
      }
      if (sensitive.action === 'offer_human') {
        ctx.ask(message, [humanButton(ctx)]);
        return;
      }
      ctx.say(message);
      return;
    }
    if (nlu.intent.intent === 'human_agent' && nlu.intent.confidence >= humanConfidence) {
      ctx.handoff('customer_request');
      return;
    }
    await next();
  };
}
