/**
 * botbuilder baseline: the order-lookup conversation written the way a botbuilder (v4) user
 * would write it — ConversationState over MemoryStorage, a DialogSet with a 3-step
 * WaterfallDialog and TextPrompts — driven through botbuilder's TestAdapter.
 */
import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, type Activity, type TurnContext } from 'botbuilder';
import {
  DialogSet,
  DialogTurnStatus,
  TextPrompt,
  WaterfallDialog,
  type DialogState,
  type PromptValidatorContext,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import {
  askEmailReply,
  conversationScript,
  emailMismatchReply,
  expectedFinalReply,
  expectedReplies,
  findOrder,
  findOrderByNumber,
  greetingReply,
  statusReply,
  unknownOrderReply,
} from './order-fixture.js';
import { forceGc, LatencyRecorder, measureHeapPerItem } from './measure.js';

export interface BaselineResult {
  turns: number;
  turnsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  bytesPerConversation: number;
  conversationsMeasured: number;
}

export interface BaselineOptions {
  conversations: number;
  memoryConversations: number;
  warmupConversations?: number;
}

const LOOKUP_DIALOG = 'orderLookup';
const ORDER_PROMPT = 'orderNumberPrompt';
const EMAIL_PROMPT = 'emailPrompt';
const CHANNEL_ID = 'test';

interface LookupValues {
  orderNumber?: string;
}

/** One bot instance: its storage, its adapter, and a way to push a user message through it. */
interface BotbuilderHarness {
  adapter: TestAdapter;
  /** MemoryStorage's backing object (passed to its constructor), so we can count state entries. */
  memory: Record<string, string>;
  /** Runs one turn for conversation `conv` and returns (and removes) the bot's reply texts. */
  turn(conv: string, text: string): Promise<string[]>;
}

function createHarness(): BotbuilderHarness {
  const memory: Record<string, string> = {};
  const storage = new MemoryStorage(memory);
  const conversationState = new ConversationState(storage);
  const dialogs = new DialogSet(conversationState.createProperty<DialogState>('DialogState'));

  // Unknown numbers: say so ourselves and return false; because the turn has then already
  // responded, the prompt does not add its own re-prompt, and it stays active (we "stay").
  const orderNumberValidator = async (pc: PromptValidatorContext<string>): Promise<boolean> => {
    const text = pc.recognized.value ?? '';
    if (pc.recognized.succeeded && findOrderByNumber(text) !== undefined) return true;
    await pc.context.sendActivity(unknownOrderReply(text.trim()));
    return false;
  };

  dialogs.add(new TextPrompt(ORDER_PROMPT, orderNumberValidator));
  dialogs.add(new TextPrompt(EMAIL_PROMPT));
  dialogs.add(
    new WaterfallDialog(LOOKUP_DIALOG, [
      async (step: WaterfallStepContext) => step.prompt(ORDER_PROMPT, greetingReply()),
      async (step: WaterfallStepContext) => {
        // The validator guarantees the number exists; store the canonical spelling.
        const order = findOrderByNumber(String(step.result));
        if (order === undefined) throw new Error(`validator let unknown order through: ${String(step.result)}`);
        (step.values as LookupValues).orderNumber = order.number;
        return step.prompt(EMAIL_PROMPT, askEmailReply(order.number));
      },
      async (step: WaterfallStepContext) => {
        const number = (step.values as LookupValues).orderNumber ?? '';
        const order = findOrder(number, String(step.result));
        await step.context.sendActivity(order !== undefined ? statusReply(order) : emailMismatchReply(number));
        return step.endDialog();
      },
    ]),
  );

  const botLogic = async (context: TurnContext): Promise<void> => {
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(LOOKUP_DIALOG);
    // What a botbuilder bot does at the end of every turn (e.g. in ActivityHandler.run).
    await conversationState.saveChanges(context, false);
  };

  const adapter = new TestAdapter(botLogic);
  // Keep the default empty `template`: TestAdapter applies it with Object.assign AFTER the
  // activity's own fields, so a template with `conversation`/`from` would merge all
  // conversations into one.
  const bot = adapter.conversation.bot;

  const turn = async (conv: string, text: string): Promise<string[]> => {
    // TestAdapter fills missing addressing from its single ConversationReference ("Convo1",
    // user "user1"); setting conversation and from on every activity makes the storage key
    // `${channelId}/conversations/${conversation.id}/` distinct per conversation.
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      channelId: CHANNEL_ID,
      conversation: { id: conv, name: conv, isGroup: false, conversationType: 'personal' },
      from: { id: `user-${conv}`, name: `User ${conv}` },
      recipient: bot,
      text,
    };
    await adapter.processActivity(activity);
    // Drain, or activeQueue grows by every reply ever sent.
    return adapter.activeQueue.splice(0).map((a) => a.text ?? '');
  };

  return { adapter, memory, turn };
}

function liveEntries(memory: Record<string, string>): string[] {
  // MemoryStorage.delete() assigns undefined instead of deleting the key.
  return Object.keys(memory).filter((k) => memory[k] !== undefined);
}

function storageKey(conv: string): string {
  return `${CHANNEL_ID}/conversations/${conv}/`;
}

function expectReplies(label: string, actual: readonly string[], expected: readonly string[]): void {
  if (actual.length !== expected.length || actual.some((t, k) => t !== expected[k])) {
    throw new Error(`${label}: expected replies ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Exercises the unhappy paths once, so the baseline is known to implement the whole contract. */
async function selfCheck(): Promise<void> {
  const h = createHarness();
  const script = conversationScript(7);
  const [greeting, askEmail] = expectedReplies(7);
  const order = findOrderByNumber(script[1]);
  if (order === undefined) throw new Error('fixture order 7 missing');
  expectReplies('self-check greeting', await h.turn('check-a', 'hello'), [greeting]);
  expectReplies('self-check unknown', await h.turn('check-a', ' Z9999 '), [unknownOrderReply('Z9999')]);
  expectReplies('self-check unknown again', await h.turn('check-a', 'Z9998'), [unknownOrderReply('Z9998')]);
  expectReplies('self-check number', await h.turn('check-a', script[1].toLowerCase()), [askEmail]);
  expectReplies('self-check mismatch', await h.turn('check-a', 'someone@else.com'), [emailMismatchReply(order.number)]);
  // Conversation over: the next message starts again, and the email match is case-insensitive.
  expectReplies('self-check restart', await h.turn('check-a', 'hi again'), [greeting]);
  await h.turn('check-a', script[1]);
  expectReplies('self-check status', await h.turn('check-a', ` ${script[2].toUpperCase()} `), [statusReply(order)]);
  // Interleaved conversations must not see each other's state.
  expectReplies('self-check interleave b1', await h.turn('check-b', 'hi'), [greeting]);
  expectReplies('self-check interleave c1', await h.turn('check-c', 'hi'), [greeting]);
  expectReplies('self-check interleave b2', await h.turn('check-b', script[1]), [askEmail]);
  expectReplies('self-check interleave c2', await h.turn('check-c', 'hi'), [unknownOrderReply('hi')]);
  const keys = liveEntries(h.memory).sort();
  const expectedKeys = ['check-a', 'check-b', 'check-c'].map(storageKey);
  if (JSON.stringify(keys) !== JSON.stringify(expectedKeys)) {
    throw new Error(`self-check: expected state keys ${JSON.stringify(expectedKeys)}, got ${JSON.stringify(keys)}`);
  }
}

/** One full scripted conversation; checks every reply (the benchmark must measure a working bot). */
async function runConversation(h: BotbuilderHarness, conv: string, i: number, latency?: LatencyRecorder): Promise<void> {
  const script = conversationScript(i);
  const expected = expectedReplies(i);
  for (let t = 0; t < 3; t++) {
    const start = process.hrtime.bigint();
    const replies = await h.turn(conv, script[t] as string);
    const elapsed = process.hrtime.bigint() - start;
    latency?.record(elapsed);
    if (t === 2 && !(replies[0] ?? '').includes(expectedFinalReply(i))) {
      throw new Error(`conversation ${conv}: final reply ${JSON.stringify(replies)} lacks ${expectedFinalReply(i)}`);
    }
    expectReplies(`conversation ${conv} turn ${t + 1}`, replies, [expected[t] as string]);
  }
}

function assertPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
}

export async function runBotbuilderBaseline(opts: BaselineOptions): Promise<BaselineResult> {
  const { conversations, memoryConversations } = opts;
  const warmupConversations = opts.warmupConversations ?? Math.min(500, conversations);
  assertPositiveInt('conversations', conversations);
  assertPositiveInt('memoryConversations', memoryConversations);
  if (!Number.isInteger(warmupConversations) || warmupConversations < 0) {
    throw new RangeError(`warmupConversations must be a non-negative integer, got ${warmupConversations}`);
  }

  // Fail before minutes of work, not after, when the heap cannot be measured.
  forceGc(1);
  await selfCheck();

  // ---- Throughput / latency: sequential turns on one core. ----
  const h = createHarness();
  for (let i = 0; i < warmupConversations; i++) await runConversation(h, `warm-${i}`, i);

  const latency = new LatencyRecorder();
  const wallStart = process.hrtime.bigint();
  for (let i = 0; i < conversations; i++) await runConversation(h, `conv-${i}`, i, latency);
  const wallNs = process.hrtime.bigint() - wallStart;

  const entries = liveEntries(h.memory).length;
  if (entries !== warmupConversations + conversations) {
    throw new Error(`expected ${warmupConversations + conversations} conversation state entries, found ${entries}`);
  }
  const { p50Ms, p99Ms, count } = latency.summary();

  // ---- Memory per idle conversation, on a fresh bot so earlier state is not counted. ----
  const mem = createHarness();
  const heap = await measureHeapPerItem(memoryConversations, async (i) => {
    const conv = `idle-${i}`;
    const script = conversationScript(i);
    await mem.turn(conv, script[0]);
    await mem.turn(conv, script[1]);
    // Nothing else to keep: the conversation lives in `mem`'s storage, which stays reachable
    // because it is inspected below, after the measurement.
  });

  // Every idle conversation has its own entry, parked on the email prompt.
  const idleKeys = liveEntries(mem.memory);
  if (idleKeys.length !== memoryConversations) {
    throw new Error(`expected ${memoryConversations} idle conversation state entries, found ${idleKeys.length}`);
  }
  for (const key of idleKeys) {
    const state = JSON.parse(mem.memory[key] ?? '{}') as { DialogState?: DialogState };
    const stack = state.DialogState?.dialogStack ?? [];
    if (stack.length !== 2 || stack[1]?.id !== EMAIL_PROMPT) {
      throw new Error(`idle conversation ${key} is not waiting for the email: ${JSON.stringify(stack.map((d) => d.id))}`);
    }
  }

  return {
    turns: count,
    turnsPerSec: count / (Number(wallNs) / 1e9),
    p50Ms,
    p99Ms,
    bytesPerConversation: heap.bytesPerItem,
    conversationsMeasured: memoryConversations,
  };
}
