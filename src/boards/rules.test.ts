import { describe, expect, it } from 'vitest';
import { BOARDS, boardLabelIn, boardTypeById, boardTypeFor, firedIn, loadBoards, modalitiesNamed, proposeBoard, quorum, seatIn, type ProposalFacts } from './rules.ts';

const facts = (over: Partial<ProposalFacts> = {}): ProposalFacts => ({
  condition: { label: 'Lung cancer', kind: 'cancer', rareOrComplex: false, tags: ['lung_cancer', 'thoracic'] },
  disagreements: [], treatmentTexts: [], surgeryProposed: false, request: null, ...over,
});

describe('which cases go to a board', () => {
  it('proposes nothing for a common cancer with a single-modality plan and agreeing reviewers', () => {
    const p = proposeBoard(facts({ treatmentTexts: ['Right upper lobectomy'], surgeryProposed: true }));
    expect(p).toMatchObject({ propose: false, fired: [] });
    expect(p.boardType.id).toBe('thoracic');
  });

  it('proposes a rare cancer, with the reason, its sources and review date', () => {
    const p = proposeBoard(facts({ condition: { label: 'Soft-tissue sarcoma', kind: 'cancer', rareOrComplex: true, tags: ['sarcoma'] } }));
    expect(p.propose).toBe(true);
    expect(p.boardType.id).toBe('sarcoma');
    expect(p.fired).toEqual([expect.objectContaining({ id: 'rare_or_complex', reason: 'A rare cancer or a complex lung disease: Soft-tissue sarcoma.', reviewedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) })]);
    expect(p.fired[0]!.sources.map((s) => s.id)).toEqual(['seed-s4', 'coc-2020-2.5']);
  });

  it('sends interstitial lung disease to the ILD conference, citing the guideline', () => {
    const p = proposeBoard(facts({ condition: { label: 'Idiopathic pulmonary fibrosis', kind: 'lung', rareOrComplex: true, tags: ['ild'] } }));
    expect(p.boardType.id).toBe('ild');
    expect(p.fired.map((f) => f.id)).toEqual(['rare_or_complex', 'ild_diagnosis']);
    expect(p.fired[1]!.sources[0]!.id).toBe('ats-ipf-mdd');
  });

  it('proposes when signed reviewer parts disagree, quoting the disagreement', () => {
    const p = proposeBoard(facts({ disagreements: ['Treatment: Dr. A — agree; Dr. B — alternative.'] }));
    expect(p.fired).toEqual([expect.objectContaining({ id: 'reviewers_disagree', reason: 'The signed reviewer parts disagree: Treatment: Dr. A — agree; Dr. B — alternative.' })]);
  });

  it('proposes a plan that combines surgery, radiation and drug therapy, and names the words found', () => {
    expect(modalitiesNamed(['Chemotherapy then radiotherapy'], false)).toEqual({ surgery: undefined, radiation: 'radiotherapy', systemic: 'chemotherapy' });
    expect(proposeBoard(facts({ treatmentTexts: ['Chemotherapy then radiotherapy'] })).propose).toBe(false);
    const p = proposeBoard(facts({ treatmentTexts: ['Chemotherapy then radiotherapy'], surgeryProposed: true }));
    expect(p.fired[0]).toMatchObject({ id: 'multimodality', reason: 'The treatment combines surgery, radiation and drug therapy (surgery proposed, radiotherapy, chemotherapy).' });
    // Whole words only: "chemo" is not found inside another word.
    expect(modalitiesNamed(['nochemotherapyx'], false).systemic).toBeUndefined();
  });

  it('proposes when asked, with who asked and why', () => {
    const p = proposeBoard(facts({ request: { by: 'Robin Testperson', note: 'I would like several specialists to look together.' } }));
    expect(p.fired[0]!.reason).toBe('Asked for by Robin Testperson: “I would like several specialists to look together.”');
  });

  it('sends a cancer without a specific board to the general conference', () => {
    expect(boardTypeFor(['skin']).id).toBe('general');
    expect(proposeBoard(facts({ condition: null })).boardType.id).toBe('general');
  });
});

describe('the roster and quorum', () => {
  const thoracic = boardTypeById('thoracic')!;
  const person = (name: string, codes: string[]) => ({ userId: name, name, taxonomyCodes: codes });

  it('says which seats are empty', () => {
    const q = quorum(thoracic, [person('Dr. Path', ['207ZP0102X']), person('Dr. Rad', ['2085R0202X'])]);
    expect(q.complete).toBe(false);
    expect(q.missing).toEqual(['Thoracic surgery', 'Medical oncology', 'Radiation oncology', 'Pulmonology']);
    expect(q.seats[0]).toEqual({ seat: 'Pathology', filledBy: ['Dr. Path'] });
  });

  it('is complete when every seat has someone, one person may fill two seats', () => {
    const q = quorum(boardTypeById('ild')!, [person('Dr. Lung', ['207RP1001X']), person('Dr. Both', ['2085R0202X', '207ZP0102X'])]);
    expect(q).toMatchObject({ complete: true, missing: [] });
  });

  it('refuses board data that cites an unknown source or specialty', () => {
    const broken = structuredClone(BOARDS);
    broken.proposalRules[0]!.sources = ['nowhere'];
    expect(() => loadBoards(broken)).toThrow(/unknown source nowhere/);
    const bad = structuredClone(BOARDS);
    bad.boardTypes[0]!.roster[0]!.anyOf = ['astrology'];
    expect(() => loadBoards(bad)).toThrow(/unknown specialty astrology/);
  });
});

describe('the board in Spanish', () => {
  it('says a reason in Spanish with the same values, also a reason kept before its values were', () => {
    const fired = proposeBoard({ condition: { label: 'Soft tissue sarcoma', kind: 'cancer', rareOrComplex: true, tags: ['sarcoma'] }, disagreements: [], treatmentTexts: [], surgeryProposed: false, request: { by: 'Ana Paciente', note: 'Quiero saber más' } }).fired;
    const es = fired.map((f) => firedIn(f, 'es', (c) => (c === 'Soft tissue sarcoma' ? 'Sarcoma de tejidos blandos' : c)).reason);
    expect(es).toEqual(['Un cáncer poco común o una enfermedad pulmonar compleja: Sarcoma de tejidos blandos.', 'Lo pidió Ana Paciente: “Quiero saber más”']);
    const { values: _values, ...kept } = fired[1]!;
    expect(firedIn(kept, 'es').reason).toBe('Lo pidió Ana Paciente: “Quiero saber más”');
    expect(firedIn(fired[0]!, 'en')).toBe(fired[0]);
  });

  it('names boards and seats in Spanish', () => {
    expect(boardLabelIn(boardTypeFor(['lung_cancer']), 'es')).toBe('Comité de tumores de tórax');
    expect(seatIn('Medical oncology', 'es')).toBe('Oncología médica');
    expect(seatIn('A seat nobody listed', 'es')).toBe('A seat nobody listed');
    for (const t of BOARDS.boardTypes) for (const r of t.roster) expect(seatIn(r.seat, 'es'), r.seat).not.toBe(r.seat);
  });
});
