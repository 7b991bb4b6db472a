import type { JsonObject } from '../core/activity.js';
import type { TurnContext } from '../conversation/context.js';

/** What a step decides: wait for the next message at a step, run another step now, end, or start another dialog. */
export type StepOutcome =
  | { kind: 'wait'; step: string }
  | { kind: 'goto'; step: string }
  | { kind: 'end' }
  | { kind: 'begin'; dialogId: string; values?: JsonObject };

export interface StepContext extends TurnContext {
  /** The customer's text this step answers; empty when the step was reached by goto. */
  readonly input: string;
  /** Values this dialog has collected; saved with the dialog state. */
  readonly values: JsonObject;
  /** Failed attempts at this step so far. */
  readonly retries: number;
  wait(step: string): StepOutcome;
  /** Waits at the same step again and counts a retry. */
  retry(): StepOutcome;
  goto(step: string): StepOutcome;
  end(): StepOutcome;
  begin(dialogId: string, values?: JsonObject): StepOutcome;
}

export type Step = (ctx: StepContext) => StepOutcome | Promise<StepOutcome>;

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
  /** Whether this dialog should start for a message when no dialog is active (checked in order). */
  triggers?(ctx: TurnContext): boolean;
  /** Maps the state of an older version onto this one; return undefined to restart the dialog. */
  migrate?(state: { step: string; version: number; values: JsonObject }): { step: string; values: JsonObject } | undefined;
}
