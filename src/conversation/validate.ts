import { CHANNELS, type InboundActivity } from '../core/activity.js';
import { MeridianError } from '../core/errors.js';

export interface ActivityLimits {
  /** Longest customer text accepted, in characters. */
  maxTextLength: number;
  /** Channels turns may arrive on (built-ins plus registered custom adapters). */
  channels: () => readonly string[];
}

export const DEFAULT_LIMITS: ActivityLimits = { maxTextLength: 4000, channels: () => CHANNELS };

/** Rejects activities the core cannot handle, before anything is stored. */
export function validateActivity(activity: InboundActivity, limits: ActivityLimits): void {
  const channels = limits.channels();
  if (!channels.includes(activity.channel)) {
    throw new MeridianError('unknown_channel', `unknown channel "${activity.channel}"; known: ${channels.join(', ')}`, { status: 400 });
  }
  if (typeof activity.id !== 'string' || activity.id.length === 0 || activity.id.length > 200) {
    throw new MeridianError('invalid_activity', 'activity id must be a string of 1 to 200 characters', { status: 400 });
  }
  if (typeof activity.text !== 'string') throw new MeridianError('invalid_activity', 'activity text must be a string', { status: 400 });
  if (activity.text.trim().length === 0 && activity.attachments.length === 0) {
    throw new MeridianError('empty_message', 'the message has no text and no attachments', { status: 400 });
  }
  if (activity.text.length > limits.maxTextLength) {
    throw new MeridianError(
      'text_too_long',
      `the message has ${activity.text.length} characters; at most ${limits.maxTextLength} are accepted`,
      { status: 413, details: { length: activity.text.length, max: limits.maxTextLength } },
    );
  }
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (activity.text.includes('\uFFFD') || /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(activity.text)) {
    throw new MeridianError('invalid_activity', 'the message text contains invalid or control characters', { status: 400 });
  }
}
