import { MeridianError } from './errors.js';

export type Next = () => Promise<void>;
export type Middleware<C> = (ctx: C, next: Next) => Promise<void> | void;

/**
 * Composes middleware into one function, onion style (as Koa, Hono and grammY do).
 * Calling `next` twice from one middleware is a programming error and is reported as such.
 */
export function compose<C>(middleware: readonly Middleware<C>[]): (ctx: C, last?: Next) => Promise<void> {
  const stack = [...middleware];
  return function run(ctx: C, last?: Next): Promise<void> {
    let called = -1;
    const dispatch = async (index: number): Promise<void> => {
      if (index <= called) throw new MeridianError('middleware_error', 'next() was called more than once in one middleware');
      called = index;
      const fn = stack[index];
      if (fn === undefined) {
        if (last) await last();
        return;
      }
      await fn(ctx, () => dispatch(index + 1));
    };
    return dispatch(0);
  };
}
