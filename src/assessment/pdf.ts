import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { renderPdf } from '../core/pdf.ts';
import type { AssessmentResult } from './result.ts';

const heading = (text: string): Content => ({ text, style: 'h2' });
const bullets = (items: Content[]): Content => ({ ul: items, margin: [0, 2, 0, 8] });

/** The printable assessment: the same result the page shows, with every reason's sources. */
export async function assessmentPdf(r: AssessmentResult, generatedAt: Date): Promise<Buffer> {
  // Sources are cited by number, listed by title at the end (a patient reads titles, not ids).
  const numberOf = new Map(r.sources.map((s, i) => [s.id, i + 1]));
  const cite = (ids: string[]) => ({ text: `  [${ids.map((id) => numberOf.get(id)).join(', ')}]`, color: '#666666', fontSize: 8 });
  const content: Content[] = [
    { text: 'Should I get a second opinion?', style: 'h1' },
    { text: `Your results, ${generatedAt.toISOString().slice(0, 10)}. Rules version ${r.knowledgeVersion}.`, color: '#444444', margin: [0, 0, 0, 6] },
    { text: r.disclaimer, italics: true, margin: [0, 0, 0, 10] },
    { text: [{ text: 'Diagnosis: ', bold: true }, r.condition.label ? `${r.condition.label}${r.condition.code ? ` (${r.condition.code})` : ''}` : 'Not sure'] },
    ...r.notices.map((n): Content => ({ text: [n.text, cite(n.sources)], margin: [0, 4, 0, 0] })),
    heading('Which of the five situations apply'),
    r.situations.length
      ? bullets(r.situations.map((s) => ({ stack: [{ text: `${s.number}. ${s.title}`, bold: true }, bullets(s.reasons.map((x) => ({ text: [x.text, cite(x.sources)] })))] })))
      : { text: [r.noneApply!.text, cite(r.noneApply!.sources)], margin: [0, 2, 0, 8] },
    heading(`How soon: ${r.urgency.level === 'expedited' ? 'fast (expedited)' : 'standard'}`),
    bullets(r.urgency.reasons.map((x) => ({ text: [x.text, cite(x.sources)] }))),
    { text: [{ text: r.urgency.reminder.text, bold: true }, cite(r.urgency.reminder.sources)], margin: [0, 0, 0, 8] },
  ];
  if (r.reviewers.length) content.push(heading('Who should review your case'), bullets(r.reviewers.map((v) => ({ text: [{ text: `${v.label}: `, bold: true }, v.plain, ' ', ...v.reasons.flatMap((x) => [x.text, cite(x.sources)])] }))));
  if (r.specialisedCenter.matters) {
    content.push(heading('Does a specialised center matter?'), bullets(r.specialisedCenter.reasons.map((x) => ({ text: [x.text, cite(x.sources)] }))));
    const v = r.specialisedCenter.volumeStandard;
    if (v) content.push({ text: [`${v.procedure}: look for at least ${v.hospitalMin} a year at the hospital and ${v.surgeonMin} a year for the surgeon.`, cite(v.sources)], margin: [0, 0, 0, 8] });
  }
  content.push(heading('Records to gather'), {
    table: {
      headerRows: 1, widths: ['*', '*', 40],
      body: [
        [{ text: 'What', bold: true }, { text: 'Ask', bold: true }, { text: 'Have it', bold: true }],
        ...r.checklist.map((i) => [{ text: [{ text: i.label, bold: true }, '\n', i.why, cite(i.sources)] }, i.from, i.have ? 'Yes' : 'Not yet']),
      ],
    },
    layout: 'lightHorizontalLines', margin: [0, 2, 0, 8],
  });
  if (r.biomarkers) {
    content.push(heading('Biomarker tests for your cancer'), bullets(r.biomarkers.tests.map((t) => ({
      text: [{ text: t.name, bold: true }, ` - ${t.status === 'done' ? 'done' : t.status === 'check_report' ? 'check your gene panel report' : t.optional ? 'may apply' : 'not on file yet'}`, t.note ? ` (${t.note})` : '', cite(t.sources)],
    }))));
  }
  if (r.questions.length) content.push(heading('Questions to ask your doctor'), bullets(r.questions.map((q) => ({ text: [q.text, cite(q.sources)] }))));
  content.push(heading('Insurance and costs'), bullets(r.coverage.map((c) => ({ text: [c.text, cite(c.sources)] }))));
  content.push(heading('Sources'), bullets(r.sources.map((s, i) => ({ text: [{ text: `[${i + 1}] `, bold: true }, `${s.title}. ${s.detail}`, s.url ? ` ${s.url}` : ''], fontSize: 8 }))));
  const doc: TDocumentDefinitions = {
    info: { title: 'Second opinion assessment', creator: 'Consilium' },
    defaultStyle: { font: 'Helvetica', fontSize: 10, lineHeight: 1.2 },
    styles: { h1: { fontSize: 18, bold: true, margin: [0, 0, 0, 4] }, h2: { fontSize: 13, bold: true, margin: [0, 10, 0, 4] } },
    pageMargins: [48, 48, 48, 48],
    footer: (page, pages) => ({ text: `Information, not medical advice. Page ${page} of ${pages}`, alignment: 'center', fontSize: 8, color: '#666666' }),
    content,
  };
  return renderPdf(doc);
}
