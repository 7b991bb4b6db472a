/**
 * The commerce port: what the after-sales dialogs may ask of a shop and change in it. A shop is either
 * the file-backed demo shop (`FileShop`) or a shop's own back end behind the REST contract in
 * HTTP-SHOP.md (`HttpShop`); both answer with these shapes, and one contract suite runs against both.
 *
 * Money is a decimal number in the major unit of the named currency (59.9 EUR, 9900 JPY). Instants are
 * ISO 8601 strings with an offset; calendar dates are `YYYY-MM-DD`. Objects read from a shop file keep
 * fields this file does not name, so a shop can carry its own extras through to its own dialogs.
 */

export type OrderStatus = 'processing' | 'shipped' | 'delivered' | 'cancelled';
export type ShipmentStatus = 'label_created' | 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception';
export type CustomerTier = 'vip' | 'standard';
export type RefundState = 'pending' | 'completed' | 'failed';
export type ReturnMethod = 'drop_off' | 'pickup';
export type ReturnState = 'authorized' | 'received' | 'refunded' | 'rejected';
export type ExchangeState = 'authorized' | 'received' | 'shipped' | 'rejected';

export interface ShopInfo {
  name: string;
  /** The shop's base currency (ISO 4217); orders may be in the customer's currency. */
  currency: string;
  returnWindowDays: number;
  /** IANA zone the return window is counted in. */
  timeZone: string;
}

export interface Customer {
  id: string;
  name: string;
  email: string;
  /** E.164, e.g. +4915123456789; null when the shop has none. */
  phone: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** BCP 47, e.g. de, es-MX, zh-Hant. */
  locale: string;
  timeZone: string;
  tier: CustomerTier;
}

/** Text per language tag (`en`, `de`, `zh-Hant`...). */
export type LocalizedText = Record<string, string>;

export interface Product {
  sku: string;
  name: LocalizedText;
  /** Price in the product's currency (the shop's base currency in the demo shop). */
  price: number;
  currency: string;
  /** False for final-sale items. */
  returnable: boolean;
  exchangeable: boolean;
  /** Products with the same style are variants of each other (sizes, colours): exchanges stay within a style. */
  style: string | null;
  color: string | null;
  size: string | null;
  category: string | null;
}

export interface Availability {
  sku: string;
  status: 'in_stock' | 'low_stock' | 'out_of_stock' | 'unknown';
  /** Units that can be promised now; null when the shop does not say. */
  quantity: number | null;
  /** When an out-of-stock product is expected back, if known. */
  restockDate: string | null;
}

export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export interface OrderItem {
  sku: string;
  qty: number;
  /** Price of one unit in the order's currency. */
  unitPrice: number;
}

export interface TrackingEvent {
  at: string;
  status: ShipmentStatus;
  location: string;
  /** The carrier's own words (often English); dialogs speak from `status`. */
  description: string;
}

export interface Shipment {
  /** Stable within the order; defaults to `<order>-<n>`. */
  id: string;
  carrier: string;
  trackingNumber: string;
  trackingUrl: string;
  status: ShipmentStatus;
  /** A date or instant; null when the carrier gives none. */
  estimatedDelivery: string | null;
  /** Which order lines travel in this parcel, when the order ships in several. */
  items: { sku: string; qty: number }[] | null;
  /** Oldest first. */
  events: TrackingEvent[];
}

export interface Refund {
  amount: number;
  status: RefundState;
  createdAt: string;
  reason?: string;
}

export interface Payment {
  /** card, paypal, klarna, pix, alipay, gift_card... */
  method: string;
  refunds: Refund[];
}

export interface ReturnLine {
  sku: string;
  qty: number;
  /** What this line refunds when the return is received, in the order's currency. */
  refundAmount: number;
}

export interface ReturnLabel {
  carrier: string;
  trackingNumber: string;
  url: string;
}

export interface ReturnAuthorization {
  /** `RMA-<order>-<n>`, what the customer writes on the parcel and quotes to an agent. */
  number: string;
  orderNumber: string;
  status: ReturnState;
  method: ReturnMethod;
  reason: string;
  items: ReturnLine[];
  refundAmount: number;
  currency: string;
  createdAt: string;
  /** Last calendar day (shop's zone) to hand the parcel over; null for returns imported without one. */
  handOverBy: string | null;
  /** For pick-ups: the day the carrier comes. */
  pickupDate: string | null;
  label: ReturnLabel | null;
  /** Plain English for agents and logs; dialogs build the customer's message from the fields. */
  instructions: string | null;
}

export interface ExchangeAuthorization {
  /** `EXC-<order>-<n>`. */
  number: string;
  orderNumber: string;
  status: ExchangeState;
  sku: string;
  newSku: string;
  qty: number;
  reason: string;
  createdAt: string;
  handOverBy: string | null;
  label: ReturnLabel | null;
  instructions: string | null;
}

export interface Order {
  /** e.g. A1043 */
  number: string;
  customerId: string;
  status: OrderStatus;
  placedAt: string;
  currency: string;
  total: number;
  items: OrderItem[];
  shippingAddress: Address;
  shipments: Shipment[];
  /** When the last parcel arrived; set exactly when status is delivered. */
  deliveredAt: string | null;
  cancelledAt: string | null;
  payment: Payment;
  returns: ReturnAuthorization[];
  exchanges: ExchangeAuthorization[];
}

export interface RefundStatus {
  orderNumber: string;
  currency: string;
  total: number;
  /** Sum of completed refunds. */
  refunded: number;
  /** Sum of pending refunds. */
  pending: number;
  refunds: Refund[];
  /** Returns not refunded yet, with what each will refund once received. */
  awaitingReturn: { rma: string; status: ReturnState; amount: number }[];
}

export type CustomerQuery = { id: string } | { email: string } | { phone: string };

export interface ReturnRequest {
  orderNumber: string;
  items: { sku: string; qty: number }[];
  /** The customer's reason, in their words or a code such as `too_small`. */
  reason: string;
  method: ReturnMethod;
  /** Same key, same request: the first RMA comes back instead of a second one. Use ctx.idempotencyKey. */
  idempotencyKey: string;
}

export interface ExchangeRequest {
  orderNumber: string;
  sku: string;
  qty: number;
  newSku: string;
  reason?: string;
  idempotencyKey: string;
}

export interface CancelRequest {
  orderNumber: string;
  reason?: string;
  idempotencyKey: string;
}

export interface AddressChangeRequest {
  orderNumber: string;
  address: Address;
  idempotencyKey: string;
}

export interface Cancellation {
  orderNumber: string;
  status: 'cancelled';
  cancelledAt: string;
  /** The refund the cancellation started; null when nothing was left to refund. */
  refund: Refund | null;
  /** The customer's reason, when one was given. */
  reason?: string;
}

export interface AddressChange {
  orderNumber: string;
  address: Address;
  changedAt: string;
}

/** Why a rule said no, as a stable code the dialogs translate, plus an English sentence for agents and logs. */
export type RuleResult<Reason extends string> = { allowed: true } | { allowed: false; reason: Reason; message: string };

/** Why an order can no longer be cancelled or redirected. */
export type DispatchBlockReason = 'order_cancelled' | 'already_shipped' | 'delivered';

/** Why nothing in an order can be returned. */
export type ReturnBlockReason = 'order_cancelled' | 'not_delivered' | 'window_expired' | 'nothing_returnable';

/** Why one line of an order cannot be returned. */
export type ItemBlockReason = 'final_sale' | 'already_returned' | 'unknown_product';

export interface ItemEligibility {
  sku: string;
  ordered: number;
  /** Units already in a return or exchange (rejected ones do not count). */
  returned: number;
  /** Units that may still be returned now (0 when the line or the order is blocked). */
  returnableQty: number;
  returnable: boolean;
  /** The product allows exchanges and units remain; the new variant is checked at createExchange. */
  exchangeable: boolean;
  reason: ItemBlockReason | null;
}

export interface ReturnEligibility {
  allowed: boolean;
  reason: ReturnBlockReason | null;
  message: string | null;
  /** Delivery date in the shop's zone. */
  deliveredOn: string | null;
  /** Last calendar day (shop's zone) to start a return. */
  lastDay: string | null;
  /** The instant the window closes. */
  closesAt: string | null;
  /** Whole days left after today; 0 on the last day; negative once closed. */
  daysLeft: number | null;
  items: ItemEligibility[];
}

/** Reasons a write can be refused with (the `reason` of a NotAllowedError). */
export type WriteBlockReason =
  | DispatchBlockReason
  | ReturnBlockReason
  | ItemBlockReason
  | 'not_in_order'
  | 'quantity_exceeded'
  | 'not_exchangeable'
  | 'different_product'
  | 'same_product'
  | 'unknown_sku'
  | 'out_of_stock'
  | 'different_country';

/** An instant for the rule helpers: epoch milliseconds or a Date. */
export type Instant = number | Date;

export interface Shop {
  info(): Promise<ShopInfo>;
  findCustomer(query: CustomerQuery): Promise<Customer | undefined>;
  /** Accepts what customers type: `#a1043`, ` A 1043 `. */
  findOrder(number: string): Promise<Order | undefined>;
  /** Newest first; empty for an unknown customer. */
  ordersOfCustomer(customerId: string): Promise<Order[]>;
  /** Throws `order_not_found` for an unknown order. */
  shipments(orderNumber: string): Promise<Shipment[]>;
  /** Throws `order_not_found` for an unknown order. */
  refundStatus(orderNumber: string): Promise<RefundStatus>;
  product(sku: string): Promise<Product | undefined>;
  /** Products of the same style (the product itself included), for "which size instead?". */
  variants(sku: string): Promise<Product[]>;
  availability(sku: string): Promise<Availability | undefined>;

  /** Which lines can be returned now and why not; `now` defaults to the shop's clock. */
  returnEligibility(order: Order, now?: Instant): Promise<ReturnEligibility>;
  /** Only before dispatch: status processing and no parcel past label_created. */
  canCancel(order: Order): Promise<RuleResult<DispatchBlockReason>>;
  /** With an address, also checks it stays in the same country (duties and taxes were paid for that one). */
  canChangeAddress(order: Order, address?: Address): Promise<RuleResult<DispatchBlockReason | 'different_country'>>;

  /**
   * Writes. Each takes an idempotency key (scoped per operation): a turn re-run after a version conflict
   * gets the first result back. Refusals are NotAllowedError (`not_allowed`, with `reason`); an unknown
   * order is `order_not_found`; the same key with a different request is `idempotency_conflict`.
   */
  createReturn(request: ReturnRequest): Promise<ReturnAuthorization>;
  createExchange(request: ExchangeRequest): Promise<ExchangeAuthorization>;
  cancelOrder(request: CancelRequest): Promise<Cancellation>;
  changeShippingAddress(request: AddressChangeRequest): Promise<AddressChange>;
}
