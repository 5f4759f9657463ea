import { z } from 'zod';

/**
 * The small condition language the rule files are written in. A rule's `when` is a predicate
 * over named facts (see facts.ts); keeping it declarative is what lets the rules live in data,
 * be listed for clinicians, and be explained to the user when they fire.
 */
export type FactValue = string | number | boolean | null | readonly (string | number)[];
export type Facts = Readonly<Record<string, FactValue>>;

export type Predicate =
  | { always: true }
  | { never: true }
  | { fact: string; is: string | number | boolean | null }
  | { fact: string; in: (string | number | boolean | null)[] }
  | { fact: string; has: string | number }
  | { all: Predicate[] }
  | { any: Predicate[] }
  | { not: Predicate };

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const PredicateSchema: z.ZodType<Predicate> = z.lazy(() =>
  z.union([
    z.strictObject({ always: z.literal(true) }),
    z.strictObject({ never: z.literal(true) }),
    z.strictObject({ fact: z.string(), is: Scalar }),
    z.strictObject({ fact: z.string(), in: z.array(Scalar).min(1) }),
    z.strictObject({ fact: z.string(), has: z.union([z.string(), z.number()]) }),
    z.strictObject({ all: z.array(PredicateSchema).min(1) }),
    z.strictObject({ any: z.array(PredicateSchema).min(1) }),
    z.strictObject({ not: PredicateSchema }),
  ]),
).meta({ id: 'RulePredicate' });

/** Evaluates a predicate; a fact that is missing is an error, so a typo in a rule file cannot pass silently. */
export function holds(p: Predicate, facts: Facts): boolean {
  if ('always' in p) return true;
  if ('never' in p) return false;
  if ('all' in p) return p.all.every((q) => holds(q, facts));
  if ('any' in p) return p.any.some((q) => holds(q, facts));
  if ('not' in p) return !holds(p.not, facts);
  if (!(p.fact in facts)) throw new Error(`Unknown fact "${p.fact}" in a rule`);
  const v = facts[p.fact] ?? null;
  if ('is' in p) return v === p.is;
  if ('in' in p) return p.in.includes(v as string);
  return Array.isArray(v) && v.includes(p.has);
}

/** Every fact name a predicate mentions (to check rule files against the known facts at start-up). */
export function factsUsed(p: Predicate): string[] {
  if ('all' in p) return p.all.flatMap(factsUsed);
  if ('any' in p) return p.any.flatMap(factsUsed);
  if ('not' in p) return factsUsed(p.not);
  if ('fact' in p) return [p.fact];
  return [];
}
