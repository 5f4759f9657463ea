import fc from 'fast-check';

/**
 * Hostile values and mutations of valid inputs. Mutations are kept as a list of operations on a
 * seed rather than as bytes, so a shrunk counterexample reads as "seed 2, u32 0xffffffff at 140"
 * and not as kilobytes of hex.
 */

/** Strings that have broken parsers, databases and JSON round trips elsewhere. */
export const HOSTILE_STRINGS: readonly string[] = [
  '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\ud83d', '\uffff', '\ufeff', '\u202e\u0041', '\r\n', '\t\v\f',
  '%00', '%', '%zz', '%E0%A4%A', '\\', '\\u0000', '"', "'; DROP TABLE cases; --", '${jndi:ldap://x}', '../../etc/passwd',
  '<script>alert(1)</script>', '1e21', '-0', 'Infinity', '-Infinity', 'NaN', '9007199254740993', '0x10', '1_000', '00',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'null', 'undefined', 'true', '[]', '{}', '',
  ' ', '🙂', 'ä'.normalize('NFD'), 'İ', 'ß', '\u{10ffff}',
];
export const HOSTILE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', '\u0000', '\ud800', 'a.b', '$where', '0', 'length'];
export const HOSTILE_NUMBERS: readonly number[] = [1e21, -0, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, -1, 0, 0.5, 1.5, 4294967296, 2147483648, Number.MIN_VALUE, 1e-7];

/** Characters that pass length checks but break storage: NUL (PostgreSQL text), lone surrogates (UTF-8, jsonb). */
export const POISON_CHARS: readonly string[] = ['\u0000', '\ud800', '\udfff', '\uffff'];

/** An ordinary-looking string with one poison character in it, short enough to pass validation. */
export const poisoned: fc.Arbitrary<string> = fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...POISON_CHARS), fc.string({ maxLength: 6 })).map(([a, c, b]) => `Ok${a}${c}${b}`);

/** A string of a hostile kind, including long and repeated ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: poisoned },
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 8 }), fc.constantFrom(...HOSTILE_STRINGS)).map(([a, b, c]) => `${b}${a}${b}${c}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '\u0000', '🙂', '\ud800', ' ', '%', '.'), fc.constantFrom(256, 4097, 65_537, 100_000)).map(([c, n]) => c.repeat(n)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** JSON text nested `depth` deep: recursion limits in validators and serialisers. */
export class Nested {
  readonly depth: number;
  readonly kind: 'array' | 'object';
  constructor(depth: number, kind: 'array' | 'object') {
    this.depth = depth;
    this.kind = kind;
  }
  text(): string {
    return this.kind === 'array' ? `${'['.repeat(this.depth)}${']'.repeat(this.depth)}` : `${'{"a":'.repeat(this.depth)}1${'}'.repeat(this.depth)}`;
  }
}
export const nested: fc.Arbitrary<Nested> = fc.tuple(fc.constantFrom(64, 1000, 5000, 20_000), fc.constantFrom('array' as const, 'object' as const)).map(([d, k]) => new Nested(d, k));

/** A number that is not representable as it was written, or at an edge; Infinity and NaN as JSON text. */
export class RawNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}
export const hostileNumber: fc.Arbitrary<number | RawNumber> = fc.oneof(
  fc.constantFrom(...HOSTILE_NUMBERS),
  fc.constantFrom('-0', '1e21', '1e400', '-1e400', '0.1e-400', '1E+2', '12345678901234567890123').map((t) => new RawNumber(t)),
);

/** Any JSON value, sometimes with hostile pieces. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 20 }), hostileString, hostileNumber,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom(...HOSTILE_KEYS)), tie('value')), { maxLength: 4 }).map(objectOf)),
})).value;

/** An object from entries; keys like `__proto__` become own properties, as JSON.parse makes them. */
export function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
  return o;
}

/** JSON text of a generated value: keeps -0, 1e21 and deep nesting as written, which JSON.stringify would not. */
export function jsonText(v: unknown): string {
  if (v instanceof Nested) return v.text();
  if (v instanceof RawNumber) return v.text;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : Number.isFinite(v) ? String(v) : 'null';
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${jsonText((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Text with long runs of one character folded (`‹a×100000›`) and the rest cut at `max`. */
export function compactText(s: string, max = 400): string {
  const folded = s.replace(/(.)\1{19,}/gsu, (run, c: string) => `‹${JSON.stringify(c).slice(1, -1)}×${[...run].length}›`).replace(/(%[0-9A-F]{2}(?:%[0-9A-F]{2}){0,3})\1{9,}/g, (run, c: string) => `‹${c}×${run.length / c.length}›`);
  return folded.length > max ? `${folded.slice(0, max)}…(${folded.length} chars)` : folded;
}

/** A readable, bounded rendering of an input: long strings and buffers are summarised. */
export function compact(v: unknown, max = 400): string {
  const text = jsonText(summarise(v));
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}
function summarise(v: unknown): unknown {
  if (typeof v === 'string') {
    if (v.length <= 60) return v;
    const c = v[0]!;
    return v === c.repeat(v.length) ? `<${JSON.stringify(c)}×${v.length}>` : `${v.slice(0, 40)}…<${v.length} chars>`;
  }
  if (v instanceof Nested) return `<${v.kind} nested ${v.depth} deep>`;
  if (v instanceof RawNumber) return v;
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (Array.isArray(v)) return v.map(summarise);
  if (v && typeof v === 'object') return objectOf(Object.keys(v).map((k) => [k, summarise((v as Record<string, unknown>)[k])]));
  return v;
}

// Byte mutations ---------------------------------------------------------------------------------

export type ByteOp =
  | { op: 'set'; at: number; value: number }
  | { op: 'cut'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; len: number }
  | { op: 'splice'; at: number; other: number; from: number; len: number }
  | { op: 'repeat'; at: number; len: number; times: number }
  | { op: 'u32'; at: number; value: number }
  | { op: 'u16'; at: number; value: number };

export type BytesInput = { seed: number; ops: ByteOp[] } | { random: Uint8Array };

const pos = fc.nat({ max: 1 << 20 });
const byteOp: fc.Arbitrary<ByteOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), at: pos, value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cut' as const), at: pos }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('insert' as const), at: pos, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at: pos, len: fc.integer({ min: 1, max: 256 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('splice' as const), at: pos, other: fc.nat(), from: pos, len: fc.integer({ min: 1, max: 512 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repeat' as const), at: pos, len: fc.integer({ min: 1, max: 64 }), times: fc.constantFrom(2, 16, 256, 2000) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('u32' as const), at: pos, value: fc.oneof(fc.constantFrom(0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0, 1, 0xffff, 0x10000), fc.nat()) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('u16' as const), at: pos, value: fc.oneof(fc.constantFrom(0xffff, 0xfffe, 0x7fff, 0, 1), fc.integer({ min: 0, max: 0xffff })) }) },
);

/**
 * Inputs made from valid seeds by a few byte mutations (most of the time), or random bytes
 * behind one of the format's magic prefixes, or plain random bytes.
 */
export function bytesInput(seedCount: number, prefixes: Uint8Array[] = []): fc.Arbitrary<BytesInput> {
  const mutated = fc.record({ seed: fc.nat({ max: seedCount - 1 }), ops: fc.array(byteOp, { minLength: 0, maxLength: 6 }) });
  const randomBytes = fc.uint8Array({ maxLength: 4096 });
  const prefixed = prefixes.length
    ? fc.tuple(fc.constantFrom(...prefixes), randomBytes).map(([p, r]) => ({ random: Buffer.concat([p, r]) }))
    : randomBytes.map((random) => ({ random }));
  return fc.oneof({ weight: 8, arbitrary: mutated }, { weight: 1, arbitrary: prefixed }, { weight: 1, arbitrary: randomBytes.map((random) => ({ random })) });
}

/** The bytes an input stands for. */
export function applyBytes(seeds: readonly Uint8Array[], input: BytesInput): Buffer {
  if ('random' in input) return Buffer.from(input.random);
  let b = Buffer.from(seeds[input.seed]!);
  for (const o of input.ops) {
    const at = o.at % (b.length + 1);
    switch (o.op) {
      case 'set': if (at < b.length) b[at] = o.value; break;
      case 'cut': b = b.subarray(0, at); break;
      case 'insert': b = Buffer.concat([b.subarray(0, at), o.bytes, b.subarray(at)]); break;
      case 'delete': b = Buffer.concat([b.subarray(0, at), b.subarray(at + o.len)]); break;
      case 'splice': {
        const other = seeds[o.other % seeds.length]!;
        const from = o.from % (other.length + 1);
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + o.len), b.subarray(at)]);
        break;
      }
      case 'repeat': {
        const chunk = b.subarray(at, at + o.len);
        b = Buffer.concat([b.subarray(0, at), ...Array.from({ length: o.times }, () => chunk), b.subarray(at + o.len)]);
        break;
      }
      case 'u32': if (at + 4 <= b.length) { b = Buffer.from(b); b.writeUInt32LE(o.value >>> 0, at - (at % 2)); } break;
      case 'u16': if (at + 2 <= b.length) { b = Buffer.from(b); b.writeUInt16LE(o.value, at - (at % 2)); } break;
    }
  }
  return b;
}

/** "seed explicit: u32 @140=0xffffffff, cut @900" — how a mutated input was made, at the offsets where each step landed. */
export function showBytes(input: BytesInput, seeds: readonly Uint8Array[], names: readonly string[] = []): string {
  if ('random' in input) {
    const head = Buffer.from(input.random.subarray(0, 48)).toString('hex');
    return `random ${input.random.length} bytes: ${head}${input.random.length > 48 ? '…' : ''}`;
  }
  let length = seeds[input.seed]!.length;
  const ops = input.ops.map((o) => {
    const at = o.at % (length + 1);
    const before = length;
    length = applyBytes(seeds, { seed: input.seed, ops: input.ops.slice(0, input.ops.indexOf(o) + 1) }).length;
    switch (o.op) {
      case 'set': return `set @${at}=0x${o.value.toString(16)}`;
      case 'cut': return `cut @${at} of ${before}`;
      case 'insert': return `insert @${at} ${Buffer.from(o.bytes).toString('hex')}`;
      case 'delete': return `delete @${at} ${o.len} bytes`;
      case 'splice': return `splice @${at} bytes ${o.from}+${o.len} of seed ${names[o.other % seeds.length] ?? o.other}`;
      case 'repeat': return `repeat @${at} ${o.len} bytes ×${o.times}`;
      default: return `${o.op} @${at - (at % 2)}=0x${o.value.toString(16)}`;
    }
  });
  return `seed ${names[input.seed] ?? input.seed} (${seeds[input.seed]!.length} bytes)${ops.length ? `: ${ops.join(', ')}` : ', unchanged'}`;
}

// Text mutations ---------------------------------------------------------------------------------

export type TextOp = { op: 'bytes'; ops: ByteOp[] } | { op: 'insert'; at: number; text: string } | { op: 'nest'; at: number; open: string; close: string; depth: number };
export type TextInput = { seed: number; ops: TextOp[] } | { random: string };

/** Mutations of text seeds: byte-level ones, fragments of the format inserted anywhere, deep nesting. */
export function textInput(seedCount: number, fragments: readonly string[], nesters: readonly [string, string][]): fc.Arbitrary<TextInput> {
  const op: fc.Arbitrary<TextOp> = fc.oneof(
    { weight: 2, arbitrary: fc.array(byteOp, { minLength: 1, maxLength: 3 }).map((ops) => ({ op: 'bytes' as const, ops })) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('insert' as const), at: pos, text: fc.oneof(fc.constantFrom(...fragments), hostileString) }) },
    { weight: 1, arbitrary: fc.tuple(pos, fc.constantFrom(...nesters), fc.constantFrom(100, 2000, 20_000)).map(([at, [open, close], depth]) => ({ op: 'nest' as const, at, open, close, depth })) },
  );
  return fc.oneof(
    { weight: 9, arbitrary: fc.record({ seed: fc.nat({ max: seedCount - 1 }), ops: fc.array(op, { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ unit: 'binary', maxLength: 500 }), hostileString).map((random) => ({ random })) },
  );
}

export function applyText(seeds: readonly string[], input: TextInput): string {
  if ('random' in input) return input.random;
  let s = seeds[input.seed]!;
  for (const o of input.ops) {
    if (o.op === 'bytes') {
      s = applyBytes([Buffer.from(s)], { seed: 0, ops: o.ops }).toString('utf8');
      continue;
    }
    const at = o.at % (s.length + 1);
    s = o.op === 'insert' ? s.slice(0, at) + o.text + s.slice(at) : s.slice(0, at) + o.open.repeat(o.depth) + o.close.repeat(o.depth) + s.slice(at);
  }
  return s;
}

export function showText(input: TextInput, seeds: readonly string[], names: readonly string[]): string {
  if ('random' in input) return `random text ${compact(input.random, 200)}`;
  const ops = input.ops.map((o, k) => {
    const text = applyText(seeds, { seed: input.seed, ops: input.ops.slice(0, k) });
    if (o.op === 'bytes') return showBytes({ seed: 0, ops: o.ops }, [Buffer.from(text)]).replace(/^seed 0 \(\d+ bytes\): /, 'bytes: ');
    const at = o.at % (text.length + 1);
    return o.op === 'insert' ? `insert @${at} ${compact(o.text, 80)}` : `nest @${at} ${JSON.stringify(o.open)}×${o.depth}`;
  });
  return `seed ${names[input.seed] ?? input.seed}${ops.length ? `: ${ops.join('; ')}` : ', unchanged'} (offsets in UTF-16 units)`;
}

// JSON tree mutations ----------------------------------------------------------------------------

/** Replace the node reached by `path` (each step picks a child modulo the number of children). */
export type TreeOp = { path: number[]; value: unknown; mode: 'replace' | 'addKey'; key: string };

export const treeOp: fc.Arbitrary<TreeOp> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 8 }),
  value: fc.oneof({ weight: 2, arbitrary: poisoned }, { weight: 2, arbitrary: anyJson }, { weight: 1, arbitrary: nested }, { weight: 2, arbitrary: hostileString }, { weight: 1, arbitrary: hostileNumber }),
  mode: fc.constantFrom('replace' as const, 'addKey' as const),
  key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.constantFrom('resourceType', 'entry', 'resource', 'id', 'extension', 'contained', 'meta'), fc.string({ maxLength: 8 })),
});

/** Applies tree mutations to a deep copy of a JSON document; returns the document and where each landed. */
export function applyTree(doc: unknown, ops: TreeOp[]): { doc: unknown; where: string[] } {
  const root = { v: structuredClone(doc) as unknown };
  const where: string[] = [];
  for (const o of ops) {
    let parent: Record<string, unknown> = root;
    let key = 'v';
    const trail: string[] = [];
    for (const step of o.path) {
      const node = parent[key];
      if (!node || typeof node !== 'object' || node instanceof Nested || node instanceof RawNumber) break;
      const keys = Object.keys(node);
      if (!keys.length) break;
      parent = node as Record<string, unknown>;
      key = keys[step % keys.length]!;
      trail.push(key);
    }
    const target = parent[key];
    if (o.mode === 'addKey' && target && typeof target === 'object' && !Array.isArray(target) && !(target instanceof Nested) && !(target instanceof RawNumber)) {
      Object.defineProperty(target, o.key, { value: o.value, enumerable: true, configurable: true, writable: true });
      trail.push(o.key);
    } else {
      Object.defineProperty(parent, key, { value: o.value, enumerable: true, configurable: true, writable: true });
    }
    where.push(`/${trail.join('/')} = ${compact(o.value, 80)}`);
  }
  return { doc: root.v, where };
}
