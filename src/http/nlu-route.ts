import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Bot } from '../bot.js';
import { MeridianError } from '../core/errors.js';

const bodySchema = z
  .object({
    text: z.string().min(1).max(4000),
    locale: z.string().min(2).max(35).optional(),
    conversationId: z.string().min(1).max(64).optional(),
  })
  .strict();

/**
 * POST /api/nlu/parse: what Meridian understands of a text, for tools and the agent console. With a
 * conversationId, the conversation's language is the sticky hint, exactly as in a turn.
 */
export function nluRoute(bot: Bot): RequestHandler {
  return async (req, res, next) => {
    try {
      const engine = bot.nlu;
      if (!engine) throw new MeridianError('route_not_found', 'no NLU engine is configured for this bot', { status: 404 });
      const parsed = bodySchema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new MeridianError('invalid_request', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`, { status: 400 });
      }
      let locale = parsed.data.locale;
      if (parsed.data.conversationId) {
        const conversation = await bot.stores.conversations.get(parsed.data.conversationId);
        if (!conversation) throw new MeridianError('not_found', `no conversation ${parsed.data.conversationId}`, { status: 404 });
        locale ??= conversation.locale ?? undefined;
      }
      const result = engine.parse(parsed.data.text, locale ? { locale } : {});
      res.json({
        language: result.language.language,
        locale: result.language.locale,
        languageConfidence: result.language.confidence,
        languageReliable: result.language.reliable,
        intent: result.intent.intent,
        confidence: result.intent.confidence,
        ranking: result.intent.ranking,
        entities: result.entities,
        emotion: result.emotion,
        sensitive: result.sensitive,
        normalized: result.normalized,
      });
    } catch (error) {
      next(error);
    }
  };
}
