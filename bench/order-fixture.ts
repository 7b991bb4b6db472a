/**
 * Shared, deterministic fixture for the 3-step "order lookup" benchmark conversation.
 *
 * Both the Meridian runner and the botbuilder baseline import their data AND their reply
 * text from here, so the two bots do the same work and produce byte-identical replies.
 *
 * Conversation contract (identical for every implementation):
 *   turn 1  any text          -> greetingReply()
 *   turn 2  order number      -> askEmailReply(order.number)        (known number)
 *                             -> unknownOrderReply(input)           (unknown; keep asking)
 *   turn 3  email             -> statusReply(order)                 (email matches)
 *                             -> emailMismatchReply(order.number)   (no match)
 *   After turn 3 (either outcome) the conversation is over; the next message starts again at turn 1.
 */

export type BenchOrderStatus = 'processing' | 'shipped' | 'delivered';

export interface BenchOrder {
  number: string;
  email: string;
  status: BenchOrderStatus;
  carrier: string;
  trackingNumber: string;
}

export const BENCH_ORDER_COUNT = 50;

const STATUSES: readonly BenchOrderStatus[] = ['processing', 'shipped', 'delivered'];
const CARRIERS: readonly string[] = ['DHL', 'UPS', 'FedEx', 'SF Express', 'Yamato'];

function makeOrder(i: number): BenchOrder {
  return Object.freeze({
    number: `A${1000 + i}`,
    email: `customer${i}@example.com`,
    // Modulo picks keep the data deterministic while still varying every reply field.
    status: STATUSES[i % STATUSES.length] ?? 'processing',
    carrier: CARRIERS[i % CARRIERS.length] ?? 'DHL',
    // Unique per order, so finding it in a reply proves the bot looked up the right order.
    trackingNumber: `TRK${String(4_700_000 + i * 7919).padStart(8, '0')}`,
  });
}

export const BENCH_ORDERS: readonly BenchOrder[] = Object.freeze(
  Array.from({ length: BENCH_ORDER_COUNT }, (_, i) => makeOrder(i)),
);

// Keyed by upper-cased number: users type "a1000" as often as "A1000".
const ORDERS_BY_NUMBER: ReadonlyMap<string, BenchOrder> = new Map(
  BENCH_ORDERS.map((o) => [o.number.toUpperCase(), o] as const),
);

/** Order with this number (trimmed, case-insensitive), regardless of email. */
export function findOrderByNumber(number: string): BenchOrder | undefined {
  return ORDERS_BY_NUMBER.get(number.trim().toUpperCase());
}

/** Order with this number whose email matches (both trimmed; email compared case-insensitively). */
export function findOrder(number: string, email: string): BenchOrder | undefined {
  const order = findOrderByNumber(number);
  if (order === undefined) return undefined;
  return order.email.toLowerCase() === email.trim().toLowerCase() ? order : undefined;
}

// ---- Reply builders: the single source of the bot's wording for every implementation. ----

export function greetingReply(): string {
  return "Hi! I'm an AI assistant and I can look up your order. What is your order number?";
}

export function askEmailReply(number: string): string {
  return `Thanks. Please confirm the email address on order ${number}.`;
}

export function unknownOrderReply(number: string): string {
  return `I can't find order ${number}. What is your order number?`;
}

export function statusReply(order: BenchOrder): string {
  return `Order ${order.number} is ${order.status}. Carrier ${order.carrier}, tracking ${order.trackingNumber}.`;
}

export function emailMismatchReply(number: string): string {
  return `That email does not match order ${number}.`;
}

// ---- Script: what the simulated user says, and what the bot must answer. ----

function orderFor(i: number): BenchOrder {
  if (!Number.isInteger(i) || i < 0) throw new RangeError(`conversation index must be a non-negative integer, got ${i}`);
  const order = BENCH_ORDERS[i % BENCH_ORDER_COUNT];
  if (order === undefined) throw new Error(`no fixture order for conversation ${i}`);
  return order;
}

/** The three user messages of conversation i (happy path, order i % 50). */
export function conversationScript(i: number): [string, string, string] {
  const order = orderFor(i);
  return ['hi', order.number, order.email];
}

/** Substring the 3rd reply of conversation i must contain: the order's unique tracking number. */
export function expectedFinalReply(i: number): string {
  return orderFor(i).trackingNumber;
}

/** Exact reply text of each turn of conversation i, for runners that check every turn. */
export function expectedReplies(i: number): [string, string, string] {
  const order = orderFor(i);
  return [greetingReply(), askEmailReply(order.number), statusReply(order)];
}
