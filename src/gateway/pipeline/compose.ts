// Middleware composition in the style of Hono's `compose`: each step gets the context and a
// `next` that runs the rest of the pipeline, so a step can act before and after (and around) it.

export type Next = () => Promise<void>;
/** One pipeline step over a typed context. */
export type Step<C> = (ctx: C, next: Next) => Promise<void>;

/** Compose steps once into one function; calling `next` twice in a step is a bug and rejects. */
export function compose<C>(steps: readonly Step<C>[]): (ctx: C) => Promise<void> {
  return (ctx) => {
    let index = -1;
    const dispatch = (i: number): Promise<void> => {
      if (i <= index) return Promise.reject(new Error('next() called more than once in one step'));
      index = i;
      const step = steps[i];
      if (!step) return Promise.resolve();
      try {
        return step(ctx, () => dispatch(i + 1));
      } catch (e) {
        return Promise.reject(e);
      }
    };
    return dispatch(0);
  };
}
