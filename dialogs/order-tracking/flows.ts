import type { Dialog } from '../../src/index.js';
import { cancelOrderDialog } from '../cancel-order/index.js';
import { changeAddressDialog } from '../change-address/index.js';
import { refundStatusDialog } from '../refund-status/index.js';
import { orderTrackingDialog } from './index.js';

/**
 * The four order flows in the order their triggers are checked: the narrower requests first ("where is
 * my refund" and "cancel my order" also mention an order), "where is my order" last.
 */
export const orderDialogs: readonly Dialog[] = [refundStatusDialog, cancelOrderDialog, changeAddressDialog, orderTrackingDialog];
