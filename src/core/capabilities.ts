import type { Button, ChannelName, OutboundMessage, RenderedMessage } from './activity.js';

/**
 * What a channel can show. Capabilities are data, so a dialog never knows which channel it talks to:
 * the renderer turns buttons into a numbered list on SMS, trims to the channel's length, and so on.
 */
export interface ChannelCapabilities {
  /** Max buttons shown as buttons; 0 means none (a numbered list is used instead). */
  maxButtons: number;
  cards: boolean;
  attachments: boolean;
  /** Longest text the channel accepts in one message; longer text is split. */
  maxTextLength: number;
  markdown: boolean;
  typing: boolean;
  /** Speech channels: replies are read aloud, so no lists of links or symbols. */
  voice: boolean;
}

/** Capabilities of the built-in channels, used by adapters and by the emulator to render as they would. */
export const CHANNEL_CAPABILITIES: Readonly<Record<string, ChannelCapabilities>> = {
  webchat: { maxButtons: 10, cards: true, attachments: true, maxTextLength: 10_000, markdown: true, typing: true, voice: false },
  // WhatsApp interactive reply buttons allow at most 3; longer choices become a numbered list.
  whatsapp: { maxButtons: 3, cards: false, attachments: true, maxTextLength: 4096, markdown: true, typing: true, voice: false },
  // A concatenated SMS is capped at 1600 characters by Twilio.
  sms: { maxButtons: 0, cards: false, attachments: false, maxTextLength: 1600, markdown: false, typing: false, voice: false },
  voice: { maxButtons: 0, cards: false, attachments: false, maxTextLength: 1000, markdown: false, typing: false, voice: true },
  email: { maxButtons: 0, cards: false, attachments: true, maxTextLength: 100_000, markdown: false, typing: false, voice: false },
  teams: { maxButtons: 6, cards: true, attachments: true, maxTextLength: 28_000, markdown: true, typing: true, voice: false },
};

export const PLAIN_TEXT_CAPABILITIES: ChannelCapabilities = CHANNEL_CAPABILITIES['sms'] as ChannelCapabilities;

export function capabilitiesFor(channel: ChannelName): ChannelCapabilities {
  return CHANNEL_CAPABILITIES[channel] ?? PLAIN_TEXT_CAPABILITIES;
}

/** Turns a channel-neutral message into one or more messages the channel can show. */
export function renderForCapabilities(message: OutboundMessage, caps: ChannelCapabilities): RenderedMessage[] {
  let text = message.text;
  let buttons: Button[] | undefined = message.buttons && message.buttons.length > 0 ? message.buttons : undefined;
  if (buttons && buttons.length > caps.maxButtons) {
    text = appendChoiceList(text, buttons, caps.voice);
    buttons = undefined;
  }
  let cardsText = '';
  const cards = caps.cards ? message.cards : undefined;
  if (!caps.cards && message.cards && message.cards.length > 0) {
    cardsText = message.cards.map((card) => [card.title, card.subtitle].filter(Boolean).join(' — ')).join('\n');
  }
  if (cardsText) text = `${text}\n${cardsText}`;
  if (!caps.markdown) text = stripMarkdown(text);

  const parts = splitText(text, caps.maxTextLength);
  return parts.map((part, index) => {
    const last = index === parts.length - 1;
    const rendered: RenderedMessage = { text: part };
    if (last && buttons) rendered.buttons = buttons;
    if (last && cards && cards.length > 0) rendered.cards = cards;
    if (last && caps.attachments && message.attachments && message.attachments.length > 0) rendered.attachments = message.attachments;
    if (last && message.handoff) rendered.handoff = message.handoff;
    return rendered;
  });
}

function appendChoiceList(text: string, buttons: Button[], voice: boolean): string {
  if (voice) {
    return `${text} ${buttons.map((button, i) => `${i + 1}: ${button.title}.`).join(' ')}`;
  }
  return `${text}\n${buttons.map((button, i) => `${i + 1}. ${button.title}`).join('\n')}`;
}

function stripMarkdown(text: string): string {
  if (!/[*_[]/.test(text)) return text;
  return text.replace(/\*\*(.+?)\*\*/g, '$1').replace(/__(.+?)__/g, '$1').replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)');
}

/** Splits on paragraph, line or word boundaries so no part exceeds `max` characters. */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
