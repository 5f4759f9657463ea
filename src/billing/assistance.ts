import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * Financial assistance as data (`data/assistance.json`): the federal poverty guideline for a
 * household's size, and bands of yearly household income as a share of it, each with the part
 * of what is owed the program suggests waiving. The patient picks their band (a range of
 * money, never an exact income); the coordinator decides with a reason and may depart from it.
 */
const Band = z.object({ id: z.string().regex(/^[a-z0-9_]+$/), upToPercent: z.number().int().positive().nullable(), assistancePercent: z.number().int().min(0).max(100) });
const Policy = z.object({
  reviewedOn: z.iso.date(), note: z.string(),
  sources: z.array(z.object({ id: z.string(), title: z.string(), url: z.string(), es: z.object({ title: z.string() }).optional() })).min(1),
  povertyGuideline: z.object({ year: z.number().int(), currency: z.string().regex(/^[A-Z]{3}$/), firstPersonCents: z.number().int().positive(), eachAdditionalPersonCents: z.number().int().positive(), source: z.string(), limits: z.string() }),
  bands: z.array(Band).min(1),
  maxHousehold: z.number().int().min(1).max(50),
}).superRefine((p, ctx) => {
  const bounded = p.bands.slice(0, -1);
  if (p.bands.at(-1)!.upToPercent !== null || bounded.some((b) => b.upToPercent === null)) ctx.addIssue({ code: 'custom', message: 'only the last band is open-ended' });
  if (bounded.some((b, i) => i > 0 && b.upToPercent! <= bounded[i - 1]!.upToPercent!)) ctx.addIssue({ code: 'custom', message: 'bands must rise' });
  if (!p.sources.some((s) => s.id === p.povertyGuideline.source)) ctx.addIssue({ code: 'custom', message: 'the guideline names an unknown source' });
});
export type AssistancePolicy = z.infer<typeof Policy>;

export function loadAssistancePolicy(file = path.join(import.meta.dirname, 'data', 'assistance.json')): AssistancePolicy {
  return Policy.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** The poverty guideline for a household of `size` people, in cents a year. */
export const povertyLineCents = (p: AssistancePolicy, size: number) => p.povertyGuideline.firstPersonCents + (size - 1) * p.povertyGuideline.eachAdditionalPersonCents;

/** The bands as yearly incomes for a household of `size`: each band's upper bound in cents (null: no bound). */
export function incomeBands(p: AssistancePolicy, size: number): { id: string; upToCents: number | null; assistancePercent: number }[] {
  const line = povertyLineCents(p, size);
  return p.bands.map((b) => ({ id: b.id, upToCents: b.upToPercent === null ? null : Math.floor((line * b.upToPercent) / 100), assistancePercent: b.assistancePercent }));
}

/** What the policy suggests for a household's band, with the facts it rests on. */
export function suggestedAssistance(p: AssistancePolicy, size: number, bandId: string): { percent: number; band: (typeof p.bands)[number] } | null {
  if (!Number.isInteger(size) || size < 1 || size > p.maxHousehold) return null;
  const band = p.bands.find((b) => b.id === bandId);
  return band ? { percent: band.assistancePercent, band } : null;
}

/** The part of what is owed that `percent` waives, in whole cents (rounded down: assistance never exceeds what is owed). */
export const assistanceCents = (owedCents: number, percent: number) => Math.floor((owedCents * Math.min(100, Math.max(0, percent))) / 100);
