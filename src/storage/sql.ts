/** Collects positional parameters while a query string is assembled. */
export class Params {
  readonly values: unknown[] = [];
  /** Add a value and return its placeholder (`$n`). */
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** Escape LIKE wildcards so user text matches literally. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
