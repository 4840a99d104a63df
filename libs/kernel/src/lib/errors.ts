/**
 * The fixed error set (STYLE.md habit 4). Each error has a stable `code` and a literal
 * `kind` discriminant; transports map `kind` to a status once (see `httpStatusOf`).
 * Infrastructure failures carry `retriable`; only those and version conflicts are retried.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'concurrency'
  | 'conflict'
  | 'illegal_state'
  | 'rate_limited'
  | 'infrastructure';

export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export abstract class CustodianError extends Error {
  abstract readonly kind: ErrorKind;
  readonly retriable: boolean = false;
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** 400: the input is malformed or breaks a rule that needs no stored state. */
export class ValidationError extends CustodianError {
  readonly kind = 'validation' as const;
  constructor(message: string, details?: unknown, code = 'validation_failed') {
    super(code, message, details);
  }
}

/** 401: no or bad credentials. The message never says which part was wrong. */
export class UnauthorizedError extends CustodianError {
  readonly kind = 'unauthorized' as const;
  constructor(message = 'Authentication required', code = 'unauthorized') {
    super(code, message);
  }
}

/** 403: authenticated, but the action is not granted (never used to hide existence: that is 404). */
export class ForbiddenError extends CustodianError {
  readonly kind = 'forbidden' as const;
  constructor(message = 'Not allowed', code = 'forbidden') {
    super(code, message);
  }
}

/** 404: absent, or present but outside the caller's tenant or locations. */
export class NotFoundError extends CustodianError {
  readonly kind = 'not_found' as const;
  constructor(message = 'Not found', code = 'not_found') {
    super(code, message);
  }
}

/** 409: the stream was not at the expected version. Retried by the command handler. */
export class ConcurrencyError extends CustodianError {
  readonly kind = 'concurrency' as const;
  override readonly retriable = true;
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersionLike,
    readonly actual: number | 'no_stream',
  ) {
    super('concurrency_conflict', `Stream ${streamId} is at ${String(actual)}, expected ${String(expected)}`, {
      streamId,
      expected,
      actual,
    });
  }
}
type ExpectedVersionLike = number | 'no_stream' | 'any' | 'stream_exists';

/** 409: the request conflicts with stored state (a name already taken, an id reused). */
export class ConflictError extends CustodianError {
  readonly kind = 'conflict' as const;
  constructor(message: string, code = 'conflict', details?: unknown) {
    super(code, message, details);
  }
}

/** 422: the command is well formed but not allowed in the current state. */
export class IllegalStateError extends CustodianError {
  readonly kind = 'illegal_state' as const;
  constructor(message: string, code = 'illegal_state', details?: unknown) {
    super(code, message, details);
  }
}

/** 429: too many requests or attempts. */
export class RateLimitedError extends CustodianError {
  readonly kind = 'rate_limited' as const;
  constructor(message = 'Too many requests', code = 'rate_limited') {
    super(code, message);
  }
}

/** 503: a dependency failed. `retriable` says whether trying again may help. */
export class InfrastructureError extends CustodianError {
  readonly kind = 'infrastructure' as const;
  override readonly retriable: boolean;
  constructor(message: string, retriable: boolean, code = 'unavailable', readonly causeError?: unknown) {
    super(code, message);
    this.retriable = retriable;
  }
}

const STATUS: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  concurrency: 409,
  conflict: 409,
  illegal_state: 422,
  rate_limited: 429,
  infrastructure: 503,
};

/** The HTTP status for an error kind — the single mapping every transport uses. */
export function httpStatusOf(kind: ErrorKind): number {
  return STATUS[kind];
}

export function isCustodianError(e: unknown): e is CustodianError {
  return e instanceof CustodianError;
}

/** A serialisable form for crossing a process boundary (microservice replies). */
export interface WireError extends ErrorBody {
  kind: ErrorKind;
  retriable?: boolean;
}

export function toWireError(e: CustodianError): WireError {
  return { kind: e.kind, retriable: e.retriable || undefined, ...e.toBody() };
}

/** Rebuilds the typed error on the receiving side of a process boundary. */
export function fromWireError(w: WireError): CustodianError {
  switch (w.kind) {
    case 'validation':
      return new ValidationError(w.message, w.details, w.code);
    case 'unauthorized':
      return new UnauthorizedError(w.message, w.code);
    case 'forbidden':
      return new ForbiddenError(w.message, w.code);
    case 'not_found':
      return new NotFoundError(w.message, w.code);
    case 'concurrency':
    case 'conflict':
      return new ConflictError(w.message, w.code, w.details);
    case 'illegal_state':
      return new IllegalStateError(w.message, w.code, w.details);
    case 'rate_limited':
      return new RateLimitedError(w.message, w.code);
    case 'infrastructure':
      return new InfrastructureError(w.message, w.retriable === true, w.code);
    default: {
      const never: never = w.kind;
      return new InfrastructureError(`Unknown error kind ${String(never)}`, false);
    }
  }
}
