import { AppError, msg } from '../core/errors.ts';
import { dcmjs } from './dcmjs.ts';

/**
 * QIDO-RS query parameters (PS3.18 §8.3.4) turned into SQL conditions over our index: single
 * value, UID list, wildcard (`*`, `?`) and date/time range matching; `limit`, `offset`,
 * `includefield` and `fuzzymatching`. Pure: it builds SQL text and parameters, runs nothing.
 */

export type QidoLevel = 'study' | 'series' | 'instance';

type MatchKind = 'uid' | 'text' | 'pn' | 'range' | 'int' | 'modalities';
interface Column { sql: string; kind: MatchKind; level: QidoLevel }

/** The attributes we index, by tag, with the column each one matches against. */
const COLUMNS = new Map<string, Column>(Object.entries({
  '0020000D': { sql: 's.study_uid', kind: 'uid', level: 'study' },
  '00100010': { sql: 's.patient_name', kind: 'pn', level: 'study' },
  '00100020': { sql: 's.patient_id', kind: 'text', level: 'study' },
  '00100030': { sql: 's.patient_birth_date', kind: 'range', level: 'study' },
  '00100040': { sql: 's.patient_sex', kind: 'text', level: 'study' },
  '00080020': { sql: 's.study_date', kind: 'range', level: 'study' },
  '00080030': { sql: 's.study_time', kind: 'range', level: 'study' },
  '00080050': { sql: 's.accession_number', kind: 'text', level: 'study' },
  '00081030': { sql: 's.study_description', kind: 'text', level: 'study' },
  '00200010': { sql: 's.study_id', kind: 'text', level: 'study' },
  '00080090': { sql: 's.referring_physician', kind: 'pn', level: 'study' },
  '00080061': { sql: 's.id', kind: 'modalities', level: 'study' },
  '0020000E': { sql: 'se.series_uid', kind: 'uid', level: 'series' },
  '00080060': { sql: 'se.modality', kind: 'text', level: 'series' },
  '00200011': { sql: 'se.series_number', kind: 'int', level: 'series' },
  '0008103E': { sql: 'se.series_description', kind: 'text', level: 'series' },
  '00180015': { sql: 'se.body_part', kind: 'text', level: 'series' },
  '00080018': { sql: 'i.sop_instance_uid', kind: 'uid', level: 'instance' },
  '00080016': { sql: 'i.sop_class_uid', kind: 'uid', level: 'instance' },
  '00200013': { sql: 'i.instance_number', kind: 'int', level: 'instance' },
} satisfies Record<string, Column>));

const LEVEL_RANK: Record<QidoLevel, number> = { study: 0, series: 1, instance: 2 };
const RESERVED = new Set(['limit', 'offset', 'includefield', 'fuzzymatching', 'orderby', 'case']);

export interface QidoQuery {
  where: string[];
  params: unknown[];
  limit: number;
  offset: number;
  /** Tags to add to each result; `all` for every stored attribute. */
  includeFields: string[] | 'all';
  /** PS3.18 Warning header values, e.g. for parameters we accepted but ignore. */
  warnings: string[];
}

const TAG_RE = /^[0-9A-Fa-f]{8}$/;

/** A keyword (PatientName) or tag (00100010) as an upper-case 8-digit tag; null when unknown. */
export function tagOf(key: string): string | null {
  if (TAG_RE.test(key)) return key.toUpperCase();
  // Own keys only: a key named like an object built-in (constructor, __proto__) is no attribute.
  const nameMap = dcmjs().data.DicomMetaDictionary.nameMap;
  const entry = Object.hasOwn(nameMap, key) ? nameMap[key] : undefined;
  return entry?.tag ? entry.tag.replace(/[(),]/g, '').toUpperCase() : null;
}

function likePattern(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%').replaceAll('?', '_');
}

const MAX_LIMIT = 1000;

/**
 * Builds the WHERE conditions for `level`. Parameters are numbered from `firstParam`, after the
 * caller's own (the actor, the case).
 */
export function buildQidoQuery(level: QidoLevel, query: Record<string, string | string[] | undefined>, firstParam: number): QidoQuery {
  const where: string[] = [];
  const params: unknown[] = [];
  const warnings: string[] = [];
  const bind = (v: unknown) => `$${firstParam + params.push(v) - 1}`;
  let includeFields: string[] | 'all' = [];
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v) ?? '';
  const num = (name: string, v: string, max: number) => {
    if (!/^\d+$/.test(v)) throw new AppError('VALIDATION_FAILED', msg`“${name}” must be a whole number.`);
    return Math.min(Number(v), max);
  };
  const limit = query.limit !== undefined ? num('limit', one(query.limit), MAX_LIMIT) : 100;
  const offset = query.offset !== undefined ? num('offset', one(query.offset), 1_000_000) : 0;
  if (query.fuzzymatching !== undefined && one(query.fuzzymatching) === 'true') warnings.push('299 consilium: The fuzzymatching parameter is not supported. Only literal matching has been performed.');
  for (const raw of [query.includefield].flat()) {
    if (!raw) continue;
    for (const f of raw.split(',')) {
      if (f === 'all') includeFields = 'all';
      else if (includeFields !== 'all') {
        const t = tagOf(f.trim());
        if (!t) throw new AppError('VALIDATION_FAILED', msg`includefield “${f}” is not a DICOM attribute.`);
        includeFields.push(t);
      }
    }
  }
  for (const [key, rawValue] of Object.entries(query)) {
    if (RESERVED.has(key) || rawValue === undefined) continue;
    const tag = tagOf(key);
    if (!tag) throw new AppError('VALIDATION_FAILED', msg`“${key}” is not a DICOM attribute keyword or tag.`);
    const value = one(rawValue);
    if (value === '') continue; // universal matching
    const col = COLUMNS.get(tag);
    if (!col || LEVEL_RANK[col.level] > LEVEL_RANK[level]) {
      warnings.push(`299 consilium: The attribute ${key} is not supported for matching at the ${level} level and was ignored.`);
      continue;
    }
    where.push(condition(col, value, bind));
  }
  return { where, params, limit, offset, includeFields, warnings };
}

function condition(col: Column, value: string, bind: (v: unknown) => string): string {
  const wildcard = /[*?]/.test(value);
  switch (col.kind) {
    case 'uid': {
      const uids = value.split(/[,\\]/).map((u) => u.trim()).filter(Boolean);
      return `${col.sql} = ANY(${bind(uids)}::text[])`;
    }
    case 'modalities': {
      const list = value.split(/[,\\]/).map((u) => u.trim()).filter(Boolean);
      return `EXISTS (SELECT 1 FROM dicom_series mx WHERE mx.study_id = s.id AND mx.modality = ANY(${bind(list)}::text[]))`;
    }
    case 'int': {
      if (!/^-?\d+$/.test(value)) throw new AppError('VALIDATION_FAILED', msg`“${value}” must be a whole number.`);
      return `${col.sql} = ${bind(Number(value))}`;
    }
    case 'range': {
      if (value.includes('-')) {
        const [from, to] = value.split('-', 2).map((v) => v.trim());
        if (!/^[\d.]*$/.test(from ?? '') || !/^[\d.]*$/.test(to ?? '')) throw new AppError('VALIDATION_FAILED', msg`“${value}” is not a date or time range (YYYYMMDD-YYYYMMDD).`);
        const parts: string[] = [];
        if (from) parts.push(`${col.sql} >= ${bind(from)}`);
        // An upper bound includes the whole last day or second: compare on its prefix.
        if (to) parts.push(`left(${col.sql}, ${to.length}) <= ${bind(to)}`);
        return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
      }
      if (wildcard) return `${col.sql} LIKE ${bind(likePattern(value))}`;
      return `${col.sql} = ${bind(value)}`;
    }
    case 'pn':
      // Person names match without regard to case, as most archives do.
      return wildcard ? `${col.sql} ILIKE ${bind(likePattern(value))}` : `lower(${col.sql}) = lower(${bind(value)})`;
    default:
      return wildcard ? `${col.sql} LIKE ${bind(likePattern(value))}` : `${col.sql} = ${bind(value)}`;
  }
}

/** Tags kept at the study and series levels for QIDO answers (PS3.18 Tables 6.7.1-2 and -2a). */
export const STUDY_TAGS = new Set(['00080005', '00080020', '00080030', '00080050', '00080090', '00081030', '00100010', '00100020', '00100030', '00100040', '00101010', '0020000D', '00200010', '00080201']);
export const SERIES_TAGS = new Set(['00080060', '0008103E', '00200011', '0020000E', '00180015', '00080021', '00080031', '00400244', '00400245', '00080070']);
export const INSTANCE_DEFAULT_TAGS = ['00080016', '00080018', '00200013', '00280010', '00280011', '00280100', '00280008', '00020010', '0020000D', '0020000E'];

export function pick(attrs: Record<string, unknown>, tags: Iterable<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of tags) if (attrs[t] !== undefined) out[t] = attrs[t];
  return out;
}
