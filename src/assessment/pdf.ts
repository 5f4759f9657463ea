import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { wordsIn, type Words } from '../core/i18n.ts';
import { renderPdf } from '../core/pdf.ts';
import type { AssessmentResult } from './result.ts';

const heading = (text: string): Content => ({ text, style: 'h2' });
const bullets = (items: Content[]): Content => ({ ul: items, margin: [0, 2, 0, 8] });
/** A day as the reader writes it ("November 30, 2026", "30 de noviembre de 2026"), in UTC like the rest of the document. */
const dayIn = (w: Words, d: Date) => d.toLocaleDateString(w('assessment:locale'), { dateStyle: 'long', timeZone: 'UTC' });

/** The printable assessment: the same result the page shows, with every reason's sources; its own words are the catalogue's (`assessment`), the result's come translated from the knowledge files. */
export async function assessmentPdf(r: AssessmentResult, generatedAt: Date): Promise<Buffer> {
  // Sources are cited by number, listed by title at the end (a patient reads titles, not ids).
  const numberOf = new Map(r.sources.map((s, i) => [s.id, i + 1]));
  const cite = (ids: string[]) => ({ text: `  [${ids.map((id) => numberOf.get(id)).join(', ')}]`, color: '#666666', fontSize: 8 });
  const w = wordsIn(r.language);
  const inEnglish = w('assessment:inEnglish');
  const content: Content[] = [
    { text: w('assessment:title'), style: 'h1' },
    { text: w('assessment:results', { day: dayIn(w, generatedAt), version: /^\d{4}-\d{2}-\d{2}$/.test(r.knowledgeVersion) ? dayIn(w, new Date(r.knowledgeVersion)) : r.knowledgeVersion }), color: '#444444', margin: [0, 0, 0, 6] },
    { text: r.disclaimer, italics: true, margin: [0, 0, 0, 10] },
    ...(r.inEnglish.length && inEnglish ? [{ text: inEnglish, margin: [0, 0, 0, 6] } as Content] : []),
    { text: [{ text: w('assessment:diagnosis'), bold: true }, r.condition.label ? `${r.condition.label}${r.condition.code ? ` (${r.condition.code})` : ''}` : w('assessment:notSure')] },
    ...r.notices.map((n): Content => ({ text: [n.text, cite(n.sources)], margin: [0, 4, 0, 0] })),
    heading(w('assessment:situations')),
    r.situations.length
      ? bullets(r.situations.map((s) => ({ stack: [{ text: s.title, bold: true }, bullets(s.reasons.map((x) => ({ text: [x.text, cite(x.sources)] })))] })))
      : { text: [r.noneApply!.text, cite(r.noneApply!.sources)], margin: [0, 2, 0, 8] },
    heading(r.urgency.level === 'expedited' ? w('assessment:howSoon.expedited') : w('assessment:howSoon.standard')),
    bullets(r.urgency.reasons.map((x) => ({ text: [x.text, cite(x.sources)] }))),
    { text: [{ text: r.urgency.reminder.text, bold: true }, cite(r.urgency.reminder.sources)], margin: [0, 0, 0, 8] },
  ];
  if (r.reviewers.length) content.push(heading(w('assessment:who')), bullets(r.reviewers.map((v) => ({ text: [{ text: `${v.label}: `, bold: true }, v.plain, ' ', ...v.reasons.flatMap((x) => [x.text, cite(x.sources)])] }))));
  if (r.specialisedCenter.matters) {
    content.push(heading(w('assessment:center')), bullets(r.specialisedCenter.reasons.map((x) => ({ text: [x.text, cite(x.sources)] }))));
    const v = r.specialisedCenter.volumeStandard;
    if (v) content.push({ text: [w('assessment:volume', { procedure: v.procedure, hospital: v.hospitalMin, surgeon: v.surgeonMin }), cite(v.sources)], margin: [0, 0, 0, 8] });
  }
  content.push(heading(w('assessment:records')), {
    table: {
      headerRows: 1, widths: ['*', '*', 40],
      body: [
        [{ text: w('assessment:what'), bold: true }, { text: w('assessment:ask'), bold: true }, { text: w('assessment:have'), bold: true }],
        ...r.checklist.map((i) => [{ text: [{ text: i.label, bold: true }, '\n', i.why, cite(i.sources)] }, i.from, i.have ? w('assessment:yes') : w('assessment:notYet')]),
      ],
    },
    layout: 'lightHorizontalLines', margin: [0, 2, 0, 8],
  });
  if (r.biomarkers) {
    content.push(heading(w('assessment:biomarkers')), bullets(r.biomarkers.tests.map((t) => ({
      text: [{ text: t.name, bold: true }, ` - ${t.status === 'missing' && t.optional ? w('assessment:testStatus.optional') : w(`assessment:testStatus.${t.status}`)}`, t.note ? ` (${t.note})` : '', cite(t.sources)],
    }))));
  }
  if (r.questions.length) content.push(heading(w('assessment:questions')), bullets(r.questions.map((q) => ({ text: [q.text, cite(q.sources)] }))));
  content.push(heading(w('assessment:costs')), bullets(r.coverage.map((c) => ({ text: [c.text, cite(c.sources)] }))));
  content.push(heading(w('assessment:sources')), bullets(r.sources.map((s, i) => ({ text: [{ text: `[${i + 1}] `, bold: true }, `${s.title}. ${s.detail}`, s.url ? ` ${s.url}` : ''], fontSize: 8 }))));
  const doc: TDocumentDefinitions = {
    info: { title: w('assessment:docTitle'), creator: 'Consilium' },
    language: r.language,
    defaultStyle: { font: 'Helvetica', fontSize: 10, lineHeight: 1.2 },
    styles: { h1: { fontSize: 18, bold: true, margin: [0, 0, 0, 4] }, h2: { fontSize: 13, bold: true, margin: [0, 10, 0, 4] } },
    pageMargins: [48, 48, 48, 48],
    footer: (page, pages) => ({ text: w('assessment:footer', { page, pages }), alignment: 'center', fontSize: 8, color: '#666666' }),
    content,
  };
  return renderPdf(doc);
}
