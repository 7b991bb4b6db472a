import type { JsonObject } from '../core/activity.js';
import { MeridianError } from '../core/errors.js';
import type { Middleware } from '../core/compose.js';
import type { TurnContext } from '../conversation/context.js';
import type { DialogState } from '../storage/records.js';
import { normalize } from './parsers.js';
import type { Dialog, StepContext, StepOutcome } from './types.js';

/** Confidence at which another intent interrupts a prompt even though the message could answer it. */
const INTERRUPT_CONFIDENCE = 0.9;
/** Confidence another intent needs to interrupt a question the message does not answer. */
const INTERRUPT_MIN_CONFIDENCE = 0.75;

export interface DialogRuntimeOptions {
  dialogs: readonly Dialog[];
  /** Runs when no dialog is active and none triggers. */
  fallback: string;
  /** Guards against dialogs that goto each other forever within one turn. */
  maxStepsPerTurn?: number;
  /** Words (normalized, all languages) that cancel the active dialog or restart it. */
  controlWords?: { cancel: ReadonlySet<string>; restart: ReadonlySet<string> };
}

/** Whether a dialog wants to start for this message: its trigger function or a confident intent. */
export function dialogTriggers(dialog: Dialog, ctx: TurnContext): boolean {
  if (dialog.triggers?.(ctx)) return true;
  const intent = ctx.nlu?.intent;
  if (!intent || !dialog.intents || intent.intent === 'out_of_scope') return false;
  return dialog.intents.includes(intent.intent) && intent.confidence >= (dialog.minConfidence ?? 0.5);
}

/**
 * The last middleware of the pipeline: continues the active dialog or starts one. A message that does
 * not answer the waiting prompt but starts another dialog interrupts: the other dialog runs on top of
 * the stack and, when it ends, the interrupted one resumes by asking its question again.
 */
export function dialogRuntime(options: DialogRuntimeOptions): Middleware<TurnContext> {
  const byId = new Map(options.dialogs.map((dialog) => [dialog.id, dialog]));
  if (!byId.has(options.fallback)) throw new MeridianError('dialog_error', `fallback dialog "${options.fallback}" is not registered`);
  for (const dialog of options.dialogs) {
    if (!(dialog.start in dialog.steps)) throw new MeridianError('dialog_error', `dialog "${dialog.id}" starts at unknown step "${dialog.start}"`);
  }
  const maxSteps = options.maxStepsPerTurn ?? 25;
  const starter = (ctx: TurnContext, except?: string) => options.dialogs.find((candidate) => candidate.id !== except && dialogTriggers(candidate, ctx));

  const control = options.controlWords;

  return async (ctx) => {
    let state = resumeState(ctx, byId);
    let entering = false;
    const word = normalize(ctx.text);
    // A control word that answers the waiting question ("cancel" when asked "cancel the order?") is an answer.
    const waitingStep = state ? (byId.get(state.dialogId) as Dialog).steps[state.step] : undefined;
    const answersWaiting = state !== undefined && (waitingStep?.accepts?.(stepContext(ctx, state, ctx.text, false, false)) ?? false);
    if (state && !answersWaiting && control?.cancel.has(word)) {
      ctx.conversation.dialogs.splice(0);
      ctx.say(ctx.t('dialog.cancelled'));
      return;
    }
    if (state && !answersWaiting && control?.restart.has(word)) {
      Object.assign(state, freshState(byId.get(state.dialogId) as Dialog));
      entering = true;
    } else if (!state) {
      state = push(ctx, starter(ctx) ?? (byId.get(options.fallback) as Dialog));
      entering = true;
    } else {
      // Another request interrupts a prompt when the message does not answer it, or when it is a very
      // confident other intent ("where is order B7777?" while a return asks for an order number).
      const other = waitingStep?.accepts ? starter(ctx, state.dialogId) : undefined;
      // A short answer ("não", "ok", "A1043") is never taken as another request, however confident the classifier.
      const longEnough = ctx.text.trim().split(/\s+/u).length >= 3 || /[\u3040-\u30ff\u4e00-\u9fff]{6,}/u.test(ctx.text);
      const confidence = ctx.nlu?.intent.confidence ?? 0;
      // Leaving a question half-answered needs clearer evidence than starting a dialog: the other dialog's
      // own keywords, or a confident intent.
      const clear = other !== undefined && (other.triggers?.(ctx) === true || confidence >= INTERRUPT_MIN_CONFIDENCE);
      const interrupting = other && clear && (!answersWaiting || (longEnough && confidence >= INTERRUPT_CONFIDENCE)) ? other : undefined;
      if (interrupting) {
        ctx.log.debug({ from: state.dialogId, to: interrupting.id }, 'dialog interrupted');
        state = push(ctx, interrupting);
        entering = true;
      }
    }
    let input = entering && control?.restart.has(word) ? '' : ctx.text;
    let resumed = false;
    for (let steps = 0; ; steps++) {
      if (steps >= maxSteps) throw new MeridianError('dialog_error', `dialog "${state.dialogId}" ran ${maxSteps} steps in one turn without waiting`);
      const dialog = byId.get(state.dialogId) as Dialog;
      const step = dialog.steps[state.step];
      if (!step) throw new MeridianError('dialog_error', `dialog "${dialog.id}" has no step "${state.step}"`);
      const outcome = await step(stepContext(ctx, state, input, entering, resumed));
      input = '';
      const next = apply(ctx, state, outcome, byId);
      if (!next) return;
      state = next.state;
      entering = next.entering;
      resumed ||= next.resumed === true;
    }
  };
}

function freshState(dialog: Dialog, values: JsonObject = {}): DialogState {
  return { dialogId: dialog.id, dialogVersion: dialog.version, step: dialog.start, values, retries: 0 };
}

function push(ctx: TurnContext, dialog: Dialog, values?: JsonObject): DialogState {
  const state = freshState(dialog, values);
  ctx.conversation.dialogs.push(state);
  return state;
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

function stepContext(ctx: TurnContext, state: DialogState, input: string, entering: boolean, resumed: boolean): StepContext {
  const outcomes = {
    input,
    entering,
    resumed,
    values: state.values,
    retries: state.retries,
    wait: (step: string): StepOutcome => ({ kind: 'wait', step }),
    retry: (): StepOutcome => ({ kind: 'wait', step: state.step, retry: true }),
    stay: (): StepOutcome => ({ kind: 'wait', step: state.step }),
    goto: (step: string): StepOutcome => ({ kind: 'goto', step }),
    end: (): StepOutcome => ({ kind: 'end' }),
    begin: (dialogId: string, values?: JsonObject, then?: string): StepOutcome => ({
      kind: 'begin',
      dialogId,
      ...(values ? { values } : {}),
      ...(then ? { then } : {}),
    }),
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
function apply(
  ctx: TurnContext,
  state: DialogState,
  outcome: StepOutcome,
  byId: ReadonlyMap<string, Dialog>,
): { state: DialogState; entering: boolean; resumed?: boolean } | undefined {
  const stack = ctx.conversation.dialogs;
  switch (outcome.kind) {
    case 'wait': {
      state.retries = outcome.retry && outcome.step === state.step ? state.retries + 1 : 0;
      state.step = requireStep(byId, state.dialogId, outcome.step);
      return undefined;
    }
    case 'goto': {
      state.step = requireStep(byId, state.dialogId, outcome.step);
      state.retries = 0;
      return { state, entering: true };
    }
    case 'end': {
      stack.splice(stack.indexOf(state), 1);
      // Resume the dialog this one interrupted (or was begun from): its current step asks again.
      const parent = stack[stack.length - 1];
      return parent ? { state: parent, entering: true, resumed: true } : undefined;
    }
    case 'begin': {
      const dialog = byId.get(outcome.dialogId);
      if (!dialog) throw new MeridianError('dialog_error', `dialog "${state.dialogId}" began unknown dialog "${outcome.dialogId}"`);
      if (outcome.then !== undefined) state.step = requireStep(byId, state.dialogId, outcome.then);
      state.retries = 0;
      return { state: push(ctx, dialog, outcome.values ?? {}), entering: true };
    }
  }
}

function requireStep(byId: ReadonlyMap<string, Dialog>, dialogId: string, step: string): string {
  const dialog = byId.get(dialogId) as Dialog;
  if (!(step in dialog.steps)) throw new MeridianError('dialog_error', `dialog "${dialogId}" has no step "${step}"`);
  return step;
}
