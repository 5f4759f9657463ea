import crypto from 'node:crypto';
import fs from 'node:fs';
import { DEFLATED } from './part10.ts';
import { dcmjs } from './dcmjs.ts';

/**
 * De-identification of a DICOM instance per PS3.15 Annex E, Basic Application Level
 * Confidentiality Profile, with the Retain Longitudinal Temporal Information (full or modified
 * dates) and Clean Descriptors options. The attribute list is data
 * (`data/deid-basic-profile.json`, from Table E.1-1, with its source and review date); this file
 * only applies it. UIDs are remapped consistently within one export, so a study stays a study.
 */

type Action = 'X' | 'Z' | 'D' | 'U' | 'X/Z' | 'X/D' | 'Z/D' | 'X/Z/D' | 'X/Z/U*';
interface Rule { tag: string; name: string; action: Action; longitudinal?: boolean; cleanDescriptor?: boolean }
export interface Profile { id: string; title?: string; source: string; reviewed: string; attributes: Rule[] }

export const BASIC_PROFILE: Profile = JSON.parse(fs.readFileSync(new URL('./data/deid-basic-profile.json', import.meta.url), 'utf8'));
const RULES = new Map(BASIC_PROFILE.attributes.filter((r) => !r.tag.includes('x')).map((r) => [r.tag.toUpperCase(), r]));

export interface DeidOptions {
  /** Dates: removed (off), kept (full), or shifted by a fixed number of days (modified). */
  retainLongitudinal: 'off' | 'full' | 'modified';
  /** Keep descriptions after removing the patient's identifiers from them. */
  cleanDescriptors: boolean;
}

export interface DeidContext {
  /** New UID for an old one; the same old UID always gives the same new UID within a context. */
  uid: (old: string) => string;
  /** Days added to every date under the modified-dates option (one value per export). */
  shiftDays: number;
  /** Words to strip from descriptors: names, identifiers, accession numbers seen in the data. */
  identifiers: Set<string>;
  /** Replaces the empty Patient's Name and ID, so a recipient can tell patients apart. */
  pseudonym: string;
}

/** A fresh context: UIDs map through an HMAC with a random key, under the 2.25 root. */
export function newDeidContext(pseudonym: string): DeidContext {
  const key = crypto.randomBytes(32);
  const cache = new Map<string, string>();
  return {
    uid: (old) => {
      let u = cache.get(old);
      if (!u) {
        const h = crypto.createHmac('sha256', key).update(old).digest().subarray(0, 16);
        u = `2.25.${BigInt(`0x${h.toString('hex')}`).toString()}`;
        cache.set(old, u);
      }
      return u;
    },
    shiftDays: -(30 + crypto.randomInt(0, 3650)),
    identifiers: new Set(),
    pseudonym,
  };
}

type Element = { vr: string; Value?: unknown[] };
type Dict = Record<string, Element>;

const groupOf = (tag: string) => Number.parseInt(tag.slice(0, 4), 16);
const isPrivate = (tag: string) => groupOf(tag) % 2 === 1;
const isOverlayOrCurve = (tag: string) => (/^60[0-9A-F]{2}(3000|4000)$/.test(tag) && groupOf(tag) % 2 === 0) || /^50[0-9A-F]{2}/.test(tag);

function dummy(vr: string): unknown[] {
  switch (vr) {
    case 'PN': return [{ Alphabetic: 'ANONYMIZED' }];
    case 'DA': return ['19000101'];
    case 'TM': return ['000000'];
    case 'DT': return ['19000101000000'];
    case 'IS': case 'DS': case 'US': case 'SS': case 'UL': case 'SL': case 'FL': case 'FD': return [0];
    case 'SQ': return [];
    case 'AS': return ['000Y'];
    default: return ['ANONYMIZED'];
  }
}

function shiftDate(value: string, days: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})(.*)$/.exec(value);
  if (!m) return value;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  d.setUTCDate(d.getUTCDate() + days);
  return `${d.toISOString().slice(0, 10).replaceAll('-', '')}${m[4]}`;
}

function clean(value: unknown, ids: Set<string>): unknown {
  if (typeof value !== 'string') return value;
  let out = value;
  for (const id of ids) if (id.length >= 3) out = out.replace(new RegExp(id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '***');
  return out;
}

/** A descriptor kept under the Clean Descriptors option: identifiers removed, nested items too. */
function cleanElement(el: Element, ids: Set<string>): Element {
  if (el.vr === 'SQ') {
    return { vr: 'SQ', Value: (el.Value ?? []).map((item) => Object.fromEntries(Object.entries(item as Dict).map(([t, e]) => [t, cleanElement(e, ids)]))) };
  }
  if (el.vr === 'PN') return { vr: 'PN', Value: (el.Value ?? []).map((v) => ({ Alphabetic: clean(String((v as { Alphabetic?: string }).Alphabetic ?? ''), ids) })) };
  return { vr: el.vr, Value: (el.Value ?? []).map((v) => clean(v, ids)) };
}

/** Words from identifying attributes, so cleaning can remove them from free text. */
function collectIdentifiers(dict: Dict, ids: Set<string>) {
  for (const tag of ['00100010', '00100020', '00101001', '00101000', '00080050', '00080090', '00100030']) {
    for (const v of dict[tag]?.Value ?? []) {
      const text = typeof v === 'object' && v ? String((v as { Alphabetic?: string }).Alphabetic ?? '') : String(v);
      for (const part of text.split(/[\^ ,]+/)) if (part.trim().length >= 3) ids.add(part.trim());
    }
  }
}

function applyRules(dict: Dict, opts: DeidOptions, ctx: DeidContext): Dict {
  const out: Dict = {};
  for (const [rawTag, el] of Object.entries(dict)) {
    const tag = rawTag.toUpperCase();
    if (isPrivate(tag) || isOverlayOrCurve(tag)) continue;
    const rule = RULES.get(tag);
    if (!rule) {
      out[tag] = el.vr === 'SQ' ? { vr: 'SQ', Value: (el.Value ?? []).map((item) => applyRules(item as Dict, opts, ctx)) } : el;
      continue;
    }
    if (rule.longitudinal && opts.retainLongitudinal === 'full') {
      out[tag] = el;
      continue;
    }
    if (rule.longitudinal && opts.retainLongitudinal === 'modified' && (el.vr === 'DA' || el.vr === 'DT')) {
      out[tag] = { vr: el.vr, Value: (el.Value ?? []).map((v) => (typeof v === 'string' ? shiftDate(v, ctx.shiftDays) : v)) };
      continue;
    }
    if (rule.longitudinal && opts.retainLongitudinal === 'modified' && el.vr === 'TM') {
      out[tag] = el; // Times keep their order within the shifted day.
      continue;
    }
    if (rule.cleanDescriptor && opts.cleanDescriptors) {
      out[tag] = cleanElement(el, ctx.identifiers);
      continue;
    }
    switch (rule.action) {
      case 'X':
        break;
      case 'Z':
      case 'X/Z':
        out[tag] = { vr: el.vr, Value: [] };
        break;
      case 'D':
      case 'X/D':
      case 'Z/D':
      case 'X/Z/D':
        out[tag] = { vr: el.vr, Value: el.vr === 'UI' ? (el.Value ?? []).map((v) => ctx.uid(String(v))) : dummy(el.vr) };
        break;
      case 'U':
        out[tag] = { vr: el.vr, Value: (el.Value ?? []).map((v) => ctx.uid(String(v))) };
        break;
      case 'X/Z/U*':
        out[tag] = el.vr === 'SQ' ? { vr: 'SQ', Value: (el.Value ?? []).map((item) => applyRules(item as Dict, opts, ctx)) } : { vr: el.vr, Value: [] };
        break;
    }
  }
  return out;
}

const code = (value: string, meaning: string) => ({ '00080100': { vr: 'SH', Value: [value] }, '00080102': { vr: 'SH', Value: ['DCM'] }, '00080104': { vr: 'LO', Value: [meaning] } });

/** SOP classes and modalities whose pixels often carry burned-in text (screens, scans of paper, ultrasound). */
const LIKELY_BURNED_IN = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(7(\.\d+)?|6\.1|3\.1|104\.\d+)$/;

export interface DeidResult {
  bytes: Buffer;
  sopInstanceUid: string;
  /** Burned-in annotation is declared or likely: the pixels must be checked before sharing. */
  burnedIn: boolean;
}

export function deidentifyInstance(input: Uint8Array, opts: DeidOptions, ctx: DeidContext): DeidResult {
  const ab = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength) as ArrayBuffer;
  const read = dcmjs().data.DicomMessage.readFile(ab);
  const dict = read.dict as Dict;
  collectIdentifiers(dict, ctx.identifiers);
  const sopClass = String(dict['00080016']?.Value?.[0] ?? '');
  const burnedIn = String(dict['00280301']?.Value?.[0] ?? '').toUpperCase() === 'YES' || LIKELY_BURNED_IN.test(sopClass);
  const out = applyRules(dict, opts, ctx);
  out['00100010'] = { vr: 'PN', Value: [{ Alphabetic: ctx.pseudonym }] };
  out['00100020'] = { vr: 'LO', Value: [ctx.pseudonym] };
  out['00120062'] = { vr: 'CS', Value: ['YES'] };
  const methods = [code('113100', 'Basic Application Confidentiality Profile')];
  if (opts.cleanDescriptors) methods.push(code('113105', 'Clean Descriptors Option'));
  if (opts.retainLongitudinal === 'full') methods.push(code('113106', 'Retain Longitudinal Temporal Information Full Dates Option'));
  if (opts.retainLongitudinal === 'modified') methods.push(code('113107', 'Retain Longitudinal Temporal Information Modified Dates Option'));
  out['00120063'] = { vr: 'LO', Value: [`DICOM PS3.15 E.1 ${methods.map((m) => m['00080100'].Value[0]).join('/')}`] };
  out['00120064'] = { vr: 'SQ', Value: methods };
  const sopInstanceUid = String(out['00080018']?.Value?.[0]);
  const meta = { ...read.meta } as Dict;
  meta['00020003'] = { vr: 'UI', Value: [sopInstanceUid] };
  // dcmjs writes deflated data sets uncompressed; say so in the meta header.
  if (meta['00020010']?.Value?.[0] === DEFLATED) meta['00020010'] = { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] };
  const { DicomDict } = dcmjs().data;
  const dicomDict = new DicomDict(meta);
  dicomDict.dict = out;
  return { bytes: Buffer.from(dicomDict.write()), sopInstanceUid, burnedIn };
}
