import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { Locale } from '../core/locale.ts';
import { renderPdf } from '../core/pdf.ts';
import type { AssessmentResult } from './result.ts';

/** The PDF's own words, per language; the result's texts come translated from the knowledge files. */
const WORDS: Record<Locale, {
  title: string; results: (day: string, version: string) => string; diagnosis: string; notSure: string; situations: string;
  howSoon: (expedited: boolean) => string; who: string; center: string; volume: (procedure: string, hospital: number, surgeon: number) => string;
  records: string; what: string; ask: string; have: string; yes: string; notYet: string; biomarkers: string;
  testStatus: { done: string; check_report: string; optional: string; missing: string }; questions: string; costs: string; sources: string;
  inEnglish: string; docTitle: string; footer: (page: number, pages: number) => string;
}> = {
  en: {
    title: 'Should I get a second opinion?', results: (day, version) => `Your results, ${day}. Rules version ${version}.`, diagnosis: 'Diagnosis: ', notSure: 'Not sure',
    situations: 'Which of the five situations apply', howSoon: (fast) => `How soon: ${fast ? 'fast (expedited)' : 'standard'}`, who: 'Who should review your case',
    center: 'Does a specialised center matter?', volume: (p, h, s) => `${p}: look for at least ${h} a year at the hospital and ${s} a year for the surgeon.`,
    records: 'Records to gather', what: 'What', ask: 'Ask', have: 'Have it', yes: 'Yes', notYet: 'Not yet', biomarkers: 'Biomarker tests for your cancer',
    testStatus: { done: 'done', check_report: 'check your gene panel report', optional: 'may apply', missing: 'not on file yet' },
    questions: 'Questions to ask your doctor', costs: 'Insurance and costs', sources: 'Sources', inEnglish: '',
    docTitle: 'Second opinion assessment', footer: (page, pages) => `Information, not medical advice. Page ${page} of ${pages}`,
  },
  es: {
    title: '¿Debo pedir una segunda opinión?', results: (day, version) => `Sus resultados, ${day}. Versión de las reglas: ${version}.`, diagnosis: 'Diagnóstico: ', notSure: 'No está seguro',
    situations: 'Cuáles de las cinco situaciones se aplican', howSoon: (fast) => `Qué tan pronto: ${fast ? 'rápido (trámite acelerado)' : 'normal'}`, who: 'Quién debe revisar su caso',
    center: '¿Importa ir a un centro especializado?', volume: (p, h, s) => `${p}: busque al menos ${h} al año en el hospital y ${s} al año para el cirujano.`,
    records: 'Documentos que debe reunir', what: 'Qué', ask: 'A quién pedirlo', have: 'Lo tiene', yes: 'Sí', notYet: 'Todavía no', biomarkers: 'Pruebas de biomarcadores para su cáncer',
    testStatus: { done: 'hecha', check_report: 'revise el informe de su panel de genes', optional: 'puede aplicarse', missing: 'todavía no está en sus documentos' },
    questions: 'Preguntas para su médico', costs: 'Seguro y costos', sources: 'Fuentes (en inglés)',
    inEnglish: 'Algunas partes todavía no están traducidas y se muestran en inglés.',
    docTitle: 'Evaluación para una segunda opinión', footer: (page, pages) => `Información, no consejo médico. Página ${page} de ${pages}`,
  },
};

const heading = (text: string): Content => ({ text, style: 'h2' });
const bullets = (items: Content[]): Content => ({ ul: items, margin: [0, 2, 0, 8] });
/** A day as the reader writes it ("November 30, 2026", "30 de noviembre de 2026"), in UTC like the rest of the document. */
const dayIn = (language: Locale, d: Date) => d.toLocaleDateString(language === 'es' ? 'es-US' : 'en-US', { dateStyle: 'long', timeZone: 'UTC' });

/** The printable assessment: the same result the page shows, with every reason's sources. */
export async function assessmentPdf(r: AssessmentResult, generatedAt: Date): Promise<Buffer> {
  // Sources are cited by number, listed by title at the end (a patient reads titles, not ids).
  const numberOf = new Map(r.sources.map((s, i) => [s.id, i + 1]));
  const cite = (ids: string[]) => ({ text: `  [${ids.map((id) => numberOf.get(id)).join(', ')}]`, color: '#666666', fontSize: 8 });
  const w = WORDS[r.language];
  const content: Content[] = [
    { text: w.title, style: 'h1' },
    { text: w.results(dayIn(r.language, generatedAt), /^\d{4}-\d{2}-\d{2}$/.test(r.knowledgeVersion) ? dayIn(r.language, new Date(r.knowledgeVersion)) : r.knowledgeVersion), color: '#444444', margin: [0, 0, 0, 6] },
    { text: r.disclaimer, italics: true, margin: [0, 0, 0, 10] },
    ...(r.inEnglish.length && w.inEnglish ? [{ text: w.inEnglish, margin: [0, 0, 0, 6] } as Content] : []),
    { text: [{ text: w.diagnosis, bold: true }, r.condition.label ? `${r.condition.label}${r.condition.code ? ` (${r.condition.code})` : ''}` : w.notSure] },
    ...r.notices.map((n): Content => ({ text: [n.text, cite(n.sources)], margin: [0, 4, 0, 0] })),
    heading(w.situations),
    r.situations.length
      ? bullets(r.situations.map((s) => ({ stack: [{ text: `${s.number}. ${s.title}`, bold: true }, bullets(s.reasons.map((x) => ({ text: [x.text, cite(x.sources)] })))] })))
      : { text: [r.noneApply!.text, cite(r.noneApply!.sources)], margin: [0, 2, 0, 8] },
    heading(w.howSoon(r.urgency.level === 'expedited')),
    bullets(r.urgency.reasons.map((x) => ({ text: [x.text, cite(x.sources)] }))),
    { text: [{ text: r.urgency.reminder.text, bold: true }, cite(r.urgency.reminder.sources)], margin: [0, 0, 0, 8] },
  ];
  if (r.reviewers.length) content.push(heading(w.who), bullets(r.reviewers.map((v) => ({ text: [{ text: `${v.label}: `, bold: true }, v.plain, ' ', ...v.reasons.flatMap((x) => [x.text, cite(x.sources)])] }))));
  if (r.specialisedCenter.matters) {
    content.push(heading(w.center), bullets(r.specialisedCenter.reasons.map((x) => ({ text: [x.text, cite(x.sources)] }))));
    const v = r.specialisedCenter.volumeStandard;
    if (v) content.push({ text: [w.volume(v.procedure, v.hospitalMin, v.surgeonMin), cite(v.sources)], margin: [0, 0, 0, 8] });
  }
  content.push(heading(w.records), {
    table: {
      headerRows: 1, widths: ['*', '*', 40],
      body: [
        [{ text: w.what, bold: true }, { text: w.ask, bold: true }, { text: w.have, bold: true }],
        ...r.checklist.map((i) => [{ text: [{ text: i.label, bold: true }, '\n', i.why, cite(i.sources)] }, i.from, i.have ? w.yes : w.notYet]),
      ],
    },
    layout: 'lightHorizontalLines', margin: [0, 2, 0, 8],
  });
  if (r.biomarkers) {
    content.push(heading(w.biomarkers), bullets(r.biomarkers.tests.map((t) => ({
      text: [{ text: t.name, bold: true }, ` - ${t.status === 'missing' && t.optional ? w.testStatus.optional : w.testStatus[t.status]}`, t.note ? ` (${t.note})` : '', cite(t.sources)],
    }))));
  }
  if (r.questions.length) content.push(heading(w.questions), bullets(r.questions.map((q) => ({ text: [q.text, cite(q.sources)] }))));
  content.push(heading(w.costs), bullets(r.coverage.map((c) => ({ text: [c.text, cite(c.sources)] }))));
  content.push(heading(w.sources), bullets(r.sources.map((s, i) => ({ text: [{ text: `[${i + 1}] `, bold: true }, `${s.title}. ${s.detail}`, s.url ? ` ${s.url}` : ''], fontSize: 8 }))));
  const doc: TDocumentDefinitions = {
    info: { title: w.docTitle, creator: 'Consilium' },
    language: r.language,
    defaultStyle: { font: 'Helvetica', fontSize: 10, lineHeight: 1.2 },
    styles: { h1: { fontSize: 18, bold: true, margin: [0, 0, 0, 4] }, h2: { fontSize: 13, bold: true, margin: [0, 10, 0, 4] } },
    pageMargins: [48, 48, 48, 48],
    footer: (page, pages) => ({ text: w.footer(page, pages), alignment: 'center', fontSize: 8, color: '#666666' }),
    content,
  };
  return renderPdf(doc);
}
