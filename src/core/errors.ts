import { message, type MessageKey, type MessageParams } from './messages.ts';

/**
 * The error catalogue. Every error the API can answer with has a stable code, an HTTP status and
 * a title declared here once; routes throw `AppError`s and one handler turns them into RFC 9457
 * problem details (REST) or an OperationOutcome (FHIR). Tests assert on codes, not wording.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_BODY: { status: 400, title: 'The request body could not be read' },
  WEAK_PASSWORD: { status: 400, title: 'Choose a stronger password' },
  UNAUTHENTICATED: { status: 401, title: 'Please sign in' },
  MFA_REQUIRED: { status: 401, title: 'A second sign-in step is needed' },
  INVALID_CREDENTIALS: { status: 401, title: 'Email or password is not correct' },
  EMAIL_NOT_VERIFIED: { status: 403, title: 'Please confirm your email address first' },
  FORBIDDEN: { status: 403, title: 'You are not allowed to do this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'This conflicts with the current state' },
  ILLEGAL_TRANSITION: { status: 409, title: 'This step is not possible in the case’s current state' },
  NOT_ACCEPTABLE: { status: 406, title: 'This representation cannot be produced' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'This content type is not accepted' },
  GUARD_FAILED: { status: 422, title: 'Something must be done before this step' },
  TOO_MANY_REQUESTS: { status: 429, title: 'Too many attempts' },
  UNAVAILABLE: { status: 503, title: 'The service is not ready' },
  INTERNAL: { status: 500, title: 'Something went wrong on our side' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: ErrorCode;
  /** The message's key and parameters (see core/messages.ts), for clients that word it themselves. */
  key?: string;
  params?: Record<string, unknown>;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

/** The one error type of the application: a catalogue code plus a human detail. */
export class AppError extends Error {
  /** An error whose detail comes from the message catalogue, with its key and parameters. */
  static keyed<K extends MessageKey>(code: ErrorCode, key: K, params: MessageParams<K>, extra: Record<string, unknown> = {}): AppError {
    return new AppError(code, message(key, params), { ...extra, key, params });
  }

  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  constructor(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}) {
    super(detail ?? ERRORS[code].title);
    this.code = code;
    this.status = ERRORS[code].status;
    this.extra = extra;
  }
}

/** Builds the RFC 9457 body for an error code. */
export function problem(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}, instance?: string): ProblemDetails {
  const def = ERRORS[code];
  return {
    type: `urn:consilium:problem:${code.toLowerCase().replaceAll('_', '-')}`,
    title: def.title,
    status: def.status,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    code,
    ...extra,
  };
}

export const notFound = (what = 'This item') => AppError.keyed('NOT_FOUND', 'notFound', { what });
