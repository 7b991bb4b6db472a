/** The normalized shapes that travel between adapters and the conversation core. */

export const CHANNELS = ['webchat', 'whatsapp', 'sms', 'voice', 'email', 'teams'] as const;
export type KnownChannel = (typeof CHANNELS)[number];
/** Built-in channels plus any a deployment adds through a custom adapter. */
export type ChannelName = KnownChannel | (string & {});

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Attachment {
  /** MIME type, e.g. image/jpeg. */
  contentType: string;
  url?: string;
  name?: string;
  /** Size in bytes when the channel tells us. */
  size?: number;
}

export interface InboundActivity {
  /** The channel's own message id; (channel, id) is the deduplication key. */
  id: string;
  channel: ChannelName;
  /** Round-tripping address of the sender, e.g. `whatsapp:+4915112345678`. */
  address: string;
  /** Groups activities into one conversation; defaults to the address. */
  conversationKey: string;
  text: string;
  attachments: Attachment[];
  /** ISO 8601 time the channel says the message was sent. */
  timestamp: string;
  /** A language the channel suggests (browser language, explicit picker, profile). */
  localeHint?: string;
  /** True when the customer chose the language explicitly (a picker), so it overrides detection. */
  localeExplicit?: boolean;
  /** Which transport delivers the replies (an adapter id); the emulator uses 'emulator'. */
  transport: string;
  /** The channel payload as received, kept for audits and adapters (dropped when it held a card number). */
  raw?: JsonValue;
  /** Set when a payment card number was removed from the text before anything was stored. */
  cardNumberRemoved?: boolean;
  /**
   * Set only by an adapter (or the emulator) that verified a proof of who the sender is, such as the
   * shop's signed web-chat login token: the identity is then linked to that shop customer's profile.
   */
  identityProof?: { method: 'signed_token'; shopCustomerId: string };
}

export interface Button {
  /** What the customer sees. */
  title: string;
  /** What comes back as the customer's text when the button is chosen. */
  value: string;
}

export interface Card {
  title: string;
  subtitle?: string;
  imageUrl?: string;
  buttons?: Button[];
}

export interface OutboundMessage {
  text: string;
  buttons?: Button[];
  cards?: Card[];
  attachments?: Attachment[];
  /** Set when this message hands the conversation over to a human. */
  handoff?: { reason: string };
}

/** What an adapter receives to send: a message already rendered for the channel's capabilities. */
export interface RenderedMessage {
  text: string;
  buttons?: Button[];
  cards?: Card[];
  attachments?: Attachment[];
  handoff?: { reason: string };
}
