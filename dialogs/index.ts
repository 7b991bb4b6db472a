/**
 * The dialogs the default bot runs, in the order their triggers are checked. The first is the
 * fallback for messages no other dialog takes. Add a flow here after writing it in dialogs/<flow>/.
 */
import type { Dialog } from '../src/index.js';
import { greetingDialog } from './greeting/index.js';
import { verifyOrderDialog } from './shared/orders.js';
import { returnsDialog } from './returns/index.js';
import { exchangesDialog } from './exchanges/index.js';
import { faqDialog } from './faq/index.js';
import { orderDialogs } from './order-tracking/flows.js';
import { caseStatusDialog } from './case-status/index.js';
import { linkAccountDialog } from './link-account/index.js';
import { privacyRequestDialog } from './privacy-request/index.js';

// Linking (its own keywords only) before privacy requests, which also start on the privacy intent and
// must never lose "delete my data" to another flow. Case status before
// the order flows: "any news on my return?" answers from the customer's cases, not with a new return.
export const defaultDialogs: readonly Dialog[] = [
  greetingDialog,
  verifyOrderDialog,
  linkAccountDialog,
  privacyRequestDialog,
  caseStatusDialog,
  returnsDialog,
  exchangesDialog,
  ...orderDialogs,
  faqDialog,
];
