import type { Dialog } from '../src/index.js';
import { askEmailReply, emailMismatchReply, findOrder, findOrderByNumber, greetingReply, statusReply, unknownOrderReply } from './order-fixture.js';

/** The benchmark's 3-step order lookup as a Meridian dialog: the same work and wording as the botbuilder waterfall. */
export const orderLookupDialog: Dialog = {
  id: 'order-lookup',
  version: 1,
  start: 'greet',
  steps: {
    greet(ctx) {
      ctx.say(greetingReply());
      return ctx.wait('orderNumber');
    },
    orderNumber(ctx) {
      const order = findOrderByNumber(ctx.input);
      if (!order) {
        ctx.say(unknownOrderReply(ctx.input.trim()));
        return ctx.retry();
      }
      ctx.values['orderNumber'] = order.number;
      ctx.say(askEmailReply(order.number));
      return ctx.wait('email');
    },
    email(ctx) {
      const number = String(ctx.values['orderNumber']);
      const order = findOrder(number, ctx.input);
      ctx.say(order ? statusReply(order) : emailMismatchReply(number));
      return ctx.end();
    },
  },
};
