import type { JsonObject } from '../core/activity.js';
import type { TurnContext } from '../conversation/context.js';
import type { IntentName } from '../nlu/types.js';

/** What a step decides: wait for the next message at a step, run another step now, end, or start another dialog. */
export type StepOutcome =
  | { kind: 'wait'; step: string; retry?: boolean }
  | { kind: 'goto'; step: string }
  | { kind: 'end' }
  | { kind: 'begin'; dialogId: string; values?: JsonObject; then?: string };

export interface StepContext extends TurnContext {
  /** The customer's text this step answers; empty when the step was reached by goto. */
  readonly input: string;
  /**
   * True when the step is entered (dialog start, goto, begin, or resuming after an interruption) rather
   * than answering a message it waited for: a prompt asks its question when entering.
   */
  readonly entering: boolean;
  /**
   * True when this dialog continues after another one on top of it ended in this turn: the message was
   * meant for that other dialog, so do not read answers (prefill slots) from it.
   */
  readonly resumed: boolean;
  /** Values this dialog has collected; saved with the dialog state. */
  readonly values: JsonObject;
  /** Failed attempts at this step so far. */
  readonly retries: number;
  wait(step: string): StepOutcome;
  /** Waits at this step again and counts a failed attempt (see `retries`). */
  retry(): StepOutcome;
  /** Waits at this step for an answer, without counting a failed attempt (a prompt that just asked). */
  stay(): StepOutcome;
  goto(step: string): StepOutcome;
  end(): StepOutcome;
  /** Starts another dialog on top; when it ends, this dialog continues at `then` (default: this step, entering again). */
  begin(dialogId: string, values?: JsonObject, then?: string): StepOutcome;
}

export type StepFunction = (ctx: StepContext) => StepOutcome | Promise<StepOutcome>;

/** A step is a function; a prompt step also says whether an input answers it (for interruptions). */
export type Step = StepFunction & {
  /** For prompt steps: whether this text answers the prompt; an input that does not may start another dialog. */
  accepts?(ctx: StepContext): boolean;
  /** Steps this one can go to that its code names only at run time (shared step builders declare them for lint and graph). */
  leadsTo?: readonly string[];
  /** For prompt steps: the prompt's options (read by `meridian dialogs lint` and `graph`). */
  prompt?: { maxRetries?: number; [part: string]: unknown };
};

/**
 * A dialog is a typed module: named steps, a version, and the step to start at. State is saved as
 * (dialog id, version, step name, values), so editing a dialog never strands a live conversation at a
 * step index that now means something else.
 */
export interface Dialog {
  id: string;
  version: number;
  start: string;
  steps: Readonly<Record<string, Step>>;
  /** Whether this dialog should start for a message (checked in registration order). */
  triggers?(ctx: TurnContext): boolean;
  /** Intents that start this dialog when the classifier is confident enough (see minConfidence). */
  intents?: readonly IntentName[];
  /** Confidence an intent needs to start this dialog; default 0.5. */
  minConfidence?: number;
  /** Maps the state of an older version onto this one; return undefined to restart the dialog. */
  migrate?(state: { step: string; version: number; values: JsonObject }): { step: string; values: JsonObject } | undefined;
}
