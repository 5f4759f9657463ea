import { phaseWords } from '../trials/cited.ts';
import { LOBE_NAMES } from './lungFunction.ts';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { renderPdf } from '../core/pdf.ts';
import { asLocale, type Locale } from '../core/locale.ts';
import { languageName } from '../core/languages.ts';
import { CONCORDANCE_LABELS, type OpinionContent, type ReportDocument } from './schemas.ts';

/**
 * The words of the parts written for the patient, and of the report's frame, in the patient's
 * language. The clinical sections (diagnosis review, staging, biomarkers, surgery, lung function,
 * board minutes) are for physicians and stay in the language they were written in.
 */
interface ReportWords {
  title: string; request: string; issued: (day: string, by: string) => string; disclaimer: string; born: (day: string) => string;
  version: (n: number) => string; addendum: string; amended: string; page: (n: number, of: number) => string; locale: string;
  trials: string; why: string; openWhen: (day: string) => string; statusWhen: (day: string, status: string) => string; notFound: string;
  sites: string; contact: string; registry: string; studyTeam: string; answers: string; matters: string; summary: string;
  fit: Record<'fits' | 'partly' | 'does_not_fit', string>; signed: (name: string, day: string, hash: string) => string;
  addendumHeading: (kind: 'addendum' | 'amendment', version: number, day: string, by: string) => string; reason: string;
  translation: string; translationNote: (by: string, checkedBy: string, original: string, version: number) => string; original: string;
}

const WORDS: Record<Locale, ReportWords> = {
  en: {
    title: 'Expert second opinion', request: 'Second-opinion request', issued: (d, by) => `issued ${d} by ${by}`,
    disclaimer: 'This opinion supports decisions made with your own doctors; it does not replace them.', born: (d) => `born ${d}`,
    version: (n) => `Version ${n}`, addendum: 'Addendum', amended: 'Amended report', page: (n, of) => `Page ${n} of ${of}`, locale: 'en-US',
    trials: 'Research studies to ask your doctor about', why: 'Why: ', openWhen: (d) => `Open to new patients when checked on ${d}.`,
    statusWhen: (d, st) => `Registry status when checked on ${d}: ${st}.`, notFound: 'Not found in this service’s copy of the registry: ask the study team whether it is open.',
    sites: 'Sites (nearest first): ', contact: 'Contact: ', registry: 'Registry record: ', studyTeam: 'Whether someone can join a study is decided by the study team, who check all of its conditions.',
    answers: 'Your questions, answered', matters: 'What matters to you', summary: 'Summary in plain language',
    fit: { fits: 'The plan fits the patient’s priorities', partly: 'The plan partly fits the patient’s priorities', does_not_fit: 'The plan does not fit the patient’s priorities' },
    signed: (name, d, hash) => `Signed electronically by ${name} on ${d} (verification code ${hash}…).`,
    addendumHeading: (kind, v, d, by) => `${kind === 'addendum' ? 'Addendum' : 'Amendment'} (version ${v}, ${d}, ${by})`, reason: 'Reason: ',
    translation: 'Your summary, translated',
    translationNote: (by, checked, original, v) => `Translated by ${by} and checked by ${checked}. The signed opinion is the original in ${original} (version ${v}); if the two ever seem to differ, ask your care team.`,
    original: 'The signed original',
  },
  es: {
    title: 'Segunda opinión de especialistas', request: 'Solicitud de segunda opinión', issued: (d, by) => `emitida el ${d} por ${by}`,
    disclaimer: 'Esta opinión le ayuda a decidir con sus propios médicos. No los reemplaza.', born: (d) => `nacimiento: ${d}`,
    version: (n) => `Versión ${n}`, addendum: 'Información agregada', amended: 'Informe corregido', page: (n, of) => `Página ${n} de ${of}`, locale: 'es-US',
    trials: 'Estudios de investigación para preguntar a su médico', why: 'Por qué: ', openWhen: (d) => `Aceptaba pacientes nuevos cuando se revisó el ${d}.`,
    statusWhen: (d, st) => `Estado en el registro cuando se revisó el ${d}: ${st}.`, notFound: 'No aparece en la copia del registro de este servicio: pregunte al equipo del estudio si está abierto.',
    sites: 'Lugares (el más cercano primero): ', contact: 'Contacto: ', registry: 'Registro del estudio: ', studyTeam: 'El equipo del estudio decide quién puede participar. Revisa todas sus condiciones.',
    answers: 'Respuestas a sus preguntas', matters: 'Lo que es importante para usted', summary: 'Resumen en palabras sencillas',
    fit: { fits: 'El plan va de acuerdo con lo que es importante para el paciente', partly: 'El plan va en parte de acuerdo con lo que es importante para el paciente', does_not_fit: 'El plan no va de acuerdo con lo que es importante para el paciente' },
    signed: (name, d, hash) => `Firmado electrónicamente por ${name} el ${d} (código de verificación ${hash}…).`,
    addendumHeading: (kind, v, d, by) => `${kind === 'addendum' ? 'Información agregada' : 'Corrección'} (versión ${v}, ${d}, ${by})`, reason: 'Motivo: ',
    translation: 'Su resumen, traducido',
    translationNote: (by, checked, original, v) => `Traducido por ${by} y revisado por ${checked}. La opinión firmada es la original en ${original} (versión ${v}); si alguna vez parecen decir cosas distintas, pregunte a su equipo de atención.`,
    original: 'El original firmado',
  },
};


const LABELS = {
  agree: 'Agree with the proposed plan', modify: 'Modify the proposed plan', alternative: 'Recommend an alternative',
  yes: 'Yes', no: 'No', uncertain: 'Uncertain', open: 'Open surgery', vats: 'Video-assisted (VATS)', robotic: 'Robotic-assisted', not_applicable: 'Not applicable',
  fits: 'The plan fits the patient’s priorities', partly: 'The plan partly fits the patient’s priorities', does_not_fit: 'The plan does not fit the patient’s priorities',
  done: 'Done', missing: 'Missing', recommended: 'Recommended',
} as Record<string, string>;
const label = (k: string) => LABELS[k] ?? k;
// Dates as the screens show them ("Nov 29, 2026"), in UTC so a report reads the same everywhere.
const dayIn = (locale: string) => (iso: string) => new Date(iso).toLocaleDateString(locale, { dateStyle: 'medium', timeZone: 'UTC' });
const day = dayIn('en-US');

function section(title: string, body: Content[]): Content[] {
  return [{ text: title, style: 'h2' }, ...body];
}

/** The report's statement of what the pathologist looked at, one line each, as the PDF and the web show it. */
export function slidesReviewedLines(s: NonNullable<OpinionContent['slidesReviewed']>): string[] {
  const lines: string[] = [];
  for (const d of s.digital) {
    const cited = (d.annotations ?? []).map((a) => `annotation ${a.number}: ${a.text}`).join('; ');
    lines.push(`Digital slide ${d.name}${cited ? ` (${cited})` : ''}.`);
  }
  for (const g of s.glass) lines.push(`Glass slides: ${g.name}.`);
  if (s.digitalSufficed === 'yes') lines.push('The digital slides were enough for this review; the glass slides were not needed.');
  if (s.digitalSufficed === 'no') lines.push('The digital slides were not enough on their own; the glass slides were reviewed.');
  if (s.comment) lines.push(s.comment);
  return lines;
}

function partContent(p: ReportDocument['parts'][number], w: ReportWords): Content[] {
  const c = p.content;
  const out: Content[] = [{ text: `${p.reviewerRole}: ${p.authorName}`, style: 'h1' }];
  if (c.diagnosisReview) {
    out.push(...section('Diagnosis review', [
      { text: `Original diagnosis: ${c.diagnosisReview.originalDiagnosis}` }, { text: `Reviewed diagnosis: ${c.diagnosisReview.reviewedDiagnosis}` },
      { text: `Concordance: ${CONCORDANCE_LABELS[c.diagnosisReview.concordance]}`, bold: true }, { text: c.diagnosisReview.rationale },
    ]));
  }
  if (c.staging) {
    const prefix = c.staging.basis === 'clinical' ? 'c' : 'p';
    out.push(...section('Staging', [{ text: `${prefix}T${c.staging.t} ${prefix}N${c.staging.n} ${prefix}M${c.staging.m}${c.staging.grade ? `, grade ${c.staging.grade}` : ''} (${c.staging.edition})` }]));
  }
  if (c.slidesReviewed) out.push(...section('Slides reviewed', slidesReviewedLines(c.slidesReviewed).map((text) => ({ text }))));
  if (c.biomarkers?.length) {
    out.push(...section('Biomarkers', [{ table: { widths: ['*', 'auto', '*'], body: [['Test', 'Status', 'Note'].map((h) => ({ text: h, bold: true })), ...c.biomarkers.map((b) => [b.name, label(b.status), b.note ?? ''])] }, layout: 'lightHorizontalLines' }]));
  }
  if (c.treatment) {
    out.push(...section('Treatment', [{ text: label(c.treatment.stance), bold: true }, ...c.treatment.options.map((o) => ({ text: `• ${o.option}: ${o.rationale}` })), ...(c.treatment.comment ? [{ text: c.treatment.comment }] : [])]));
  }
  if (c.surgery) {
    out.push(...section('Surgery', [
      { text: `Surgery necessary: ${label(c.surgery.necessary)}. Treatment before surgery (neoadjuvant): ${c.surgery.neoadjuvantFirst ? 'yes' : 'no'}. Approach: ${label(c.surgery.approach)}.` },
      { text: `Where to have it: ${c.surgery.highVolumeAdvice}` }, ...(c.surgery.rationale ? [{ text: c.surgery.rationale }] : []),
    ]));
  }
  if (p.lungFunction && c.lungFunction) {
    const r = p.lungFunction;
    out.push(...section('Lung function before resection', [
      { text: `Inputs: FEV1 ${c.lungFunction.input.fev1Percent} %, DLCO ${c.lungFunction.input.dlcoPercent} % of predicted; resection of the ${c.lungFunction.input.resected.map((l) => LOBE_NAMES[l]).join(', ')}.` },
      { text: `ppoFEV1 ${r.ppoFev1Percent} %, ppoDLCO ${r.ppoDlcoPercent} % (${r.functionalSegmentsRemoved} of ${r.functionalSegmentsTotal} functional segments).` },
      { text: r.risk ? `Risk: ${r.risk}.` : `Next step: ${r.nextStep.replaceAll('_', ' ')}.`, bold: true },
      { ul: r.reasons }, { text: `Method: ${r.source}.`, style: 'small' }, ...(c.lungFunction.comment ? [{ text: c.lungFunction.comment }] : []),
    ]));
  }
  if (c.trials?.length) out.push(...section(w.trials, trialLines(c.trials, w)));
  if (c.answers?.length) out.push(...section(w.answers, c.answers.flatMap((a) => [{ text: a.question, bold: true }, { text: a.answer, margin: [0, 0, 0, 6] as [number, number, number, number] }])));
  if (c.priorities) out.push(...section(w.matters, [{ text: w.fit[c.priorities.fit as keyof ReportWords['fit']] ?? label(c.priorities.fit), bold: true }, { text: c.priorities.explanation }]));
  if (c.patientSummary) out.push(...section(w.summary, [{ text: c.patientSummary }]));
  if (c.physicianSection) out.push(...section('For the referring physician', [{ text: c.physicianSection }]));
  out.push({ text: w.signed(p.authorName, dayIn(w.locale)(p.signedAt), p.contentSha256.slice(0, 16)), style: 'signature' });
  return out;
}

/** What the registry copy said of the study when it was checked; nothing for trials named before it was checked. */
function registryLine(t: NonNullable<OpinionContent['trials']>[number], w: ReportWords) {
  if (!t.checkedOn) return [];
  const text = t.registryStatus === 'RECRUITING' ? w.openWhen(t.checkedOn)
    : t.registryStatus ? w.statusWhen(t.checkedOn, t.registryStatus.toLowerCase().replaceAll('_', ' '))
    : w.notFound;
  return [{ text, style: 'small' }];
}

/** Each trial: what it is (from the registry), why the reviewer names it, where and whom to ask. */
function trialLines(trials: NonNullable<OpinionContent['trials']>, w: ReportWords) {
  return [
    ...trials.flatMap((t) => [
      { text: [t.identifier, t.title, t.phases?.length ? phaseWords(t.phases) : null].filter(Boolean).join(' · '), bold: true },
      { text: `${w.why}${t.why}` },
      ...registryLine(t, w),
      ...(t.sites?.length ? [{ text: `${w.sites}${t.sites.join('; ')}.` }] : []),
      ...(t.contact ? [{ text: `${w.contact}${t.contact}.` }] : []),
      ...(/^NCT[0-9]{8}$/.test(t.identifier) ? [{ text: `${w.registry}https://clinicaltrials.gov/study/${t.identifier}`, style: 'small' }] : []),
      { text: '', margin: [0, 0, 0, 4] as [number, number, number, number] },
    ]),
    { text: w.studyTeam, style: 'small' },
  ];
}

const STANCE: Record<string, string> = { agree: 'agrees with the proposed plan', modify: 'recommends changing the proposed plan', alternative: 'recommends an alternative to the proposed plan' };

/** The board's confirmed recommendation: "Discussed at the thoracic tumor board on …; members …; consensus …; dissent …". */
function boardContent(b: NonNullable<ReportDocument['board']>[number]): Content[] {
  const m = b.minutes;
  return section(`${b.boardLabel}: recommendation`, [
    { text: `Discussed at the ${b.boardLabel.toLowerCase()} on ${day(b.discussedAt)}, chaired by ${b.chairName}. Members present: ${b.attendees.map((a) => `${a.name}${a.seat ? ` (${a.seat})` : ''}`).join(', ')}.`, style: 'small' },
    { text: [{ text: 'Consensus: ', bold: true }, `The board ${STANCE[m.consensus?.treatmentStance ?? ''] ?? 'gave a recommendation'}. ${m.consensus?.recommendation ?? ''}`] },
    ...(m.consensus?.options?.length ? [{ ul: m.consensus.options.map((o) => `${o.option}${o.rationale ? ` — ${o.rationale}` : ''}`) }] : []),
    ...(m.consensus?.surgery ? [{ text: [{ text: 'Surgery needed: ', bold: true }, m.consensus.surgery] }] : []),
    { text: [{ text: 'Rationale: ', bold: true }, m.rationale ?? ''] },
    { text: [{ text: 'Guidelines: ', bold: true }, m.guideline?.concordant ? 'The recommendation follows the guidelines.' : `Deviates from the guidelines: ${m.guideline?.deviationReason ?? ''}`] },
    ...(b.dissent.length ? [{ text: [{ text: 'Dissent: ', bold: true }, b.dissent.map((d) => `${d.name}: ${d.text}`).join(' ')] }] : []),
    ...(b.actions.length ? [{ text: 'Actions', bold: true }, { ul: b.actions.map((a) => `${a.text} (${a.owner})`) }] : []),
  ]);
}

/**
 * What every page of a report's documents carries: the letterhead, the patient and reference on
 * each page, the version and page numbers at the foot, and the styles.
 */
function pageFrame(doc: ReportDocument, w: ReportWords, title: string, language: string, foot: string) {
  return {
    info: { title, author: doc.letterhead },
    language,
    pageMargins: [48, 80, 48, 60] as [number, number, number, number],
    header: () => ({
      margin: [48, 24, 48, 0] as [number, number, number, number],
      columns: [
        { text: doc.letterhead, bold: true, fontSize: 11 },
        { text: `${doc.patient.name}${doc.patient.birthDate ? ` · ${w.born(dayIn(w.locale)(doc.patient.birthDate))}` : ''} · ${doc.caseReference}`, alignment: 'right' as const, fontSize: 9 },
      ],
    }),
    footer: (currentPage: number, pageCount: number) => ({ margin: [48, 20, 48, 0] as [number, number, number, number], columns: [{ text: foot, fontSize: 8 }, { text: w.page(currentPage, pageCount), alignment: 'right' as const, fontSize: 8 }] }),
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
  const w = WORDS[doc.language ?? 'en'];
  const shown = dayIn(w.locale);
  const status = doc.kind === 'original' ? w.version(doc.version) : `${w.version(doc.version)} — ${doc.kind === 'addendum' ? w.addendum : w.amended}: ${doc.reason ?? ''}`;
  return {
    ...pageFrame(doc, w, `${w.title} ${doc.caseReference}`, doc.language ?? 'en', status),
    content: [
      { text: w.title, style: 'title' },
      { text: `${doc.condition ?? w.request} · ${w.issued(shown(doc.issuedAt), doc.issuedBy)} · ${status}`, style: 'small', margin: [0, 0, 0, 12] },
      { text: w.disclaimer, style: 'small', margin: [0, 0, 0, 12] },
      ...(doc.board ?? []).flatMap(boardContent),
      ...(doc.disagreements.length ? section('Where the reviewers differ', doc.disagreements.map((d) => ({ text: `• ${d}` }))) : []),
      ...doc.parts.flatMap((p) => partContent(p, w)),
      ...doc.addenda.flatMap((a) => section(w.addendumHeading(a.kind, a.version, shown(a.at), a.by), [{ text: `${w.reason}${a.reason}`, italics: true }, { text: a.text }])),
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
export function translationDefinition(doc: ReportDocument, t: SummaryTranslationPrint): TDocumentDefinitions {
  const locale = asLocale(t.language);
  const w = WORDS[locale];
  return {
    ...pageFrame(doc, w, `${w.translation} ${doc.caseReference}`, t.language, w.version(doc.version)),
    content: [
      { text: w.translation, style: 'title' },
      { text: w.translationNote(t.translatedBy, t.reviewedBy, languageName(t.originalLanguage, locale), doc.version), style: 'small', margin: [0, 0, 0, 8] },
      { text: w.disclaimer, style: 'small', margin: [0, 0, 0, 12] },
      { text: t.summary, lang: t.language },
      { text: w.original, style: 'h2', margin: [0, 18, 0, 3] },
      { text: t.original, lang: t.originalLanguage, color: '#444444' },
    ] as Content[],
  };
}

export function renderTranslationPdf(doc: ReportDocument, t: SummaryTranslationPrint): Promise<Buffer> {
  return renderPdf(translationDefinition(doc, t));
}
