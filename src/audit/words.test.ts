import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASE_COMMAND_NAMES, CASE_COMMANDS } from '../cases/lifecycle.ts';
import { describeAction } from './words.ts';
import { describeEvent, hasEventWords } from '../events/words.ts';
import { LOCALES } from '../core/locale.ts';
import { CASE_EVENT_TYPES } from '../events/catalog.ts';

const GENERIC = ['Looked at the request', 'Worked on the request'];
/** Audit actions the source writes, as it names them (literal action arguments). */
function caseActionsInSource(): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.includes('.test.')) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/(?:action: |auditAction: |audit\(|meta, )'([a-z]+\.[A-Za-z.]+)'/g)) found.add(m[1]!);
      }
    }
  };
  walk(path.resolve(import.meta.dirname, '..'));
  return [...found];
}

describe('the audit trail and the timeline in words', () => {
  it('says every action the source records in its own words: on a case, and on accounts and administration', () => {
    const actions = caseActionsInSource();
    expect(actions.length).toBeGreaterThan(40);
    for (const a of actions) expect(GENERIC, a).not.toContain(describeAction(a));
    // Said as done, never as the button that does it ("Sent the request", not "Submit the request").
    for (const c of CASE_COMMAND_NAMES) expect(describeAction(`case.${c}`)).not.toBe(CASE_COMMANDS[c].label);
    expect(describeAction('case.submit')).toBe('Sent the request');
    expect(describeAction('user.login')).toBe('Signed in');
    expect(describeAction('fhir.Patient.read')).toBe('Read personal details through a connected system');
    expect(describeAction('something.new')).toBe('Worked on the request');
  });

  it('words every event type, and a run of one event with its count', () => {
    for (const locale of LOCALES) expect(CASE_EVENT_TYPES.filter((type) => !hasEventWords(type, locale)), locale).toEqual([]);
    const add = { type: 'document.add', detail: { filename: 'ct-report.pdf' }, fromStatus: null, toStatus: null };
    expect(describeEvent(add)).toBe('Added a record: ct-report.pdf');
    expect(describeEvent(add, 41)).toBe('Added 41 records');
    expect(describeEvent({ type: 'intake.save', detail: { section: 'condition' }, fromStatus: null, toStatus: null })).toBe('Filled in the diagnosis step');
    expect(describeEvent({ type: 'case.submit', detail: {}, fromStatus: 'draft', toStatus: 'submitted' })).toBe('Draft → Submitted');
  });

  it('says every action and event in Spanish too, with the same keys as the English', () => {
    // That the Spanish catalogue has every key the English has is the catalogue test's (src/core/i18n.test.ts).
    for (const a of caseActionsInSource()) expect(['Vio la solicitud', 'Trabajó en la solicitud'], a).not.toContain(describeAction(a, 'es'));
    expect(describeAction('case.submit', 'es')).toBe('Envió la solicitud');
    expect(describeAction('fhir.Patient.read', 'es')).toBe('Leyó los datos personales a través de un sistema conectado');
    // Every event has Spanish words: none falls back to "other activity" or to the English.
    for (const type of CASE_EVENT_TYPES) {
      const line = describeEvent({ type, detail: { filename: 'informe.pdf', section: 'condition', to: 'expedited', label: 'Bloque A', booked: true }, fromStatus: null, toStatus: null }, 1, 'es');
      expect(line, type).not.toBe('Otra actividad');
      expect(line, type).not.toBe(describeEvent({ type, detail: { filename: 'informe.pdf', section: 'condition', to: 'expedited', label: 'Bloque A', booked: true }, fromStatus: null, toStatus: null }));
    }
    expect(describeEvent({ type: 'document.add', detail: { filename: 'tac.pdf' }, fromStatus: null, toStatus: null }, 3, 'es')).toBe('Agregó 3 documentos');
    expect(describeEvent({ type: 'case.urgency', detail: { to: 'expedited' }, fromStatus: null, toStatus: null }, 1, 'es')).toBe('Cambió la urgencia a urgente');
    expect(describeEvent({ type: 'case.submit', detail: {}, fromStatus: 'draft', toStatus: 'submitted' }, 1, 'es')).toBe('Borrador → Enviada');
  });
});
