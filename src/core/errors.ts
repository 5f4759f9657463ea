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
  LINK_USED: { status: 409, title: 'This link was used already' },
  LINK_EXPIRED: { status: 410, title: 'This link has expired' },
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
  /** The message as a template (`{0}` for each value) and its values, for clients that word it themselves. */
  key?: string;
  params?: Record<string, unknown>;
  errors?: { path: string; message: string }[];
  [extra: string]: unknown;
}

/**
 * A message as a template and its values: msg`The date “${raw}” is not valid.` has the key
 * "The date “{0}” is not valid." and the params { 0: raw }, so a client can word it in the
 * reader's language (the key is the English template, as a translation catalogue's message id).
 */
export interface Message {
  text: string;
  key: string;
  params: Record<string, unknown>;
}

export function msg(strings: TemplateStringsArray, ...values: unknown[]): Message {
  return {
    text: strings.reduce((out, s, i) => out + String(values[i - 1]) + s),
    key: strings.reduce((out, s, i) => `${out}{${i - 1}}${s}`),
    params: Object.fromEntries(values.map((v, i) => [String(i), v])),
  };
}

/** The one error type of the application: a catalogue code plus a human detail. */
export class AppError extends Error {

  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  constructor(code: ErrorCode, detail?: string | Message, extra: Record<string, unknown> = {}) {
    const m = typeof detail === 'string' ? { text: detail, key: detail, params: {} } : detail;
    super(m?.text ?? ERRORS[code].title);
    this.code = code;
    this.status = ERRORS[code].status;
    // Like Fastify's error templates: the wording's key and the values it names travel with it.
    this.extra = m ? { ...extra, key: m.key, params: m.params } : extra;
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

export const notFound = (what = 'This item') => new AppError('NOT_FOUND', msg`${what} was not found, or you do not have access to it.`);
