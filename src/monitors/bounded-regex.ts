// Regular expressions from monitor files run on the server's only thread: a pattern with
// catastrophic backtracking (e.g. `^(a+)+$` over 40 characters) would stop every request for
// minutes. Each match runs in a vm context with a time limit, which V8 enforces inside the regex
// engine as well, so a bad pattern fails its run instead of freezing the server.
import vm from 'node:vm';
import { errors } from '../core/errors.js';

/** Longest a single pattern may take on one item. */
export const PATTERN_TIME_LIMIT_MS = 100;

const context = vm.createContext({ re: /(?:)/, text: '', out: null as RegExpExecArray | null });
const script = new vm.Script('out = re.exec(text); re = null; text = "";');

/** `re.exec(text)` that gives up after `ms` with a 400 naming the pattern. */
export function boundedExec(re: RegExp, text: string, where: string, ms = PATTERN_TIME_LIMIT_MS): RegExpExecArray | null {
  context.re = re;
  context.text = text;
  context.out = null;
  try {
    script.runInContext(context, { timeout: ms });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw errors.badRequest(`${where}: the regular expression took more than ${ms} ms on one item (catastrophic backtracking); simplify it, e.g. avoid nested quantifiers like (a+)+`, 'regex_too_slow');
    }
    throw e;
  }
  const out = context.out as RegExpExecArray | null;
  context.out = null;
  return out;
}
