import fc from 'fast-check';
import { anyJson, HOSTILE_KEYS, hostileNumber, hostileString, nested, objectOf, POISON_CHARS } from './mutate.ts';

/**
 * JSON Schema (as our OpenAPI document states it) → fast-check arbitrary. Values are valid most
 * of the time, so requests get past validation into the handlers, and hostile otherwise: wrong
 * types, edge numbers, strings with NUL or lone surrogates, `__proto__` keys, deep nesting.
 */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  default?: unknown;
};

/** How schemas refer to each other: `#/components/schemas/Name`. */
export type Resolver = (ref: string) => JsonSchema;

/** A wrong-typed or hostile value for any position. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: nested },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { '': '' }) },
  { weight: 1, arbitrary: anyJson },
);

/** Valid-ish values of `schema`, with a hostile one at any position about one time in `rarity`. */
export function arbitraryFor(schema: JsonSchema, resolve: Resolver, rarity = 8, depth = 0): fc.Arbitrary<unknown> {
  const valid = validFor(schema, resolve, rarity, depth);
  return fc.oneof({ weight: rarity - 1, arbitrary: valid }, { weight: 1, arbitrary: hostileValue });
}

function validFor(schema: JsonSchema, resolve: Resolver, rarity: number, depth: number): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if (schema.$ref) return validFor(resolve(schema.$ref), resolve, rarity, depth + 1);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => validFor(s, resolve, rarity, depth + 1)));
  if (schema.allOf?.length) {
    const merged = schema.allOf.map((s) => (s.$ref ? resolve(s.$ref) : s)).reduce<JsonSchema>((a, s) => ({
      ...a, ...s, properties: { ...a.properties, ...s.properties }, required: [...(a.required ?? []), ...(s.required ?? [])],
    }), {});
    return validFor(merged, resolve, rarity, depth + 1);
  }
  const types = [schema.type ?? (schema.properties ? 'object' : undefined)].flat().filter((t): t is string => Boolean(t));
  if (!types.length) return anyJson;
  return fc.oneof(...types.map((t) => ofType(t, schema, resolve, rarity, depth)));
}

function ofType(type: string, s: JsonSchema, resolve: Resolver, rarity: number, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null': return fc.constant(null);
    case 'boolean': return fc.boolean();
    case 'integer': case 'number': {
      const min = Math.max(s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1e6), -1e9);
      const max = Math.min(s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1e6), 1e9);
      const edges = [min, max].filter((n) => Number.isSafeInteger(n));
      const n = type === 'integer' ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
      return edges.length ? fc.oneof({ weight: 4, arbitrary: n }, { weight: 1, arbitrary: fc.constantFrom(...edges) }) : n;
    }
    case 'string': {
      // A valid string with a poison character inside passes validation and reaches the database.
      const valid = stringFor(s);
      if (s.enum || s.format === 'uuid') return valid;
      return fc.oneof({ weight: rarity, arbitrary: valid }, { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...POISON_CHARS), fc.nat()).map(([v, c, at]) => poison(v, c, at % (v.length + 1), s.maxLength)) });
    }
    case 'array': {
      const max = Math.min(s.maxItems ?? 4, Math.max(s.minItems ?? 0, 4));
      return fc.array(arbitraryFor(s.items ?? {}, resolve, rarity, depth + 1), { minLength: Math.min(s.minItems ?? 0, max), maxLength: max });
    }
    case 'object': return objectFor(s, resolve, rarity, depth);
    default: return anyJson;
  }
}

function poison(v: string, c: string, at: number, maxLength?: number): string {
  const out = v.slice(0, at) + c + v.slice(at);
  return maxLength !== undefined && out.length > maxLength ? out.slice(out.length - maxLength) : out;
}

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? 40, 200));
  switch (s.format) {
    case 'uuid': return fc.uuid();
    case 'email': return fc.emailAddress();
    case 'date-time': return fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date': return fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri': case 'url': return fc.webUrl();
  }
  if (s.pattern && s.pattern.length < 120) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= minLength && x.length <= Math.max(maxLength, minLength));
    } catch {
      // A pattern fast-check cannot generate from: plain strings will do.
    }
  }
  return fc.string({ minLength, maxLength });
}

function objectFor(s: JsonSchema, resolve: Resolver, rarity: number, depth: number): fc.Arbitrary<unknown> {
  const props = Object.entries(s.properties ?? {});
  if (!props.length && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return fc.array(fc.tuple(fc.string({ maxLength: 12 }), arbitraryFor(s.additionalProperties, resolve, rarity, depth + 1)), { maxLength: 4 }).map(objectOf);
  }
  const required = new Set(s.required ?? []);
  const extras = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 })), hostileValue), { maxLength: 2 });
  // Required keys are present most of the time; a missing one must be a 400, not a crash.
  const entry = ([k, v]: [string, JsonSchema]) => fc.option(arbitraryFor(v, resolve, rarity, depth + 1).map((x) => [k, x] as [string, unknown]), { freq: required.has(k) ? 12 : 2 });
  return fc.tuple(fc.tuple(...props.map(entry)), fc.oneof({ weight: rarity, arbitrary: fc.constant([] as [string, unknown][]) }, { weight: 1, arbitrary: extras }))
    .map(([own, extra]) => objectOf([...own.filter((e): e is [string, unknown] => e !== null), ...extra]));
}
