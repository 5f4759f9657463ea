import { describe, expect, it } from 'vitest';
import { demoTrials } from '../demo/seed.ts';
import { changesNamed, criteriaChecks, criteriaLines, mentionsMarker, studyWants } from './criteria.ts';
import { loadTrialsKnowledge, registryTerms, trialsKnowledge } from './knowledge.ts';
import { matchTrials, type CaseForTrials } from './matching.ts';

const studies = demoTrials();

const egfrLungCase: CaseForTrials = {
  conditionId: 'lung_cancer', ageYears: 64, sex: 'female', country: 'US', state: 'MA', postalCode: null, travelMiles: null,
  biomarkers: [{ name: 'EGFR (including exon 20 insertions)', aliases: ['egfr'], done: true }, { name: 'KRAS G12C', aliases: ['kras'], done: false }],
  treatments: ['Carboplatin and pemetrexed, four cycles'],
};

describe('eligibility criteria', () => {
  it('splits the registry text into inclusion and exclusion lines, whatever the bullets', () => {
    const lines = criteriaLines('Inclusion Criteria:\n\n* Age 18 years or older\n* Measurable disease per RECIST 1.1,\n  confirmed by CT\n\nExclusion Criteria:\n- Prior immunotherapy\n1. Active hepatitis B');
    expect(lines.inclusion).toEqual(['Age 18 years or older', 'Measurable disease per RECIST 1.1, confirmed by CT']);
    expect(lines.exclusion).toEqual(['Prior immunotherapy', 'Active hepatitis B']);
  });

  it('reads "Key inclusion/exclusion criteria" headings too', () => {
    const lines = criteriaLines('Key Inclusion Criteria:\n* Measurable disease\nKey Exclusion Criteria:\n* Prior EGFR TKI');
    expect(lines).toEqual({ inclusion: ['Measurable disease'], exclusion: ['Prior EGFR TKI'] });
  });

  it('takes a biomarker for named only where its gene is written, not inside other words', () => {
    const breast = { ...egfrLungCase, biomarkers: [{ name: 'PR (progesterone receptor)', aliases: ['pr'], done: true }, { name: 'ALK', aliases: ['alk'], done: true }, { name: 'EGFR', aliases: ['egfr'], done: false }, { name: 'MET exon 14 skipping', aliases: ['met'], done: false }] };
    const text = 'Exclusion Criteria:\n* Prior endocrine therapy\n* eGFR below 30 mL/min\n* Alkaline phosphatase above 3 times the upper limit\n* Metastatic disease to the brain\nInclusion Criteria:\n* PR-positive disease\n* ALK rearrangement';
    const checks = criteriaChecks(criteriaLines(text), breast, trialsKnowledge);
    const flagged = checks.filter((c) => c.notes.some((n) => /tested/.test(n))).map((c) => c.line);
    expect(flagged).toEqual(['PR-positive disease', 'ALK rearrangement']);
  });

  it('reads genes as registries write them, and not what only looks like them', () => {
    const says = (text: string, alias: string) => mentionsMarker(text, alias, trialsKnowledge.ignoredAliases.aliases);
    for (const [text, alias] of [['HER2-positive', 'her2'], ['Her2-positive disease', 'her2'], ['EGFR-mutant', 'egfr'], ['documented egfr mutation', 'egfr'], ['EGFRm+ NSCLC', 'egfr'],
      ['EGFRex20ins', 'egfr'], ['KRAS G12C', 'kras'], ['KRASG12C', 'kras'], ['BRAFV600E', 'braf'], ['ALK+', 'alk'], ['dMMR tumours', 'mmr'], ['gBRCA carriers', 'brca'],
      ['mIDH1', 'idh1'], ['BRCA1/2 mutation', 'brca'], ['NTRK1 fusion', 'ntrk'], ['PR-positive', 'pr'], ['MET exon 14 skipping', 'met']] as const) {
      expect(says(text, alias), `${text} names ${alias}`).toBe(true);
    }
    for (const [text, alias] of [['Prior endocrine therapy', 'pr'], ['partial response (PR) or better', 'pr'], ['eGFR ≥ 30 mL/min', 'egfr'], ['Metastatic disease', 'met'],
      ['patients who met the criteria', 'met'], ['Alkaline phosphatase', 'alk'], ['rash', 'ras'], ['retreatment allowed', 'ret'], ['Grade 3 toxicity', 'grade'], ['METASTATIC', 'met']] as const) {
      expect(says(text, alias), `${text} does not name ${alias}`).toBe(false);
    }
  });

  it('picks out the lines that touch the case, with what to check and never a verdict', () => {
    const egfr = studies.find((s) => s.nctId === 'NCT09900001')!;
    const checks = criteriaChecks(criteriaLines(egfr.eligibility), egfrLungCase, trialsKnowledge);
    const byLine = new Map(checks.map((c) => [c.line, c]));
    expect(byLine.get('Documented EGFR exon 19 deletion or L858R mutation')).toMatchObject({ kind: 'inclusion', notes: ['EGFR (including exon 20 insertions) was tested for this request: check the result against this line.'] });
    expect(byLine.get('At least one measurable lesion per RECIST 1.1')!.notes).toEqual(['Asks for measurable disease: check the latest imaging report.']);
    expect(byLine.get('Prior treatment with an EGFR tyrosine kinase inhibitor')).toMatchObject({ kind: 'exclusion' });
    expect(byLine.get('Prior treatment with an EGFR tyrosine kinase inhibitor')!.notes).toContain('The treatment history names no EGFR inhibitors: confirm with the treating team.');
    expect(byLine.get('Prior immunotherapy within 6 months')!.notes).toEqual(['The treatment history names no immunotherapy (checkpoint inhibitors): confirm with the treating team.']);
    expect(byLine.has('Age 18 years or older')).toBe(false);
    const kras = studies.find((s) => s.nctId === 'NCT09900002')!;
    const lines = criteriaChecks(criteriaLines(kras.eligibility), egfrLungCase, trialsKnowledge).find((c) => /prior line/.test(c.line))!;
    expect(lines.notes).toEqual(['Depends on earlier treatment: check the treatment history.', 'The treatment history lists 1 earlier treatment: Carboplatin and pemetrexed, four cycles.']);
    const history = criteriaChecks(criteriaLines('Exclusion Criteria:\n* Prior platinum-based chemotherapy'), egfrLungCase, trialsKnowledge);
    expect(history[0]!.notes).toContain('The treatment history names carboplatin, pemetrexed (chemotherapy).');
  });
});

describe('trials for a case', () => {
  it('suggests the condition’s recruiting studies, biomarker and home state first, and says why', () => {
    const m = matchTrials(egfrLungCase, studies, trialsKnowledge);
    expect(m.candidates.map((c) => c.nctId)).toEqual(['NCT09900001', 'NCT09900002']);
    const [egfr, kras] = m.candidates;
    expect(egfr!.reasons).toEqual([
      'Studies non-small cell lung cancer, the condition of this request.',
      'Concerns EGFR (including exon 20 insertions), which was tested for this request (check the result).',
      "Has a site in the patient's state (Massachusetts).",
    ]);
    expect(egfr!.sites.map((s) => s.city)).toEqual(['Boston', 'Chicago', 'San Diego']);
    expect(kras!.reasons).toContain('Concerns KRAS G12C, which is not yet tested on file.');
    expect(kras!.reasons).toContain("Has a site in the patient's country (United States).");
    // The breast study is not of this condition; the younger adults' study is set aside by age, with the reason.
    expect(m.candidates.some((c) => c.nctId === 'NCT09900003')).toBe(false);
    expect(m.setAside).toEqual([{ nctId: 'NCT09900004', title: expect.any(String), why: 'Takes people up to age 60.' }]);
    const younger = matchTrials({ ...egfrLungCase, ageYears: 45 }, studies, trialsKnowledge);
    expect(younger.setAside).toEqual([]);
    expect(younger.candidates.map((c) => c.nctId)).toEqual(['NCT09900001', 'NCT09900002', 'NCT09900004']);
  });

  it('ranks sites by distance from the patient’s ZIP code and weighs how far they could travel', () => {
    // Columbus, Ohio (43215): the KRAS study's site is in town; the EGFR study's nearest is Chicago.
    const ohio = { ...egfrLungCase, state: 'OH', postalCode: '43215', travelMiles: 50 as const };
    const m = matchTrials(ohio, studies, trialsKnowledge);
    const kras = m.candidates.find((c) => c.nctId === 'NCT09900002')!;
    expect(kras.reasons).toContain('Its nearest open site (Columbus, Ohio) is about 2 miles from the patient, within the distance they could travel.');
    const egfr = m.candidates.find((c) => c.nctId === 'NCT09900001')!;
    expect(egfr.sites.map((s) => s.city)).toEqual(['Chicago', 'Boston', 'San Diego']);
    expect(egfr.sites[0]!.distanceMiles).toBeGreaterThan(250);
    expect(egfr.sites[0]!.distanceMiles).toBeLessThan(300);
    expect(egfr.reasons.at(-1)).toMatch(/^Its nearest open site \(Chicago, Illinois\) is about 2\d\d miles away, farther than the patient could travel \(50 miles\)\.$/);
    // Without a limit, a site beyond 100 miles still counts, a little.
    expect(matchTrials({ ...ohio, travelMiles: 'any' }, studies, trialsKnowledge).candidates.find((c) => c.nctId === 'NCT09900001')!.reasons.at(-1)).toMatch(/^Its nearest open site \(Chicago, Illinois\) is about 2\d\d miles from the patient\.$/);
    // A ZIP+4 is read by its first five digits.
    expect(matchTrials({ ...ohio, postalCode: '43215-1234' }, studies, trialsKnowledge).candidates.find((c) => c.nctId === 'NCT09900002')!.sites[0]!.distanceMiles).toBeLessThan(5);
    // A code the gazetteer does not know falls back to the state, and the reviewer is told.
    expect(matchTrials({ ...ohio, postalCode: '00000' }, studies, trialsKnowledge).placeNote).toMatch(/^The patient's ZIP or postal code \(00000\) was not found, so distances are not shown/);
    expect(matchTrials({ ...ohio, postalCode: '00000' }, studies, trialsKnowledge).candidates.find((c) => c.nctId === 'NCT09900002')!.reasons).toContain("Has a site in the patient's state (Ohio).");
  });

  it('sets aside studies for the other sex, and suggests nothing for a condition the registry terms do not cover', () => {
    const breastMale = matchTrials({ ...egfrLungCase, conditionId: 'breast_cancer', sex: 'male' }, studies, trialsKnowledge);
    expect(breastMale.candidates).toEqual([]);
    expect(breastMale.setAside[0]).toMatchObject({ nctId: 'NCT09900003', why: 'Takes women only.' });
    expect(matchTrials({ ...egfrLungCase, conditionId: 'lung_nodule' }, studies, trialsKnowledge)).toEqual({ conditionTerms: [], conditionNames: [], candidates: [], setAside: [], placeNote: null });
  });

  it('reads what a study asks of a test from how it writes it, leaving treatment lines aside', () => {
    for (const text of ['EGFR-mutant NSCLC', 'KRAS G12C mutation confirmed', 'ALK-positive disease', 'documented BRAF p.V600E']) {
      expect(studyWants(text, ['egfr', 'kras', 'alk', 'braf']), text).toBe('found');
    }
    for (const text of ['KRAS wild-type colorectal cancer', 'HER2-negative breast cancer', 'Tumours without an EGFR mutation', 'RAS/BRAF wild type and KRAS non-mutated']) {
      expect(studyWants(text, ['egfr', 'kras', 'her2', 'braf']), text).toBe('not_found');
    }
    // Lines about earlier treatment say nothing of the result; both kinds, or neither, are unclear.
    expect(studyWants('Non-squamous EGFR-mutant NSCLC', ['egfr'])).toBe('found');
    for (const text of ['No prior EGFR TKI', 'Prior treatment with an EGFR tyrosine kinase inhibitor', 'HER2-low breast cancer', 'EGFR-mutant or EGFR wild-type']) {
      expect(studyWants(text, ['egfr', 'her2']), text).toBe('unclear');
    }
    expect(changesNamed('KRAS G12C or KRAS p.G12D; BRAF V600E', ['kras'])).toEqual(['G12C', 'G12D']);
  });

  it('weighs what the reports on file state of a test, quoting them, and never decides', () => {
    const withFindings = (egfr: CaseForTrials['biomarkers'][number]['finding'], kras: CaseForTrials['biomarkers'][number]['finding']): CaseForTrials => ({
      ...egfrLungCase,
      biomarkers: [{ ...egfrLungCase.biomarkers[0]!, finding: egfr }, { ...egfrLungCase.biomarkers[1]!, done: true, finding: kras }],
    });
    // KRAS reported negative: the KRAS G12C study says it may not fit and drops below the one the case does not touch.
    const negative = matchTrials(withFindings({ result: 'found', evidence: ['EGFR exon 19 deletion detected'] }, { result: 'not_found', evidence: ['KRAS: not detected'] }), studies, trialsKnowledge);
    const kras = negative.candidates.find((c) => c.nctId === 'NCT09900002')!;
    expect(kras.reasons).toContain('The study asks for KRAS G12C, but a report on file reads “KRAS: not detected” (not found): it may not fit.');
    const egfr = negative.candidates.find((c) => c.nctId === 'NCT09900001')!;
    expect(egfr.reasons).toContain('The study asks for a positive EGFR result, and a report on file reads “EGFR exon 19 deletion detected” (found): check the details against the study.');
    expect(egfr.score).toBeGreaterThan(kras.score);
    expect([kras.mayNotFit, egfr.mayNotFit]).toEqual([true, false]);
    // The line of the criteria that names the test quotes the report too.
    expect(kras.checks.find((c) => /KRAS G12C mutation confirmed/.test(c.line))!.notes).toEqual(['KRAS: a report on file reads “KRAS: not detected” (not found); check it against this line.']);

    // KRAS G12D found: another change than the study's G12C.
    const g12d = matchTrials(withFindings(null, { result: 'found', evidence: ['KRAS p.G12D detected'] }), studies, trialsKnowledge).candidates.find((c) => c.nctId === 'NCT09900002')!;
    expect(g12d.reasons).toContain('The study asks for KRAS G12C, but a report on file reads “KRAS p.G12D detected” (found), another change: it may not fit.');
    const g12c = matchTrials(withFindings(null, { result: 'found', evidence: ['KRAS G12C (c.34G>T) detected'] }), studies, trialsKnowledge).candidates.find((c) => c.nctId === 'NCT09900002')!;
    expect(g12c.score).toBeGreaterThan(g12d.score);
    expect(g12c.score).toBeGreaterThan(kras.score);

    // An exclusion line says what the study is not for: "Exclusion Criteria: Known EGFR mutation" does not ask for EGFR found.
    const excludesEgfr = { ...studies.find((s) => s.nctId === 'NCT09900002')!, nctId: 'NCT09900105', eligibility: 'Inclusion Criteria:\n* Measurable disease\nExclusion Criteria:\n* Known EGFR mutation' };
    const notAsked = matchTrials(withFindings({ result: 'not_found', evidence: ['EGFR: no mutation detected'] }, null), [excludesEgfr], trialsKnowledge).candidates[0]!;
    expect(notAsked.mayNotFit).toBe(false);
    expect(notAsked.reasons.some((r) => /asks for a positive EGFR/.test(r))).toBe(false);
    // Reports that disagree are said to, and the study stays on the list.
    const both = matchTrials(withFindings(null, { result: 'conflicting', evidence: ['KRAS: not detected', 'KRAS G12C detected'] }), studies, trialsKnowledge).candidates.find((c) => c.nctId === 'NCT09900002')!;
    expect(both.reasons).toContain('Concerns KRAS G12C; the reports on file disagree (“KRAS: not detected” and “KRAS G12C detected”): check which is right.');
    // No suggestion claims eligibility.
    for (const c of [...negative.candidates, g12d, g12c, both]) for (const r of c.reasons) expect(r).not.toMatch(/\beligible\b|qualif/i);
  });

  it('weighs the extent of the cancer a study is for against what the request says, from its inclusion lines, not its exclusions', () => {
    const egfr = studies.find((s) => s.nctId === 'NCT09900001')!;
    const metastatic = { ...egfr, nctId: 'NCT09900101', title: 'Synthetic study in metastatic EGFR-mutant non-small cell lung cancer' };
    const adjuvant = { ...egfr, nctId: 'NCT09900102', title: 'Synthetic adjuvant study after surgery for EGFR-mutant non-small cell lung cancer' };
    // "No metastatic disease" among the exclusions says nothing of what the study is for.
    const excluding = { ...egfr, nctId: 'NCT09900103', eligibility: `${egfr.eligibility}\n* Metastatic disease to the bone` };
    const both = { ...egfr, nctId: 'NCT09900104', title: 'Synthetic study in early-stage or metastatic non-small cell lung cancer' };
    const run = (stage: CaseForTrials['stage']) => new Map(matchTrials({ ...egfrLungCase, stage }, [metastatic, adjuvant, excluding, both], trialsKnowledge).candidates.map((c) => [c.nctId, c]));
    const spread = run('advanced');
    expect(spread.get('NCT09900101')!.reasons).toContain('It is for cancer that has spread (metastatic) (it says “metastatic”), and the request says the cancer has spread.');
    expect(spread.get('NCT09900102')!.reasons).toContain('It is for cancer that can be removed by surgery (early-stage, before or after surgery) (it says “adjuvant”), but the request says the cancer has spread: it may not fit.');
    expect([spread.get('NCT09900101')!.mayNotFit, spread.get('NCT09900102')!.mayNotFit]).toEqual([false, true]);
    expect(spread.get('NCT09900101')!.score).toBeGreaterThan(spread.get('NCT09900102')!.score);
    const notSpread = run('early');
    expect(notSpread.get('NCT09900101')!.mayNotFit).toBe(true);
    expect(notSpread.get('NCT09900102')!.reasons.some((r) => r.startsWith('It is for cancer that can be removed by surgery'))).toBe(true);
    for (const id of ['NCT09900103', 'NCT09900104']) expect(notSpread.get(id)!.reasons.some((r) => r.startsWith('It is for'))).toBe(false);
    // Nothing is said when the request does not say whether it has spread.
    expect([...run('unknown').values()].some((c) => c.reasons.some((r) => r.startsWith('It is for')))).toBe(false);
  });

  it('suggests studies of a lung disease that is not cancer by its own condition names, and no cancer study', () => {
    const fibrosis = { ...studies[0]!, nctId: 'NCT09900101', title: 'Synthetic study of an antifibrotic medicine', conditions: ['Interstitial Lung Disease'], keywords: [], eligibility: '', minAgeYears: null, maxAgeYears: null, sex: 'ALL' as const };
    const ildCase: CaseForTrials = { ...egfrLungCase, conditionId: 'ild', biomarkers: [], treatments: [] };
    const m = matchTrials(ildCase, [fibrosis, ...studies], trialsKnowledge);
    expect(m.conditionTerms).toEqual(['Interstitial Lung Disease', 'Pulmonary Fibrosis']);
    expect(m.candidates.map((c) => c.nctId)).toEqual(['NCT09900101']);
    expect(m.candidates[0]!.reasons[0]).toBe('Studies interstitial lung disease, the condition of this request.');
    for (const c of ['ipf', 'copd', 'aat_deficiency', 'cystic_fibrosis', 'pulmonary_hypertension', 'bronchiectasis']) expect(trialsKnowledge.registryTerms.some((t) => t.condition === c), c).toBe(true);
    // Registries write these conditions short or inverted too ("COPD", "Lung Diseases, Interstitial"); a word that only starts like one is not it.
    const copd = { ...fibrosis, nctId: 'NCT09900102', conditions: ['COPD'] };
    const inverted = { ...fibrosis, nctId: 'NCT09900103', conditions: ['Lung Diseases, Interstitial'] };
    const lookalike = { ...fibrosis, nctId: 'NCT09900104', title: 'Synthetic study', conditions: ['COPDX registry'] };
    const forCopd = matchTrials({ ...ildCase, conditionId: 'copd' }, [copd, lookalike], trialsKnowledge);
    expect(forCopd.candidates.map((c) => [c.nctId, c.reasons[0]])).toEqual([['NCT09900102', 'Studies chronic obstructive pulmonary disease, the condition of this request.']]);
    expect(matchTrials(ildCase, [inverted], trialsKnowledge).candidates.map((c) => c.nctId)).toEqual(['NCT09900103']);
  });

  it('keeps its knowledge as checked data: every term, class and check has a source', () => {
    expect(registryTerms()).toContain('Non-small Cell Lung Cancer');
    expect(new Set(registryTerms()).size).toBe(registryTerms().length);
    expect(() => loadTrialsKnowledge('/nonexistent.json')).toThrow();
  });
});

describe('in the reader’s language', () => {
  const spanishCase: CaseForTrials = { ...egfrLungCase, biomarkers: [{ ...egfrLungCase.biomarkers[0]!, name: 'EGFR (incluidas las inserciones del exón 20)' }, egfrLungCase.biomarkers[1]!] };

  it('gives a Spanish reader the same suggestions with Spanish reasons, set-aside reasons and notes', () => {
    const en = matchTrials(egfrLungCase, studies, trialsKnowledge);
    const es = matchTrials(spanishCase, studies, trialsKnowledge, { locale: 'es' });
    expect(es.candidates.map((c) => [c.nctId, c.score, c.mayNotFit])).toEqual(en.candidates.map((c) => [c.nctId, c.score, c.mayNotFit]));
    const [egfr, kras] = es.candidates;
    expect(egfr!.reasons).toEqual([
      'Es un estudio de cáncer de pulmón de células no pequeñas, la enfermedad de esta solicitud.',
      'Prueba relacionada: EGFR (incluidas las inserciones del exón 20), que se analizó para esta solicitud (revise el resultado).',
      'Tiene un centro en el estado del paciente (Massachusetts).',
    ]);
    expect(kras!.reasons).toContain('Prueba relacionada: KRAS G12C, que todavía no tiene un análisis en el expediente.');
    // The registry's countries are English; the reader is told theirs.
    expect(kras!.reasons).toContain('Tiene un centro en el país del paciente (Estados Unidos).');
    expect(es.setAside).toEqual([{ nctId: 'NCT09900004', title: expect.any(String), why: 'Acepta personas de hasta 60 años.' }]);
    // The study's own lines stay as the registry wrote them; what to check is in Spanish.
    const byLine = new Map(egfr!.checks.map((c) => [c.line, c.notes]));
    expect(byLine.get('At least one measurable lesion per RECIST 1.1')).toEqual(['Pide enfermedad medible: revise el informe de imagen más reciente.']);
    expect(byLine.get('Prior immunotherapy within 6 months')).toEqual(['Los antecedentes de tratamiento no mencionan inmunoterapia (inhibidores de puntos de control inmunitario): confírmelo con el equipo tratante.']);
    expect(byLine.get('Documented EGFR exon 19 deletion or L858R mutation')).toEqual(['Prueba analizada para esta solicitud: EGFR (incluidas las inserciones del exón 20); compare el resultado con esta línea.']);
    expect(kras!.checks.find((c) => /prior line/.test(c.line))!.notes).toEqual(['Depende de los tratamientos previos: revise los antecedentes de tratamiento.', 'Los antecedentes de tratamiento mencionan 1 tratamiento previo: Carboplatin and pemetrexed, four cycles.']);
    // English is as it was.
    expect(en.candidates[0]!.reasons[0]).toBe('Studies non-small cell lung cancer, the condition of this request.');
    expect(en.setAside[0]!.why).toBe('Takes people up to age 60.');
  });

  it('quotes the reports and weighs the cancer’s extent in Spanish', () => {
    const findings: CaseForTrials = { ...spanishCase, stage: 'advanced', biomarkers: [{ ...spanishCase.biomarkers[0]!, finding: { result: 'found', evidence: ['EGFR exon 19 deletion detected'] } }, { ...spanishCase.biomarkers[1]!, done: true, finding: { result: 'conflicting', evidence: ['KRAS: not detected', 'KRAS G12C detected'] } }] };
    const egfr = studies.find((s) => s.nctId === 'NCT09900001')!;
    const adjuvant = { ...egfr, nctId: 'NCT09900102', title: 'Synthetic adjuvant study after surgery for EGFR-mutant non-small cell lung cancer' };
    const m = new Map(matchTrials(findings, [...studies, adjuvant], trialsKnowledge, { locale: 'es' }).candidates.map((c) => [c.nctId, c]));
    expect(m.get('NCT09900001')!.reasons).toContain('El estudio pide un resultado positivo de EGFR, y un informe del expediente dice «EGFR exon 19 deletion detected» (detectado): compare los detalles con el estudio.');
    expect(m.get('NCT09900002')!.reasons).toContain('Prueba relacionada: KRAS G12C; los informes del expediente no coinciden («KRAS: not detected» y «KRAS G12C detected»): revise cuál es el correcto.');
    expect(m.get('NCT09900102')!.reasons).toContain('Es para cáncer que se puede extirpar con cirugía (en estadio temprano, antes o después de la cirugía) (dice «adjuvant»), pero la solicitud dice que el cáncer se diseminó: podría no servir.');
    expect(m.get('NCT09900001')!.checks.find((c) => /EGFR exon 19/.test(c.line))!.notes).toEqual(['EGFR: un informe del expediente dice «EGFR exon 19 deletion detected» (detectado); compárelo con esta línea.']);
  });

  it('says in Spanish how far the nearest site is, and why distances are not shown', () => {
    const ohio = { ...spanishCase, state: 'OH', postalCode: '43215', travelMiles: 50 as const };
    const near = matchTrials(ohio, studies, trialsKnowledge, { locale: 'es' }).candidates.find((c) => c.nctId === 'NCT09900002')!;
    expect(near.reasons).toContain('Su centro abierto más cercano (Columbus, Ohio) está a unas 2 millas del paciente, dentro de la distancia que puede viajar.');
    expect(matchTrials({ ...ohio, postalCode: '00000' }, studies, trialsKnowledge, { locale: 'es' }).placeNote)
      .toBe('No se encontró el código postal del paciente (00000), así que no se muestran distancias; primero aparecen los centros de su estado y de su país.');
  });

  it('has Spanish for every condition name, class of treatment, check and extent the knowledge gives', () => {
    for (const t of trialsKnowledge.registryTerms) expect(t.es?.terms.length, t.condition).toBe(t.terms.length);
    for (const e of [...trialsKnowledge.therapyClasses, ...trialsKnowledge.settings]) expect(e.es?.label, e.id).toEqual(expect.any(String));
    for (const c of trialsKnowledge.checks) expect(c.es?.note, c.id).toEqual(expect.any(String));
  });
});

describe('age', () => {
  it('counts whole years as a calendar does', async () => {
    const { ageOn } = await import('./matching.ts');
    expect(ageOn('1940-01-01', new Date('2025-12-31T12:00:00Z'))).toBe(85);
    expect(ageOn('1940-01-01', new Date('2026-01-01T00:00:00Z'))).toBe(86);
    expect(ageOn('1962-05-04', new Date('2026-05-03T23:59:00Z'))).toBe(63);
    expect(ageOn('2000-02-29', new Date('2026-02-28T12:00:00Z'))).toBe(25);
  });
});
