/**
 * A custom channel adapter: a JSON webhook signed with HMAC-SHA256 (as many chat platforms do) that
 * replies by POSTing to a callback URL. Verify, parse, send: that is all an adapter needs.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CHANNEL_CAPABILITIES, MeridianError, type ChannelAdapter, type InboundActivity } from 'meridian-bot';

export interface JsonWebhookOptions {
  /** Shared secret the platform signs webhooks with. */
  secret: string;
  /** Where replies go. */
  callbackUrl: string;
  /** Injected so tests can capture sends without a network. */
  fetch?: typeof fetch;
}

interface IncomingMessage {
  messageId: string;
  userId: string;
  text: string;
  locale?: string;
}

export function createJsonWebhookAdapter(options: JsonWebhookOptions): ChannelAdapter {
  const send = options.fetch ?? fetch;
  return {
    id: 'acme-chat',
    channel: 'acme-chat',
    capabilities: { ...CHANNEL_CAPABILITIES['webchat']!, maxButtons: 5, cards: false },
    webhookPath: 'acme-chat',
    verify(request) {
      const expected = Buffer.from(`sha256=${createHmac('sha256', options.secret).update(request.rawBody).digest('hex')}`);
      const given = Buffer.from(request.headers['x-acme-signature'] ?? '');
      return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, status: 401, reason: 'invalid X-Acme-Signature' };
    },
    parse(request): InboundActivity[] {
      const body = JSON.parse(request.rawBody.toString('utf8')) as Partial<IncomingMessage>;
      if (typeof body.messageId !== 'string' || typeof body.userId !== 'string' || typeof body.text !== 'string') {
        throw new MeridianError('invalid_request', 'an acme-chat message needs messageId, userId and text', { status: 400 });
      }
      const address = `acme-chat:${body.userId}`;
      return [{ id: body.messageId, channel: 'acme-chat', address, conversationKey: address, text: body.text, attachments: [], timestamp: new Date().toISOString(), transport: 'acme-chat', ...(body.locale ? { localeHint: body.locale } : {}), raw: body as Record<string, string> }];
    },
    async send(delivery) {
      const response = await send(options.callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': delivery.idempotencyKey },
        body: JSON.stringify({ to: delivery.address.slice('acme-chat:'.length), messages: delivery.messages }),
      });
      // Throwing makes the outbox retry with back-off; the idempotency key keeps retries safe.
      if (!response.ok) throw new Error(`acme-chat answered ${response.status}`);
    },
  };
}
