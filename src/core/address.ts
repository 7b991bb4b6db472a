import { MeridianError } from './errors.js';
import type { ChannelName } from './activity.js';

/**
 * Addresses are prefixed strings that round-trip: `whatsapp:+4915112345678`, `email:ana@example.com`,
 * `sms:+15551234567`, `webchat:<session>`, `teams:<aadObjectId>`.
 */
export interface Address {
  channel: ChannelName;
  id: string;
}

const CHANNEL_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

export function formatAddress(address: Address): string {
  if (!CHANNEL_PATTERN.test(address.channel)) {
    throw new MeridianError('invalid_activity', `channel name "${address.channel}" must be lowercase letters, digits or dashes`, { status: 400 });
  }
  if (address.id.length === 0) throw new MeridianError('invalid_activity', 'an address needs a non-empty id', { status: 400 });
  return `${address.channel}:${address.id}`;
}

export function parseAddress(value: string): Address {
  const colon = value.indexOf(':');
  const channel = colon > 0 ? value.slice(0, colon) : '';
  const id = colon > 0 ? value.slice(colon + 1) : '';
  if (!CHANNEL_PATTERN.test(channel) || id.length === 0) {
    throw new MeridianError('invalid_activity', `"${value}" is not an address; expected <channel>:<id>, e.g. sms:+15551234567`, { status: 400 });
  }
  return { channel, id };
}

/** Normalizes the sender id a person types for a channel (phone numbers lose spaces, e-mail is lower-cased). */
export function normalizeSenderId(channel: ChannelName, id: string): string {
  const trimmed = id.trim();
  if (channel === 'whatsapp' || channel === 'sms' || channel === 'voice') {
    const compact = trimmed.replace(/[\s().-]/g, '');
    if (!/^\+?[0-9]{4,17}$/.test(compact)) {
      throw new MeridianError('invalid_activity', `"${id}" is not a phone number for ${channel}; use E.164, e.g. +4915112345678`, { status: 400 });
    }
    return compact.startsWith('+') ? compact : `+${compact}`;
  }
  if (channel === 'email') {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) {
      throw new MeridianError('invalid_activity', `"${id}" is not an e-mail address`, { status: 400 });
    }
    return trimmed.toLowerCase();
  }
  if (trimmed.length === 0 || trimmed.length > 256) {
    throw new MeridianError('invalid_activity', `sender id for ${channel} must be 1 to 256 characters`, { status: 400 });
  }
  return trimmed;
}
