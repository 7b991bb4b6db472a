import type { Button, JsonValue } from '../core/activity.js';
import type { TurnContext } from '../conversation/context.js';
import type { Step, StepContext, StepOutcome } from './types.js';

export interface PromptOptions<V extends JsonValue> {
  /** Where the answer is kept in the dialog's values. */
  slot: string;
  /** Asks the question (ctx.ask with buttons, or ctx.say). */
  ask(ctx: StepContext): void;
  /** Reads the answer from the message; undefined when the message is not an answer. */
  parse(ctx: StepContext): V | undefined;
  /**
   * Fills the slot from what the customer already said, when the step is entered: "return the blue shirt
   * from order A1043" answers the order question before it is asked.
   */
  prefill?(ctx: StepContext): V | undefined;
  /** Says why the answer was not taken, before the question is asked again (default: catalog `prompt.invalid`). */
  invalid?(ctx: StepContext): void;
  /** Failed answers before Meridian offers a human or a fresh start (default 2). */
  maxRetries?: number;
  /** What happens with a valid answer (also saved in ctx.values[slot]). */
  then(ctx: StepContext, value: V): StepOutcome | Promise<StepOutcome>;
}

/**
 * A step that asks for one value, validates it and asks again; after too many failed answers it offers a
 * human. Because it says which inputs answer it (`accepts`), a customer can interrupt it with another
 * request and come back to it.
 */
export function prompt<V extends JsonValue>(options: PromptOptions<V>): Step {
  const maxRetries = options.maxRetries ?? 2;
  const accept = async (ctx: StepContext, value: V): Promise<StepOutcome> => {
    ctx.values[options.slot] = value;
    return options.then(ctx, value);
  };
  const step = async (ctx: StepContext): Promise<StepOutcome> => {
    if (ctx.entering) {
      const known = ctx.values[options.slot];
      if (known !== undefined) return options.then(ctx, known as V);
      const prefilled = ctx.resumed ? undefined : options.prefill?.(ctx);
      if (prefilled !== undefined) return accept(ctx, prefilled);
      options.ask(ctx);
      return ctx.stay();
    }
    const value = options.parse(ctx);
    if (value !== undefined) return accept(ctx, value);
    if (ctx.retries >= maxRetries) {
      // Stay at the question: the customer can still answer, pick a person, or start over.
      offerHuman(ctx);
      return ctx.stay();
    }
    if (options.invalid) options.invalid(ctx);
    else ctx.say(ctx.t('prompt.invalid'));
    options.ask(ctx);
    return ctx.retry();
  };
  // `prompt` is kept on the step for tools (dialogs lint/graph) that read where a prompt leads.
  return Object.assign(step, { accepts: (ctx: StepContext) => options.parse(ctx) !== undefined, prompt: { ...options } as Record<string, unknown> & { maxRetries?: number } });
}

/** The button that reaches a person (the human-request middleware answers its value in any state). */
export function humanButton(ctx: TurnContext): Button {
  return { title: ctx.t('prompt.human_button'), value: 'agent' };
}

/** Yes/no buttons with the dialog's own titles; their values are what `parsers.yesNo` reads. */
export function yesNoButtons(ctx: TurnContext, yesKey: string, noKey: string): Button[] {
  return [
    { title: ctx.t(yesKey), value: 'yes' },
    { title: ctx.t(noKey), value: 'no' },
  ];
}

/** After repeated misunderstandings: offer a person or a fresh start, never a loop. */
export function offerHuman(ctx: StepContext): void {
  const buttons: Button[] = [
    humanButton(ctx),
    { title: ctx.t('prompt.restart_button'), value: ctx.t('prompt.restart_value') },
  ];
  ctx.ask(ctx.t('prompt.too_many'), buttons);
}
