import type { OutboundMessage } from '../core/activity.js';
import type { ChannelAdapter, Delivery } from '../core/adapter.js';
import { capabilitiesFor } from '../core/capabilities.js';

/**
 * Messages sent outside the turn that caused them, to another of the customer's channels: a one-time
 * code to the e-mail or phone on file. They go through the same dispatcher and outbox as replies.
 */
export interface Outbound {
  /** Whether a message can go to this channel: an adapter for it, or the emulator's mailbox in development. */
  canReach(channel: string): boolean;
  /** Sends (or queues for retry); `key` makes it idempotent, e.g. the turn's idempotency key plus a suffix. */
  send(address: string, message: OutboundMessage, locale: string, key: string): Promise<void>;
}

export interface MailboxItem {
  address: string;
  text: string;
  at: number;
}

/**
 * What the emulator transport delivered, newest last and bounded, so a developer (or a test) can read
 * the code "sent" to an e-mail address or phone without a real channel: GET /api/emulator/outbox.
 */
export class EmulatorMailbox {
  private readonly items: MailboxItem[] = [];
  constructor(private readonly capacity = 500) {}
  record(delivery: Delivery, at: number): void {
    for (const message of delivery.messages) this.items.push({ address: delivery.address, text: message.text, at });
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }
  read(address: string): MailboxItem[] {
    return this.items.filter((item) => item.address === address);
  }
}

/** The emulator's transport: the HTTP response (or the CLI) shows the replies; the mailbox keeps them for reading back. */
export function emulatorTransport(mailbox: EmulatorMailbox | undefined, now: () => number): ChannelAdapter {
  return {
    id: 'emulator',
    channel: 'emulator',
    capabilities: capabilitiesFor('webchat'),
    async send(delivery) {
      mailbox?.record(delivery, now());
    },
  };
}
