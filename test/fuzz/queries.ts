import fc from 'fast-check';
import { HOSTILE_KEYS, hostileString } from './mutate.ts';

/**
 * Query parameters for the DICOMweb QIDO and FHIR search parsers, shared by the in-process
 * targets and the HTTP ones. A query is a list of key/value pairs: keys may repeat, as they can
 * on the wire.
 */
export type Pairs = [string, string][];

const number = fc.oneof(
  fc.nat({ max: 2000 }).map(String),
  fc.constantFrom('1e21', '-0', '-1', '0', '1.5', 'Infinity', '-Infinity', 'NaN', '9007199254740993', '99999999999999999999', '0x10', ' 1', '1 ', '+1', ''),
);

const QIDO_KEYS = [
  'PatientName', '00100010', 'PatientID', '00100020', 'PatientBirthDate', 'PatientSex', 'StudyDate', '00080020', 'StudyTime', 'AccessionNumber',
  'StudyDescription', 'StudyInstanceUID', '0020000D', 'SeriesInstanceUID', 'SOPInstanceUID', 'SOPClassUID', 'Modality', 'ModalitiesInStudy', '00080061',
  'SeriesNumber', 'InstanceNumber', '00200013', 'ReferringPhysicianName', 'BodyPartExamined', 'StudyID', 'PixelData', '7FE00010', 'ffffffff', '0000000g',
  'limit', 'offset', 'includefield', 'fuzzymatching', 'orderby', 'case',
];
const qidoValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('*', '?', 'Test*', 'TESTPERSON^ROBIN', 'Testperson^Robin', '20260301', '20260101-20261231', '-20261231', '20260101-', '-', '101500-', 'CT', 'CT,MR', 'CT\\MR', '1.2.3', '1.2.3,4.5.6', '1.2.3\\4.5.6', 'all', 'true', '%', '_', '\\') },
  { weight: 2, arbitrary: number },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...QIDO_KEYS, 'all', 'toString', 'constructor', '__proto__', ''), { minLength: 1, maxLength: 4 }).map((a) => a.join(',')) },
);
const qidoKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...QIDO_KEYS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9A-Fa-f]{8}$/) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 12 }), hostileString) },
);
/** includefield's values get their own weight: they are looked up in the DICOM dictionary. */
const includefield = fc.tuple(fc.constant('includefield'), fc.oneof(fc.constantFrom('all', 'toString', 'constructor', '__proto__', 'valueOf', 'PatientName', '00100010', 'hasOwnProperty'), hostileString));

export const qidoPairs: fc.Arbitrary<Pairs> = fc.array(fc.oneof({ weight: 5, arbitrary: fc.tuple(qidoKey, qidoValue) }, { weight: 1, arbitrary: includefield }), { maxLength: 5 });

const FHIR_KEYS = ['_id', 'patient', 'subject', '_count', '_offset', 'date', 'birthdate', 'name', 'family', 'given', 'status', 'authored', 'identifier', 'entity', 'agent', 'outcome', 'based-on', '_format', '_sort', '_include', '_summary', 'name:exact', 'date:missing'];
const DATE_PREFIXES = ['', 'eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'xx'];
const fhirDate = fc.tuple(fc.constantFrom(...DATE_PREFIXES), fc.constantFrom('2026', '2026-02', '2026-02-29', '2026-13-01', '2026-02-31', '0000', '9999-12-31', '2026-01-01T10:00', '2026-01-01T25:61:61Z', '2026-01-01T10:00:00.123+14:00', '+275760-09-13', '-000001'))
  .map(([p, d]) => p + d);

export interface SearchParam {
  name: string;
  type: string;
}

/**
 * FHIR search values for a resource's declared parameters (from the CapabilityStatement), with
 * `_offset` and now and then an undeclared or hostile key; `ids` are real ids for references.
 */
export function fhirPairs(ids: readonly string[], declared: readonly SearchParam[]): fc.Arbitrary<Pairs> {
  const someId = ids.length ? fc.constantFrom(...ids) : fc.uuid();
  const reference = fc.oneof(someId, fc.uuid(), fc.tuple(fc.constantFrom('Patient/', 'ServiceRequest/', 'Group/', '/', 'Patient//', 'http://x/Patient/'), someId).map(([a, b]) => a + b));
  const text = fc.oneof(fc.constantFrom('active', 'completed', 'success', 'Testperson', 'Robin', 'urn:x|1'), hostileString);
  const byType: Record<string, fc.Arbitrary<string>> = { reference, date: fhirDate, number, token: fc.oneof(someId, text), string: text };
  const valueOf = (type: string) => fc.oneof({ weight: 4, arbitrary: byType[type] ?? text }, { weight: 1, arbitrary: fc.oneof(number, reference, fhirDate, hostileString) });
  const params = [...declared, { name: '_offset', type: 'number' }];
  const declaredPair = fc.constantFrom(...params).chain((p) => valueOf(p.type).map((v) => [p.name, v] as [string, string]));
  const otherKey = fc.oneof(fc.constantFrom(...FHIR_KEYS), fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 10 }));
  return fc.array(fc.oneof({ weight: 8, arbitrary: declaredPair }, { weight: 1, arbitrary: fc.tuple(otherKey, valueOf('string')) }), { maxLength: 3 });
}

/** The object a querystring parser makes: repeated keys become a list; `__proto__` an own key. */
export function queryObject(pairs: Pairs): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of pairs) {
    const prev = Object.hasOwn(out, k) ? out[k] : undefined;
    Object.defineProperty(out, k, { value: prev === undefined ? v : [...[prev].flat(), v], enumerable: true, configurable: true, writable: true });
  }
  return out;
}

/** A query string, percent-encoded. */
export function queryString(pairs: Pairs): string {
  return pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

/** encodeURIComponent refuses lone surrogates; send them as the (invalid) UTF-8 a client might. */
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s].map((c) => {
      const code = c.codePointAt(0)!;
      return code >= 0xd800 && code <= 0xdfff ? `%ED%${(0xa0 | ((code >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}` : encodeURIComponent(c);
    }).join('');
  }
}
