// Watching a traced call's result without changing what the caller sees.

type Fn = (...args: unknown[]) => unknown;

function safely(f: (v: unknown) => void, v: unknown): void {
  try {
    f(v);
  } catch {
    // Recording must never break the host application.
  }
}

/** True for anything with a `then` method. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Hook into a non-native thenable when the caller first consumes it. Attaching eagerly would start
 * work some clients only do on demand (openai's APIPromise parses the body on `then`, which would
 * break a caller's later `.asResponse()`), and would mark a rejection as handled that the caller
 * never handled.
 */
function observeLazily(p: PromiseLike<unknown>, onOk: (v: unknown) => void, onErr: (e: unknown) => void): void {
  const target = p as unknown as Record<string, unknown>;
  const origThen = target.then as Fn;
  let attached = false;
  const attach = (): void => {
    if (attached) return;
    attached = true;
    origThen.call(p, (v: unknown) => safely(onOk, v), (e: unknown) => safely(onErr, e));
  };
  try {
    for (const name of ['then', 'catch', 'finally', 'withResponse']) {
      const orig = target[name];
      if (typeof orig !== 'function') continue;
      Object.defineProperty(target, name, {
        configurable: true,
        writable: true,
        value: function (this: unknown, ...args: unknown[]) {
          attach();
          return (orig as Fn).apply(this, args);
        },
      });
    }
  } catch {
    attach(); // a frozen thenable: observe it now
  }
}

/**
 * Call `onOk` with the value or `onErr` with the rejection once `result` settles, and return what
 * the caller should get: the value itself, a native promise that settles the same way (so an
 * unhandled rejection stays unhandled), or the same non-native thenable, observed lazily.
 */
export function observe<R>(result: R, onOk: (v: unknown) => void, onErr: (e: unknown) => void): R {
  if (!isThenable(result)) {
    safely(onOk, result);
    return result;
  }
  if (result instanceof Promise && Object.getPrototypeOf(result) === Promise.prototype) {
    return (result as Promise<unknown>).then(
      (v) => {
        safely(onOk, v);
        return v;
      },
      (e: unknown) => {
        safely(onErr, e);
        throw e;
      },
    ) as R;
  }
  observeLazily(result, onOk, onErr);
  return result;
}
