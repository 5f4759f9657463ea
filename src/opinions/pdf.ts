import { phaseWords } from '../trials/cited.ts';
import { LOBE_NAMES } from './lungFunction.ts';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { renderPdf } from '../core/pdf.ts';
import { CONCORDANCE_LABELS, type OpinionContent, type ReportDocument } from './schemas.ts';


const LABELS = {
  agree: 'Agree with the proposed plan', modify: 'Modify the proposed plan', alternative: 'Recommend an alternative',
  yes: 'Yes', no: 'No', uncertain: 'Uncertain', open: 'Open surgery', vats: 'Video-assisted (VATS)', robotic: 'Robotic-assisted', not_applicable: 'Not applicable',
  fits: 'The plan fits the patient’s priorities', partly: 'The plan partly fits the patient’s priorities', does_not_fit: 'The plan does not fit the patient’s priorities',
  done: 'Done', missing: 'Missing', recommended: 'Recommended',
} as Record<string, string>;
const label = (k: string) => LABELS[k] ?? k;
// Dates as the screens show them ("Nov 29, 2026"), in UTC so a report reads the same everywhere.
const day = (iso: string) => new Date(iso).toLocaleDateString('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

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

function partContent(p: ReportDocument['parts'][number]): Content[] {
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
  if (c.trials?.length) out.push(...section('Research studies to ask your doctor about', trialLines(c.trials)));
  if (c.answers?.length) out.push(...section('Your questions, answered', c.answers.flatMap((a) => [{ text: a.question, bold: true }, { text: a.answer, margin: [0, 0, 0, 6] as [number, number, number, number] }])));
  if (c.priorities) out.push(...section('What matters to you', [{ text: label(c.priorities.fit), bold: true }, { text: c.priorities.explanation }]));
  if (c.patientSummary) out.push(...section('Summary in plain language', [{ text: c.patientSummary }]));
  if (c.physicianSection) out.push(...section('For the referring physician', [{ text: c.physicianSection }]));
  out.push({ text: `Signed electronically by ${p.authorName} on ${day(p.signedAt)} (content SHA-256 ${p.contentSha256.slice(0, 16)}…).`, style: 'signature' });
  return out;
}

/** What the registry copy said of the study when it was checked; nothing for trials named before it was checked. */
function registryLine(t: NonNullable<OpinionContent['trials']>[number]) {
  if (!t.checkedOn) return [];
  const text = t.registryStatus === 'RECRUITING' ? `Open to new patients when checked on ${t.checkedOn}.`
    : t.registryStatus ? `Registry status when checked on ${t.checkedOn}: ${t.registryStatus.toLowerCase().replaceAll('_', ' ')}.`
    : 'Not found in this service’s copy of the registry: ask the study team whether it is open.';
  return [{ text, style: 'small' }];
}

/** Each trial: what it is (from the registry), why the reviewer names it, where and whom to ask. */
function trialLines(trials: NonNullable<OpinionContent['trials']>) {
  return [
    ...trials.flatMap((t) => [
      { text: [t.identifier, t.title, t.phases?.length ? phaseWords(t.phases) : null].filter(Boolean).join(' · '), bold: true },
      { text: `Why: ${t.why}` },
      ...registryLine(t),
      ...(t.sites?.length ? [{ text: `Sites (nearest first): ${t.sites.join('; ')}.` }] : []),
      ...(t.contact ? [{ text: `Contact: ${t.contact}.` }] : []),
      ...(/^NCT[0-9]{8}$/.test(t.identifier) ? [{ text: `Registry record: https://clinicaltrials.gov/study/${t.identifier}`, style: 'small' }] : []),
      { text: '', margin: [0, 0, 0, 4] as [number, number, number, number] },
    ]),
    { text: 'Whether someone can join a study is decided by the study team, who check all of its conditions.', style: 'small' },
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

export function reportDefinition(doc: ReportDocument): TDocumentDefinitions {
  const status = doc.kind === 'original' ? `Version ${doc.version}` : `Version ${doc.version} — ${doc.kind === 'addendum' ? 'Addendum' : 'Amended report'}: ${doc.reason ?? ''}`;
  return {
    info: { title: `Second opinion ${doc.caseReference}`, author: doc.letterhead },
    pageMargins: [48, 80, 48, 60],
    header: (currentPage: number) => ({
      margin: [48, 24, 48, 0],
      columns: [
        { text: doc.letterhead, bold: true, fontSize: 11 },
        { text: `${doc.patient.name}${doc.patient.birthDate ? ` · born ${doc.patient.birthDate}` : ''} · ${doc.caseReference}`, alignment: 'right', fontSize: 9 },
      ],
      ...(currentPage > 0 ? {} : {}),
    }),
    footer: (currentPage: number, pageCount: number) => ({ margin: [48, 20, 48, 0], columns: [{ text: status, fontSize: 8 }, { text: `Page ${currentPage} of ${pageCount}`, alignment: 'right', fontSize: 8 }] }),
    content: [
      { text: 'Expert second opinion', style: 'title' },
      { text: `${doc.condition ?? 'Second-opinion request'} · issued ${day(doc.issuedAt)} by ${doc.issuedBy} · ${status}`, style: 'small', margin: [0, 0, 0, 12] },
      { text: 'This opinion supports decisions made with your own doctors; it does not replace them.', style: 'small', margin: [0, 0, 0, 12] },
      ...(doc.board ?? []).flatMap(boardContent),
      ...(doc.disagreements.length ? section('Where the reviewers differ', doc.disagreements.map((d) => ({ text: `• ${d}` }))) : []),
      ...doc.parts.flatMap(partContent),
      ...doc.addenda.flatMap((a) => section(`${a.kind === 'addendum' ? 'Addendum' : 'Amendment'} (version ${a.version}, ${day(a.at)}, ${a.by})`, [{ text: `Reason: ${a.reason}`, italics: true }, { text: a.text }])),
    ],
    styles: {
      title: { fontSize: 18, bold: true, margin: [0, 0, 0, 4] },
      h1: { fontSize: 14, bold: true, margin: [0, 14, 0, 4] },
      h2: { fontSize: 11, bold: true, margin: [0, 10, 0, 3] },
      small: { fontSize: 8, color: '#444444' },
      signature: { fontSize: 9, italics: true, margin: [0, 10, 0, 0] },
    },
    defaultStyle: { fontSize: 10, lineHeight: 1.2 },
  };
}

export function renderReportPdf(doc: ReportDocument): Promise<Buffer> {
  return renderPdf(reportDefinition(doc));
}
