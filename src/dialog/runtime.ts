import type { JsonObject } from '../core/activity.js';
import { MeridianError } from '../core/errors.js';
import type { Middleware } from '../core/compose.js';
import type { TurnContext } from '../conversation/context.js';
import type { DialogState } from '../storage/records.js';
import type { Dialog, StepContext, StepOutcome } from './types.js';

export interface DialogRuntimeOptions {
  dialogs: readonly Dialog[];
  /** Runs when no dialog is active and none triggers. */
  fallback: string;
  /** Guards against dialogs that goto each other forever within one turn. */
  maxStepsPerTurn?: number;
}

/** The last middleware of the pipeline: continues the active dialog or starts one. */
export function dialogRuntime(options: DialogRuntimeOptions): Middleware<TurnContext> {
  const byId = new Map(options.dialogs.map((dialog) => [dialog.id, dialog]));
  if (!byId.has(options.fallback)) throw new MeridianError('dialog_error', `fallback dialog "${options.fallback}" is not registered`);
  for (const dialog of options.dialogs) {
    if (!(dialog.start in dialog.steps)) throw new MeridianError('dialog_error', `dialog "${dialog.id}" starts at unknown step "${dialog.start}"`);
  }
  const maxSteps = options.maxStepsPerTurn ?? 25;

  return async (ctx) => {
    let state = resumeState(ctx, byId);
    let input = ctx.text;
    if (!state) {
      const dialog = options.dialogs.find((candidate) => candidate.triggers?.(ctx)) ?? (byId.get(options.fallback) as Dialog);
      state = freshState(dialog);
      ctx.conversation.dialogs.push(state);
    }
    for (let steps = 0; ; steps++) {
      if (steps >= maxSteps) throw new MeridianError('dialog_error', `dialog "${state.dialogId}" ran ${maxSteps} steps in one turn without waiting`);
      const dialog = byId.get(state.dialogId) as Dialog;
      const step = dialog.steps[state.step];
      if (!step) throw new MeridianError('dialog_error', `dialog "${dialog.id}" has no step "${state.step}"`);
      const outcome = await step(stepContext(ctx, state, input));
      input = '';
      const next = apply(ctx, state, outcome, byId);
      if (!next) return;
      state = next;
    }
  };
}

function freshState(dialog: Dialog, values: JsonObject = {}): DialogState {
  return { dialogId: dialog.id, dialogVersion: dialog.version, step: dialog.start, values, retries: 0 };
}

/** The innermost active dialog, brought up to its current version; drops dialogs that no longer exist. */
function resumeState(ctx: TurnContext, byId: ReadonlyMap<string, Dialog>): DialogState | undefined {
  const stack = ctx.conversation.dialogs;
  while (stack.length > 0) {
    const state = stack[stack.length - 1] as DialogState;
    const dialog = byId.get(state.dialogId);
    if (!dialog) {
      ctx.log.warn({ dialogId: state.dialogId }, 'dropping state of a dialog that is no longer registered');
      stack.pop();
      continue;
    }
    if (state.dialogVersion !== dialog.version) {
      const migrated = dialog.migrate?.({ step: state.step, version: state.dialogVersion, values: state.values });
      if (migrated && migrated.step in dialog.steps) {
        Object.assign(state, { step: migrated.step, values: migrated.values, dialogVersion: dialog.version });
      } else if (state.step in dialog.steps) {
        state.dialogVersion = dialog.version;
      } else {
        ctx.log.warn({ dialogId: dialog.id, step: state.step }, 'step no longer exists after a dialog change; restarting the dialog');
        Object.assign(state, freshState(dialog));
      }
    } else if (!(state.step in dialog.steps)) {
      Object.assign(state, freshState(dialog));
    }
    return state;
  }
  return undefined;
}

function stepContext(ctx: TurnContext, state: DialogState, input: string): StepContext {
  const outcomes = {
    input,
    values: state.values,
    retries: state.retries,
    wait: (step: string): StepOutcome => ({ kind: 'wait', step }),
    retry: (): StepOutcome => ({ kind: 'wait', step: state.step }),
    goto: (step: string): StepOutcome => ({ kind: 'goto', step }),
    end: (): StepOutcome => ({ kind: 'end' }),
    begin: (dialogId: string, values?: JsonObject): StepOutcome => (values ? { kind: 'begin', dialogId, values } : { kind: 'begin', dialogId }),
  };
  // The step context is the turn context plus step helpers; it forwards to ctx so say/t stay live.
  return new Proxy(ctx, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in outcomes) return outcomes[property as keyof typeof outcomes];
      return Reflect.get(target, property, receiver);
    },
  }) as StepContext;
}

/** Applies a step's outcome; returns the state to run next within this turn, or undefined to stop. */
function apply(ctx: TurnContext, state: DialogState, outcome: StepOutcome, byId: ReadonlyMap<string, Dialog>): DialogState | undefined {
  const stack = ctx.conversation.dialogs;
  switch (outcome.kind) {
    case 'wait': {
      state.retries = outcome.step === state.step ? state.retries + 1 : 0;
      state.step = requireStep(byId, state.dialogId, outcome.step);
      return undefined;
    }
    case 'goto': {
      state.step = requireStep(byId, state.dialogId, outcome.step);
      state.retries = 0;
      return state;
    }
    case 'end': {
      stack.splice(stack.indexOf(state), 1);
      return undefined;
    }
    case 'begin': {
      const dialog = byId.get(outcome.dialogId);
      if (!dialog) throw new MeridianError('dialog_error', `dialog "${state.dialogId}" began unknown dialog "${outcome.dialogId}"`);
      const child = freshState(dialog, outcome.values ?? {});
      stack.push(child);
      return child;
    }
  }
}

function requireStep(byId: ReadonlyMap<string, Dialog>, dialogId: string, step: string): string {
  const dialog = byId.get(dialogId) as Dialog;
  if (!(step in dialog.steps)) throw new MeridianError('dialog_error', `dialog "${dialogId}" has no step "${step}"`);
  return step;
}
