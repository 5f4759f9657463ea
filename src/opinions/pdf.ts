import { phaseWords } from '../trials/cited.ts';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { renderPdf } from '../core/pdf.ts';
import { asLocale, type Locale } from '../core/locale.ts';
import { hasWords, wordsIn, type Words } from '../core/i18n.ts';
import { boardLabelIn, boardTypeById, seatIn } from '../boards/rules.ts';
import { languageName } from '../core/languages.ts';
import type { OpinionContent, ReportDocument } from './schemas.ts';

/**
 * The report in its readers' languages (catalogue `report`). The frame and the parts written for
 * the patient are in the patient's language; each reviewer's clinical sections are headed in the
 * language that reviewer works in (their account's), so a Spanish opinion reads in Spanish
 * throughout and an English one stays English for the physicians who get it.
 * What the reviewers wrote is printed as they wrote it.
 */
const languageOfPart = (p: ReportDocument['parts'][number]): Locale => p.language ?? 'en';
/** The language the reviewers wrote in, when they all wrote in one; English otherwise. */
const clinicalLanguageOf = (doc: ReportDocument): Locale => {
  const spoken = new Set(doc.parts.map(languageOfPart));
  return spoken.size === 1 ? [...spoken][0]! : 'en';
};
// Dates as the screens show them ("Nov 29, 2026"), in UTC so a report reads the same everywhere.
const dayIn = (t: Words) => (iso: string) => new Date(iso).toLocaleDateString(t('report:locale'), { dateStyle: 'medium', timeZone: 'UTC' });

function section(title: string, body: Content[]): Content[] {
  return [{ text: title, style: 'h2' }, ...body];
}

/** The report's statement of what the pathologist looked at, one line each. */
export function slidesReviewedLines(s: NonNullable<OpinionContent['slidesReviewed']>, t: Words = wordsIn('en')): string[] {
  const lines: string[] = [];
  for (const d of s.digital) {
    const cited = (d.annotations ?? []).map((a) => t('report:clinical.annotation', { number: a.number, text: a.text })).join('; ');
    if (d.name) lines.push(cited ? t('report:clinical.digitalSlideCited', { name: d.name, cited }) : t('report:clinical.digitalSlide', { name: d.name }));
    else lines.push(cited ? t('report:clinical.numberedSlideCited', { number: d.number, cited }) : t('report:clinical.numberedSlide', { number: d.number }));
  }
  for (const g of s.glass) lines.push(t('report:clinical.glassSlides', { name: g.name }));
  if (s.digitalSufficed === 'yes') lines.push(t('report:clinical.digitalSufficed'));
  if (s.digitalSufficed === 'no') lines.push(t('report:clinical.digitalDidNotSuffice'));
  if (s.comment) lines.push(s.comment);
  return lines;
}

function partContent(p: ReportDocument['parts'][number], w: Words): Content[] {
  const c = p.content;
  const t = wordsIn(languageOfPart(p));
  const label = (k: string) => t(`report:clinical.${k}`, { defaultValue: k });
  const out: Content[] = [{ text: `${p.reviewerRole}: ${p.authorName}`, style: 'h1' }];
  if (c.diagnosisReview) {
    out.push(...section(t('report:clinical.diagnosisReview'), [
      { text: t('report:clinical.originalDiagnosis', { diagnosis: c.diagnosisReview.originalDiagnosis }) },
      { text: t('report:clinical.reviewedDiagnosis', { diagnosis: c.diagnosisReview.reviewedDiagnosis }) },
      { text: t('report:clinical.concordance', { concordance: label(c.diagnosisReview.concordance) }), bold: true }, { text: c.diagnosisReview.rationale },
    ]));
  }
  if (c.staging) {
    const prefix = c.staging.basis === 'clinical' ? 'c' : 'p';
    const grade = c.staging.grade ? t('report:clinical.grade', { grade: c.staging.grade }) : '';
    out.push(...section(t('report:clinical.staging'), [{ text: `${prefix}T${c.staging.t} ${prefix}N${c.staging.n} ${prefix}M${c.staging.m}${grade} (${c.staging.edition})` }]));
  }
  if (c.slidesReviewed) out.push(...section(t('report:clinical.slidesReviewed'), slidesReviewedLines(c.slidesReviewed, t).map((text) => ({ text }))));
  if (c.biomarkers?.length) {
    const headings = [t('report:clinical.test'), t('report:clinical.status'), t('report:clinical.note')];
    out.push(...section(t('report:clinical.biomarkers'), [{ table: { widths: ['*', 'auto', '*'], body: [headings.map((h) => ({ text: h, bold: true })), ...c.biomarkers.map((b) => [b.name, label(b.status), b.note ?? ''])] }, layout: 'lightHorizontalLines' }]));
  }
  if (c.treatment) {
    out.push(...section(t('report:clinical.treatment'), [{ text: label(c.treatment.stance), bold: true }, ...c.treatment.options.map((o) => ({ text: `• ${o.option}: ${o.rationale}` })), ...(c.treatment.comment ? [{ text: c.treatment.comment }] : [])]));
  }
  if (c.surgery) {
    out.push(...section(t('report:clinical.surgery'), [
      { text: t('report:clinical.surgeryLine', { necessary: label(c.surgery.necessary), neoadjuvant: c.surgery.neoadjuvantFirst ? t('report:clinical.yes') : t('report:clinical.no'), approach: label(c.surgery.approach) }) },
      { text: t('report:clinical.whereToHaveIt', { advice: c.surgery.highVolumeAdvice }) }, ...(c.surgery.rationale ? [{ text: c.surgery.rationale }] : []),
    ]));
  }
  if (p.lungFunction && c.lungFunction) {
    const r = p.lungFunction;
    const input = c.lungFunction.input;
    out.push(...section(t('report:clinical.lungFunction'), [
      { text: t('report:clinical.lungInputs', { fev1: input.fev1Percent, dlco: input.dlcoPercent, lobes: input.resected.map(label).join(', ') }) },
      { text: t('report:clinical.lungPredicted', { ppoFev1: r.ppoFev1Percent, ppoDlco: r.ppoDlcoPercent, removed: r.functionalSegmentsRemoved, total: r.functionalSegmentsTotal }) },
      { text: r.risk ? t('report:clinical.risk', { risk: label(r.risk) }) : t('report:clinical.nextStep', { step: label(r.nextStep) }), bold: true },
      { ul: r.reasons }, { text: t('report:clinical.method', { source: r.source }), style: 'small' }, ...(c.lungFunction.comment ? [{ text: c.lungFunction.comment }] : []),
    ]));
  }
  if (c.trials?.length) out.push(...section(w('report:trials.heading'), trialLines(c.trials, w)));
  if (c.answers?.length) out.push(...section(w('report:answers'), c.answers.flatMap((a) => [{ text: a.question, bold: true }, { text: a.answer, margin: [0, 0, 0, 6] as [number, number, number, number] }])));
  if (c.priorities) out.push(...section(w('report:matters'), [{ text: w(`report:fit.${c.priorities.fit}`, { defaultValue: c.priorities.fit }), bold: true }, { text: c.priorities.explanation }]));
  if (c.patientSummary) out.push(...section(w('report:summary'), [{ text: c.patientSummary }]));
  if (c.physicianSection) out.push(...section(t('report:clinical.forReferrer'), [{ text: c.physicianSection }]));
  out.push({ text: w('report:signed', { name: p.authorName, day: dayIn(w)(p.signedAt), code: p.contentSha256.slice(0, 16) }), style: 'signature' });
  return out;
}

/** What the registry copy said of the study when it was checked; nothing for trials named before it was checked. */
function registryLine(trial: NonNullable<OpinionContent['trials']>[number], w: Words) {
  if (!trial.checkedOn) return [];
  const day = dayIn(w)(trial.checkedOn);
  const status = trial.registryStatus && hasWords('en', `report:trials.status.${trial.registryStatus}`) ? w(`report:trials.status.${trial.registryStatus}`) : trial.registryStatus?.toLowerCase().replaceAll('_', ' ');
  const text = trial.registryStatus === 'RECRUITING' ? w('report:trials.openWhen', { day })
    : status ? w('report:trials.statusWhen', { day, status })
    : w('report:trials.notFound');
  return [{ text, style: 'small' }];
}

/** Each trial: what it is (from the registry), why the reviewer names it, where and whom to ask. */
function trialLines(trials: NonNullable<OpinionContent['trials']>, w: Words) {
  return [
    ...trials.flatMap((trial) => [
      { text: [trial.identifier, trial.title, trial.phases?.length ? phaseWords(trial.phases, asLocale(w('report:locale'))) : null].filter(Boolean).join(' · '), bold: true },
      { text: w('report:trials.why', { why: trial.why }) },
      ...registryLine(trial, w),
      ...(trial.sites?.length ? [{ text: w('report:trials.sites', { sites: trial.sites.join('; ') }) }] : []),
      ...(trial.contact ? [{ text: w('report:trials.contact', { contact: trial.contact }) }] : []),
      ...(/^NCT[0-9]{8}$/.test(trial.identifier) ? [{ text: w('report:trials.registry', { link: `https://clinicaltrials.gov/study/${trial.identifier}` }), style: 'small' }] : []),
      { text: '', margin: [0, 0, 0, 4] as [number, number, number, number] },
    ]),
    { text: w('report:trials.studyTeam'), style: 'small' },
  ];
}

/** The board's confirmed recommendation: "Discussed at the thoracic tumor board on …; members …; consensus …; dissent …". */
function boardContent(b: NonNullable<ReportDocument['board']>[number], locale: Locale): Content[] {
  const m = b.minutes;
  const t = wordsIn(locale);
  const type = boardTypeById(b.boardType);
  const board = type ? boardLabelIn(type, locale) : b.boardLabel;
  const stance = m.consensus?.treatmentStance;
  const members = b.attendees.map((a) => `${a.name}${a.seat ? ` (${seatIn(a.seat, locale)})` : ''}`).join(', ');
  return section(t('report:board.heading', { board }), [
    { text: t('report:board.discussed', { boardName: board.toLowerCase(), day: dayIn(t)(b.discussedAt), chair: b.chairName, members }), style: 'small' },
    { text: [{ text: t('report:board.consensus'), bold: true }, `${stance ? t(`report:board.${stance}`) : t('report:board.other')} ${m.consensus?.recommendation ?? ''}`] },
    ...(m.consensus?.options?.length ? [{ ul: m.consensus.options.map((o) => `${o.option}${o.rationale ? ` — ${o.rationale}` : ''}`) }] : []),
    ...(m.consensus?.surgery ? [{ text: [{ text: t('report:board.surgery'), bold: true }, m.consensus.surgery] }] : []),
    { text: [{ text: t('report:board.rationale'), bold: true }, m.rationale ?? ''] },
    { text: [{ text: t('report:board.guidelines'), bold: true }, m.guideline?.concordant ? t('report:board.concordant') : t('report:board.deviates', { reason: m.guideline?.deviationReason ?? '' })] },
    ...(b.dissent.length ? [{ text: [{ text: t('report:board.dissent'), bold: true }, b.dissent.map((d) => `${d.name}: ${d.text}`).join(' ')] }] : []),
    ...(b.actions.length ? [{ text: t('report:board.actions'), bold: true }, { ul: b.actions.map((a) => `${a.text} (${a.owner})`) }] : []),
  ]);
}

/**
 * What every page of a report's documents carries: the letterhead, the patient and reference on
 * each page, the version and page numbers at the foot, and the styles.
 */
function pageFrame(doc: ReportDocument, w: Words, title: string, language: string, foot: string) {
  return {
    info: { title, author: doc.letterhead },
    language,
    pageMargins: [48, 80, 48, 60] as [number, number, number, number],
    header: () => ({
      margin: [48, 24, 48, 0] as [number, number, number, number],
      columns: [
        { text: doc.letterhead, bold: true, fontSize: 11 },
        { text: `${doc.patient.name}${doc.patient.birthDate ? ` · ${w('report:born', { day: dayIn(w)(doc.patient.birthDate) })}` : ''} · ${doc.caseReference}`, alignment: 'right' as const, fontSize: 9 },
      ],
    }),
    footer: (currentPage: number, pageCount: number) => ({ margin: [48, 20, 48, 0] as [number, number, number, number], columns: [{ text: foot, fontSize: 8 }, { text: w('report:page', { page: currentPage, pages: pageCount }), alignment: 'right' as const, fontSize: 8 }] }),
    styles: {
      title: { fontSize: 18, bold: true, margin: [0, 0, 0, 4] as [number, number, number, number] },
      h1: { fontSize: 14, bold: true, margin: [0, 14, 0, 4] as [number, number, number, number] },
      h2: { fontSize: 11, bold: true, margin: [0, 10, 0, 3] as [number, number, number, number] },
      small: { fontSize: 8, color: '#444444' },
      signature: { fontSize: 9, italics: true, margin: [0, 10, 0, 0] as [number, number, number, number] },
    },
    defaultStyle: { fontSize: 10, lineHeight: 1.2 },
  };
}

export function reportDefinition(doc: ReportDocument): TDocumentDefinitions {
  const w = wordsIn(doc.language ?? 'en');
  const clinical = clinicalLanguageOf(doc);
  const shown = dayIn(w);
  const version = w('report:version', { version: doc.version });
  const status = doc.kind === 'original' ? version : `${version} — ${doc.kind === 'addendum' ? w('report:addendum') : w('report:amended')}: ${doc.reason ?? ''}`;
  const addendumHeading = (a: ReportDocument['addenda'][number]) => {
    const values = { version: a.version, day: shown(a.at), by: a.by };
    return a.kind === 'addendum' ? w('report:addendumHeading', values) : w('report:amendmentHeading', values);
  };
  return {
    ...pageFrame(doc, w, `${w('report:title')} ${doc.caseReference}`, doc.language ?? 'en', status),
    content: [
      { text: w('report:title'), style: 'title' },
      { text: `${doc.condition ?? w('report:request')} · ${w('report:issued', { day: shown(doc.issuedAt), by: doc.issuedBy })} · ${status}`, style: 'small', margin: [0, 0, 0, 12] },
      { text: w('report:disclaimer'), style: 'small', margin: [0, 0, 0, 12] },
      ...(doc.board ?? []).flatMap((b) => boardContent(b, clinical)),
      ...(doc.disagreements.length ? section(wordsIn(clinical)('report:clinical.reviewersDiffer'), doc.disagreements.map((d) => ({ text: `• ${d}` }))) : []),
      ...doc.parts.flatMap((p) => partContent(p, w)),
      ...doc.addenda.flatMap((a) => section(addendumHeading(a), [{ text: w('report:reason', { reason: a.reason }), italics: true }, { text: a.text }])),
    ],
  };
}

export function renderReportPdf(doc: ReportDocument): Promise<Buffer> {
  return renderPdf(reportDefinition(doc));
}

/** A coordinator's translation of a report's patient summary, as the patient downloads it. */
export interface SummaryTranslationPrint { language: string; summary: string; translatedBy: string; reviewedBy: string; original: string; originalLanguage: string }

/**
 * The translation of the summary as a PDF of its own: the signed report stays the document it was
 * (its hash is kept), so the translation is printed apart, labelled as a translation, who made and
 * checked it, with the signed original after it.
 */
export function translationDefinition(doc: ReportDocument, translation: SummaryTranslationPrint): TDocumentDefinitions {
  const locale = asLocale(translation.language);
  const w = wordsIn(locale);
  const note = w('report:translation.note', { by: translation.translatedBy, checkedBy: translation.reviewedBy, original: languageName(translation.originalLanguage, locale), version: doc.version });
  return {
    ...pageFrame(doc, w, `${w('report:translation.title')} ${doc.caseReference}`, translation.language, w('report:version', { version: doc.version })),
    content: [
      { text: w('report:translation.title'), style: 'title' },
      { text: note, style: 'small', margin: [0, 0, 0, 8] },
      { text: w('report:disclaimer'), style: 'small', margin: [0, 0, 0, 12] },
      { text: translation.summary, lang: translation.language },
      { text: w('report:translation.original'), style: 'h2', margin: [0, 18, 0, 3] },
      { text: translation.original, lang: translation.originalLanguage, color: '#444444' },
    ] as Content[],
  };
}

export function renderTranslationPdf(doc: ReportDocument, t: SummaryTranslationPrint): Promise<Buffer> {
  return renderPdf(translationDefinition(doc, t));
}
