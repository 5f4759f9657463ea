import type { components, paths } from './api/schema.d.ts';
import i18n, { formatLocale } from './i18n.ts';

/** A problem-details error from the API, with the field errors and unmet conditions it carries. */
export class ApiError extends Error {
  status: number;
  code: string;
  errors: { path: string; message: string }[];
  unmet: string[];
  constructor(status: number, body: unknown) {
    const p = (body ?? {}) as Partial<{ detail: string; title: string; code: string; errors: { path: string; message: string }[]; unmet: string[] }>;
    super(p.detail ?? p.title ?? `Request failed (${status})`);
    this.status = status;
    this.code = p.code ?? 'UNKNOWN';
    this.errors = p.errors ?? [];
    this.unmet = p.unmet ?? [];
  }
}

/** Calls the JSON API with the session cookie; throws ApiError on any problem answer. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, init: { keepalive?: boolean } = {}): Promise<T> {
  const res = await fetch(`/api${path}`, {
    method,
    credentials: 'same-origin',
    // keepalive lets a save started as the page closes finish after it.
    keepalive: init.keepalive,
    // The server writes its own texts (rules, reasons, documents, notices) in the reader's language.
    headers: { 'accept-language': i18n.language, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return answer<T>(res);
}

/** Sends a file as the request's body (a photo), typed by the browser, and reads the JSON answer as `api` does. */
export async function sendFile<T = unknown>(method: 'PUT' | 'POST', path: string, file: File): Promise<T> {
  const res = await fetch(`/api${path}`, { method, credentials: 'same-origin', headers: { 'accept-language': i18n.language, 'content-type': file.type }, body: file });
  return answer<T>(res);
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    // A proxy's own error page: the status still says what happened.
    json = undefined;
  }
  if (!res.ok) {
    const err = new ApiError(res.status, json);
    if (res.status === 401 && err.code === 'UNAUTHENTICATED') window.dispatchEvent(new CustomEvent('consilium:signed-out'));
    throw err;
  }
  return json as T;
}

export const get = <T = unknown>(path: string) => api<T>('GET', path);
export const post = <T = unknown>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const put = <T = unknown>(path: string, body: unknown) => api<T>('PUT', path, body);
export const patch = <T = unknown>(path: string, body: unknown, init?: { keepalive?: boolean }) => api<T>('PATCH', path, body, init);

type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Answer<O> = O extends { responses: infer R } ? (R extends { 200: infer A } ? JsonOf<A> : R extends { 201: infer B } ? JsonOf<B> : R extends { 202: infer C } ? JsonOf<C> : never) : never;
/** What the API answers to a GET of `P` (the path as the OpenAPI document writes it), from the generated types. */
export type GetResult<P extends keyof paths> = Answer<paths[P]['get']>;
export type PostResult<P extends keyof paths> = Answer<paths[P]['post']>;
export type PutResult<P extends keyof paths> = Answer<paths[P]['put']>;
export type PatchResult<P extends keyof paths> = Answer<paths[P]['patch']>;
/** A schema the API names (e.g. `Schema<'Case'>`). */
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];
/** What a form holds while it is filled in: any answer may still be missing. */
export type FormOf<T> = T extends (infer U)[] ? FormOf<U>[] : T extends object ? { [K in keyof T]?: FormOf<T[K]> } : T;
/** Like `FormOf`, where a cleared choice is kept as null. */
export type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;
/** An intake as a draft holds it: sections and answers may be missing; the server checks each step it saves. */
export type IntakeDraft = DeepPartial<Schema<'Intake'>>;

export const STATUS_COLORS: Record<string, string> = {
  draft: 'gray', submitted: 'blue', collecting_records: 'cyan', ready_for_review: 'teal', assigned: 'indigo', in_review: 'violet',
  board: 'grape', opinion_signed: 'green', delivered: 'green', closed: 'dark', cancelled: 'red', on_hold: 'orange',
};

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(formatLocale(), { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * A calendar day (a birth date, a study date: "1961-04-12" or DICOM's "19610412") as the rest of
 * the app writes dates ("Apr 12, 1961"); no time zone shifts the day.
 */
export function formatDay(day: string | null | undefined, unknown = '—'): string {
  const m = day?.match(/^(\d{4})-?(\d{2})-?(\d{2})/);
  if (!m) return unknown;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).toLocaleDateString(formatLocale(), { dateStyle: 'medium', timeZone: 'UTC' });
}

/**
 * A month written as ISO does ("2026-11": a consent document's version) in words in the reader's
 * language ("November 2026", "noviembre de 2026"); anything else shows as it is.
 */
export function formatMonth(month: string): string {
  const m = month.match(/^(\d{4})-(\d{2})$/);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return month;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)).toLocaleDateString(formatLocale(), { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** The user's own calendar day (not UTC's), `offsetDays` from today, as an ISO date. */
export function localDay(offsetDays = 0): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A number field's value: Mantine hands back text for some typed numbers ("380.00", "60.0"); NaN when empty or not a number. */
export const numberOf = (v: string | number): number => (typeof v === 'number' ? v : v.trim() === '' ? Number.NaN : Number(v));

export function ageInDays(iso: string | null | undefined): number | null {
  if (!iso) return null;
  return Math.floor((Date.now() - new Date(iso).getTime()) / 86_400_000);
}
