import { describe, expect, it } from 'vitest';
import { codeOf, loadCodeSet, textsOf, textsToEdit, unknownCodes, withTexts } from './catalogue.ts';
import { loadBilling } from './estimate.ts';

const billing = loadBilling();
const set = loadCodeSet();

describe('the catalogue as administrators edit it', () => {
  it('lists only the codes DOMAIN.md names, and the catalogue file uses none other', () => {
    const listed = set.codes.map((c) => Number(c.code));
    const named = (n: number) => [88321, 88323, 88325].includes(n) || (n >= 99242 && n <= 99245) || (n >= 99446 && n <= 99452) || (n >= 98000 && n <= 98015);
    expect(listed.every(named)).toBe(true);
    for (const s of billing.catalogue.services) for (const c of s.codes) expect(codeOf(set, c.code)).toEqual({ system: c.system, code: c.code, display: c.display });
  });

  it('puts a version’s texts and codes in place of the file’s, in both languages, and keeps the estimate’s rules', () => {
    const texts = textsOf(billing.catalogue);
    texts.video_visit = { ...texts.video_visit!, name: 'Video consultation', codes: ['98002'], es: { ...texts.video_visit!.es, name: 'Consulta por video' } };
    const edited = withTexts(billing, set, texts);
    const visit = edited.catalogue.services.find((s) => s.id === 'video_visit')!;
    expect(visit).toMatchObject({ name: 'Video consultation', when: 'visit', codes: [{ code: '98002', display: 'Synchronous audio-video visit, new patient, moderate level of medical decision making' }], es: { name: 'Consulta por video' } });
    // The file's note about having no code goes once a code is set.
    expect(visit.codeNote).toBeUndefined();
    expect(withTexts(billing, set, null)).toBe(billing);
    expect(withTexts(billing, set, textsOf(billing.catalogue)).catalogue.services.map((s) => s.codes)).toEqual(billing.catalogue.services.map((s) => s.codes));
  });

  it('clears what a service includes in both languages when an administrator clears it', () => {
    const texts = textsOf(billing.catalogue);
    texts.written_opinion = { ...texts.written_opinion!, includes: null, es: { ...texts.written_opinion!.es, includes: null } };
    const opinion = withTexts(billing, set, texts).catalogue.services.find((s) => s.id === 'written_opinion')!;
    expect(opinion.includes).toBeUndefined();
    expect(opinion.es?.includes).toBeUndefined();
  });

  it('offers to edit every service the catalogue has today, with only codes the code set still has', () => {
    const saved = textsOf(billing.catalogue);
    delete saved.tumor_board;
    saved.video_visit = { ...saved.video_visit!, codes: ['98002', '99999'] };
    const editable = textsToEdit(billing.catalogue, set, saved);
    expect(Object.keys(editable)).toEqual(billing.catalogue.services.map((s) => s.id));
    expect(editable.tumor_board).toEqual(textsOf(billing.catalogue).tumor_board);
    expect(editable.video_visit!.codes).toEqual(['98002']);
  });

  it('names the codes that are not in the code set', () => {
    const texts = textsOf(billing.catalogue);
    texts.tumor_board = { ...texts.tumor_board!, codes: ['99999', '88321'] };
    expect(unknownCodes(set, texts)).toEqual([{ id: 'tumor_board', code: '99999' }]);
  });
});
