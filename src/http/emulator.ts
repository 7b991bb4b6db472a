import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { Bot } from '../bot.js';
import { CHANNELS, type InboundActivity } from '../core/activity.js';
import { normalizeSenderId } from '../core/address.js';
import { renderForCapabilities } from '../core/capabilities.js';
import { MeridianError } from '../core/errors.js';
import { errorBody } from './errors.js';

export interface EmulatorOptions {
  /** When set, requests need `Authorization: Bearer <token>`. */
  token: string | undefined;
}

const bodySchema = z
  .object({
    channel: z.enum(CHANNELS),
    from: z.string().min(1).max(256),
    text: z.string(),
    messageId: z.string().min(1).max(200).regex(/^[\w.:@+-]+$/, 'letters, digits and . : @ + - _ only').optional(),
    locale: z.string().min(2).max(35).optional(),
    /** The shop's signed login token, as the web-chat widget would send it (any channel may carry one here). */
    identityToken: z.string().min(1).max(4096).optional(),
  })
  .strict();

export type EmulatorRequest = z.infer<typeof bodySchema>;


/** Builds the activity a real adapter of that channel would produce for this sender. */
export function emulatorActivity(body: EmulatorRequest, now: Date, proof?: { shopCustomerId: string }): InboundActivity {
  const sender = normalizeSenderId(body.channel, body.from);
  const address = `${body.channel}:${sender}`;
  const activity: InboundActivity = {
    id: body.messageId ?? `emu-${randomUUID()}`,
    channel: body.channel,
    address,
    conversationKey: address,
    text: body.text,
    attachments: [],
    timestamp: now.toISOString(),
    transport: 'emulator',
    // The token itself is a credential: it is checked, never stored.
    raw: { ...body, ...(body.identityToken ? { identityToken: '[verified]' } : {}) },
    ...(proof ? { identityProof: { method: 'signed_token' as const, shopCustomerId: proof.shopCustomerId } } : {}),
  };
  if (body.locale) {
    activity.localeHint = body.locale;
    activity.localeExplicit = true;
  }
  return activity;
}

/**
 * POST /api/emulator/messages: one full turn through the same pipeline as a real channel, answered
 * with the replies rendered for that channel's capabilities.
 */
/** The token check is `bearerGuard`, mounted before this route so a refused request's body is never read. */
export function emulatorRoute(bot: Bot): RequestHandler {
  return async (req, res, next) => {
    try {
      const parsed = bodySchema.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        throw new MeridianError('invalid_request', `${where}${issue?.message ?? 'invalid body'}`, { status: 400 });
      }
      const proof = parsed.data.identityToken ? await bot.verifyIdentityToken(parsed.data.identityToken) : undefined;
      const result = await bot.receive(emulatorActivity(parsed.data, new Date(bot.clock.now()), proof));
      const caps = bot.capabilitiesOf(parsed.data.channel);
      res.json({
        conversationId: result.conversationId,
        locale: result.locale,
        duplicate: result.duplicate,
        replies: result.replies.flatMap((reply) => renderForCapabilities(reply, caps)),
      });
    } catch (error) {
      next(error);
    }
  };
}

/**
 * GET /api/emulator/outbox?address=email:ana@example.com: what the emulator transport delivered to an
 * address (a one-time code "sent" by e-mail, a reply), so a developer can play a customer on two channels.
 */
export function emulatorOutboxRoute(bot: Bot): RequestHandler {
  return (req, res) => {
    const address = typeof req.query['address'] === 'string' ? req.query['address'] : '';
    if (!/^[a-z]+:.{1,256}$/.test(address)) {
      res.status(400).json(errorBody('invalid_request', 'address: give a channel address such as email:ana@example.com'));
      return;
    }
    res.json({ address, messages: bot.emulatorMailbox(address) });
  };
}
