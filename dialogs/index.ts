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

export const defaultDialogs: readonly Dialog[] = [greetingDialog, verifyOrderDialog, returnsDialog, exchangesDialog, ...orderDialogs, faqDialog];
