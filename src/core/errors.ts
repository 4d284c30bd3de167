/** One error base for the whole product: HTTP status, machine code, a message safe to show a user. */
export class AetherError extends Error {
  readonly status: number;
  readonly code: string;
  /** True when the message may be shown to the caller as is. */
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { expose?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AetherError';
    this.status = status;
    this.code = code;
    this.expose = opts.expose ?? status < 500;
    this.details = opts.details;
  }

  /** The body sent to a client: never a stack, never an internal message. */
  toJSON(): { error: { code: string; message: string; details?: Record<string, unknown> } } {
    const message = this.expose ? this.message : 'Internal error';
    return { error: { code: this.code, message, ...(this.expose && this.details ? { details: this.details } : {}) } };
  }
}

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `contexts.0.text`. */
  field: string;
  message: string;
}

export const errors = {
  validation: (issues: FieldIssue[]) =>
    new AetherError(
      400,
      'validation_error',
      issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; '),
      { details: { issues } },
    ),
  badRequest: (message: string, code = 'bad_request') => new AetherError(400, code, message),
  unauthorized: (message: string) => new AetherError(401, 'unauthorized', message),
  forbidden: (message: string) => new AetherError(403, 'forbidden', message),
  notFound: (message: string) => new AetherError(404, 'not_found', message),
  conflict: (message: string) => new AetherError(409, 'conflict', message),
  tooLarge: (message: string) => new AetherError(413, 'payload_too_large', message),
  unavailable: (message: string, cause?: unknown) =>
    new AetherError(503, 'unavailable', message, { expose: true, cause }),
  internal: (message: string, cause?: unknown) => new AetherError(500, 'internal_error', message, { cause }),
  config: (message: string) => new AetherError(500, 'config_error', message, { expose: true }),
};

export function isAetherError(e: unknown): e is AetherError {
  return e instanceof AetherError;
}
