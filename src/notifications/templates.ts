import { STATUS_LABELS, type CaseStatus } from '../cases/lifecycle.ts';
import { knowledgeIn } from '../assessment/localized.ts';
import { asLocale, type Locale } from '../core/locale.ts';
import type { NoticeKind } from './rules.ts';

/**
 * The words of every notice, per locale, chosen when it is shown or mailed (so a person who
 * changes language reads old notices in the new one). Notices name the case by its reference and
 * say what happened; they never carry health data, because mail leaves our hands.
 */

export interface NoticeParams {
  status?: CaseStatus;
  outcome?: 'accept' | 'decline' | 'expire';
  role?: string;
  respondBy?: string;
  dueAt?: string;
  count?: number;
  /** After a decline or expiry, the role was offered to the next candidate automatically. */
  reoffered?: boolean;
  /** Business days from complete records to the opinion (service levels). */
  businessDays?: number;
}

export interface NoticeContext {
  reference: string;
  /** The page the notice opens, as an absolute address for mail. */
  url: string;
  followupDays: number;
  /** The name of the person who acted, when a person did. */
  actorName: string | null;
}

export interface NoticeText {
  title: string;
  subject: string;
  text: string;
}

type Template = (p: NoticeParams, c: NoticeContext) => NoticeText;

const utc = (iso?: string) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '');
const role = (r?: string) => (r ?? 'reviewer').replaceAll('_', ' ');
const PRIVACY = 'For your privacy, this message does not contain health information.';
const mail = (lines: string[], c: NoticeContext) => [...lines, '', c.url, '', PRIVACY].join('\n');
const plain = (title: string, lines: string[], c: NoticeContext, subject = title): NoticeText => ({ title, subject, text: mail(lines, c) });

function offerAnswered(p: NoticeParams, c: NoticeContext): NoticeText {
  const next = p.reoffered ? 'It was offered to the next candidate automatically.' : 'Offer it to the next candidate.';
  if (p.outcome === 'expire') return plain(`No answer on ${c.reference}`, [`The offer of case ${c.reference} (${role(p.role)}) expired without an answer. ${next}`], c);
  const who = c.actorName ?? 'The expert';
  if (p.outcome === 'decline') return plain(`${who} declined ${c.reference}`, [`${who} declined case ${c.reference} (${role(p.role)}).`, next], c);
  return plain(`${who} accepted ${c.reference}`, [`${who} accepted case ${c.reference} as ${role(p.role)}.`], c);
}

const en: Record<NoticeKind, Template> = {
  'case.submitted': (_p, c) => plain(`New request ${c.reference} was sent in`, [`A new second-opinion request, ${c.reference}, is waiting to be taken.`], c),
  'case.received': (p, c) => plain(`We received your request ${c.reference}`, [
    `Thank you. We received your second-opinion request ${c.reference}.`,
    'What happens next: a coordinator gathers your medical records. You can upload the records you have at any time.',
    `Once your records are complete, the expert's written opinion takes about ${p.businessDays ?? 'a few'} working days. We will e-mail you at each step.`,
  ], c),
  'case.status': (p, c) => plain(`Request ${c.reference} is now “${STATUS_LABELS[p.status ?? 'submitted']}”`,
    [`Request ${c.reference} moved to “${STATUS_LABELS[p.status ?? 'submitted']}”. Sign in to see what happens next.`], c),
  'case.recordsNeeded': (_p, c) => plain(`We are gathering the records for ${c.reference}`,
    ['Your coordinator is gathering the records the expert needs. Sign in to see which are still missing and to upload what you have.'], c),
  'case.assigned': (_p, c) => plain(`Case ${c.reference} is assigned to you`, [`You are assigned to case ${c.reference}. Sign in to start the review.`], c),
  'case.lead': (_p, c) => plain(`You lead the review of ${c.reference}`, [`You are now the lead reviewer of case ${c.reference}: once every reviewer has signed, you issue the combined report.`], c),
  'offer.received': (p, c) => plain(`A case is offered to you (${c.reference})`,
    [`You are offered case ${c.reference} as ${role(p.role)}. Please accept or decline by ${utc(p.respondBy)}.`], c),
  'offer.answered': offerAnswered,
  'opinion.issued': (_p, c) => plain(`The opinion on ${c.reference} is signed`, [`The expert signed the opinion on case ${c.reference}. It is ready for you to check and deliver.`], c),
  'opinion.delivered': (_p, c) => plain(`Your second opinion is ready (${c.reference})`,
    [`The expert opinion on request ${c.reference} is ready. Sign in to read it, download the PDF, and ask follow-up questions for the next ${c.followupDays} days.`], c),
  'opinion.updated': (_p, c) => plain(`The opinion on ${c.reference} was updated`, [`The expert added to or corrected the opinion on ${c.reference}. Sign in to read the new version.`], c),
  'invoice.issued': (_p, c) => plain(`A bill for request ${c.reference}`, [`A bill for your second-opinion request ${c.reference} is ready. Sign in to see what it covers, what is owed and by when, and to download it. If it is hard to pay, you can ask for help there.`], c),
  'invoice.refund': (_p, c) => plain(`A payment to refund on ${c.reference}`, [`A payment made online for a bill of ${c.reference} was more than was owed (the bill was closed or paid meanwhile). Sign in to see it, and refund the difference through the payment provider.`], c),
  'invoice.helpDecided': (_p, c) => plain(`A decision on your request for help with a bill (${c.reference})`, [`Your coordinator has decided on your request for help with a bill for your second-opinion request ${c.reference}. Sign in to see the decision, the reason and what is still owed, if anything.`], c),
  'invoice.help': (_p, c) => plain(`Help with a bill asked for on ${c.reference}`, [`The patient side of ${c.reference} asked for help paying a bill. Sign in to read their request and decide.`], c),
  'opinion.translated': (_p, c) => plain(`A translated summary of the opinion on ${c.reference}`, [`A translation of the summary of the opinion on ${c.reference}, checked by a person, is ready. Sign in to read it.`], c),
  'followup.posted': (p, c) => plain(p.count && p.count > 1 ? `${p.count} new follow-up messages on ${c.reference}` : `New follow-up message on ${c.reference}`,
    [`There is a new follow-up message on ${c.reference}. Sign in to read and answer it.`], c, `New follow-up message on ${c.reference}`),
  'sla.atRisk': (p, c) => plain(`Opinion due soon: ${c.reference}`, [`The opinion on ${c.reference} is due by ${utc(p.dueAt)}.`], c, `Opinion due soon: ${c.reference} (by ${utc(p.dueAt)})`),
  'sla.breached': (p, c) => plain(`Opinion overdue: ${c.reference}`, [`The opinion on ${c.reference} was due by ${utc(p.dueAt)}.`], c, `Opinion overdue: ${c.reference} (was due ${utc(p.dueAt)})`),
  'records.added': (p, c) => plain(p.count && p.count > 1 ? `${p.count} new records on ${c.reference}` : `A new record on ${c.reference}`,
    [`New records were added to ${c.reference}.`], c),
  'proxy.accepted': (_p, c) => plain(`Your caregiver joined ${c.reference}`, [`The person you invited can now help with request ${c.reference}.`], c),
  'message.posted': (p, c) => plain(p.count && p.count > 1 ? `${p.count} new messages on ${c.reference}` : `New message on ${c.reference}`,
    [`There is a new message about request ${c.reference}. Sign in to read and answer it.`], c, `New message on ${c.reference}`),
  'board.requested': (_p, c) => plain(`A tumor board was asked for on ${c.reference}`, [`${c.actorName ?? 'Someone on the case'} asked for a tumor board discussion of ${c.reference}. Sign in to confirm it or say why it is not needed.`], c),
  'board.discussed': (_p, c) => plain(`The tumor board discussed ${c.reference}`, [
    `A team of specialists discussed request ${c.reference} together and agreed on a recommendation.`,
    'Sign in to read it. Your expert uses it in the written opinion.',
  ], c),
  'glass.requested': (_p, c) => plain(`Glass slides asked for on ${c.reference}`,
    [`${c.actorName ?? 'The reviewer'} asked for the glass slides of case ${c.reference}. Sign in to have the laboratory ship them; the request and its label are on the Records tab.`], c),
  'material.received': (_p, c) => plain(`Slides or samples arrived for ${c.reference}`,
    [`Slides or samples for case ${c.reference} have arrived. Sign in to see what came and when it reaches you.`], c),
};

const STATUS_ES: Record<CaseStatus, string> = {
  draft: 'Borrador', submitted: 'Enviada', collecting_records: 'Reuniendo documentos', ready_for_review: 'Lista para revisión',
  assigned: 'Asignada a un especialista', in_review: 'En revisión', board: 'En el comité de tumores', opinion_signed: 'Opinión firmada',
  delivered: 'Entregada', closed: 'Cerrada', cancelled: 'Cancelada', on_hold: 'En pausa',
};
/** An offer's role is a specialty: its Spanish name from the knowledge files. */
const roleEs = (r?: string) => knowledgeIn('es').knowledge.specialties.find((s) => s.id === r)?.label.toLowerCase() ?? (r ? role(r) : 'revisor');
const PRIVACY_ES = 'Para proteger su privacidad, este mensaje no contiene información de salud.';
const plainEs = (title: string, lines: string[], c: NoticeContext, subject = title): NoticeText => ({ title, subject, text: [...lines, '', c.url, '', PRIVACY_ES].join('\n') });

function offerAnsweredEs(p: NoticeParams, c: NoticeContext): NoticeText {
  const next = p.reoffered ? 'Se ofreció automáticamente al siguiente candidato.' : 'Ofrézcalo al siguiente candidato.';
  if (p.outcome === 'expire') return plainEs(`Sin respuesta sobre ${c.reference}`, [`La oferta del caso ${c.reference} (${roleEs(p.role)}) venció sin respuesta. ${next}`], c);
  const who = c.actorName ?? 'El especialista';
  if (p.outcome === 'decline') return plainEs(`${who} rechazó ${c.reference}`, [`${who} rechazó el caso ${c.reference} (${roleEs(p.role)}).`, next], c);
  return plainEs(`${who} aceptó ${c.reference}`, [`${who} aceptó el caso ${c.reference} como ${roleEs(p.role)}.`], c);
}

const es: Record<NoticeKind, Template> = {
  'case.submitted': (_p, c) => plainEs(`Llegó una nueva solicitud: ${c.reference}`, [`Una nueva solicitud de segunda opinión, ${c.reference}, espera a que alguien la tome.`], c),
  'case.received': (p, c) => plainEs(`Recibimos su solicitud ${c.reference}`, [
    `Gracias. Recibimos su solicitud de segunda opinión ${c.reference}.`,
    'Lo que sigue: un coordinador reúne sus documentos médicos. Usted puede subir los documentos que tenga en cualquier momento.',
    `Cuando sus documentos estén completos, la opinión por escrito del especialista tarda unos ${p.businessDays ?? 'pocos'} días hábiles. Le escribiremos en cada paso.`,
  ], c),
  'case.status': (p, c) => plainEs(`La solicitud ${c.reference} ahora está “${STATUS_ES[p.status ?? 'submitted']}”`,
    [`La solicitud ${c.reference} pasó a “${STATUS_ES[p.status ?? 'submitted']}”. Inicie sesión para ver lo que sigue.`], c),
  'case.recordsNeeded': (_p, c) => plainEs(`Estamos reuniendo los documentos de ${c.reference}`,
    ['Su coordinador está reuniendo los documentos que el especialista necesita. Inicie sesión para ver cuáles faltan y para subir lo que tenga.'], c),
  'case.assigned': (_p, c) => plainEs(`Se le asignó el caso ${c.reference}`, [`Se le asignó el caso ${c.reference}. Inicie sesión para empezar la revisión.`], c),
  'case.lead': (_p, c) => plainEs(`Usted dirige la revisión de ${c.reference}`, [`Ahora usted es el revisor principal del caso ${c.reference}: cuando todos los revisores hayan firmado, usted emite el informe combinado.`], c),
  'offer.received': (p, c) => plainEs(`Se le ofrece un caso (${c.reference})`,
    [`Se le ofrece el caso ${c.reference} como ${roleEs(p.role)}. Acéptelo o rechácelo antes del ${utc(p.respondBy)}.`], c),
  'offer.answered': offerAnsweredEs,
  'opinion.issued': (_p, c) => plainEs(`La opinión sobre ${c.reference} está firmada`, [`El especialista firmó la opinión sobre el caso ${c.reference}. Está lista para que usted la revise y la entregue.`], c),
  'opinion.delivered': (_p, c) => plainEs(`Su segunda opinión está lista (${c.reference})`,
    [`La opinión del especialista sobre la solicitud ${c.reference} está lista. Inicie sesión para leerla, descargar el PDF y hacer preguntas de seguimiento durante los próximos ${c.followupDays} días.`], c),
  'opinion.updated': (_p, c) => plainEs(`La opinión sobre ${c.reference} cambió`, [`El especialista agregó o corrigió algo en la opinión sobre ${c.reference}. Inicie sesión para leer la nueva versión.`], c),
  'invoice.issued': (_p, c) => plainEs(`Una factura de la solicitud ${c.reference}`, [`Ya está lista una factura de su solicitud de segunda opinión ${c.reference}. Inicie sesión para ver qué incluye, cuánto se debe y para cuándo, y para descargarla. Si le cuesta pagarla, allí mismo puede pedir ayuda.`], c),
  'invoice.refund': (_p, c) => plainEs(`Un pago que devolver en ${c.reference}`, [`Un pago en línea de una factura de ${c.reference} fue mayor que lo que se debía (la factura se cerró o se pagó mientras tanto). Inicie sesión para verlo y devuelva la diferencia con el proveedor de pagos.`], c),
  'invoice.helpDecided': (_p, c) => plainEs(`Una decisión sobre su pedido de ayuda con una factura (${c.reference})`, [`Su coordinador decidió sobre su pedido de ayuda con una factura de su solicitud de segunda opinión ${c.reference}. Inicie sesión para ver la decisión, el motivo y lo que todavía se debe, si queda algo.`], c),
  'invoice.help': (_p, c) => plainEs(`Piden ayuda con una factura de ${c.reference}`, [`El paciente de ${c.reference} pidió ayuda para pagar una factura. Inicie sesión para leer su pedido y decidir.`], c),
  'opinion.translated': (_p, c) => plainEs(`Resumen traducido de la opinión sobre ${c.reference}`, [`Ya puede leer la traducción del resumen de la opinión sobre ${c.reference}. Una persona la revisó. Inicie sesión para leerla.`], c),
  'followup.posted': (p, c) => plainEs(p.count && p.count > 1 ? `${p.count} mensajes de seguimiento nuevos sobre ${c.reference}` : `Nuevo mensaje de seguimiento sobre ${c.reference}`,
    [`Hay un nuevo mensaje de seguimiento sobre ${c.reference}. Inicie sesión para leerlo y responder.`], c, `Nuevo mensaje de seguimiento sobre ${c.reference}`),
  'sla.atRisk': (p, c) => plainEs(`Opinión por vencer: ${c.reference}`, [`La opinión sobre ${c.reference} vence el ${utc(p.dueAt)}.`], c, `Opinión por vencer: ${c.reference} (el ${utc(p.dueAt)})`),
  'sla.breached': (p, c) => plainEs(`Opinión vencida: ${c.reference}`, [`La opinión sobre ${c.reference} vencía el ${utc(p.dueAt)}.`], c, `Opinión vencida: ${c.reference} (vencía el ${utc(p.dueAt)})`),
  'records.added': (p, c) => plainEs(p.count && p.count > 1 ? `${p.count} documentos nuevos en ${c.reference}` : `Un documento nuevo en ${c.reference}`,
    [`Se agregaron documentos nuevos a ${c.reference}.`], c),
  'proxy.accepted': (_p, c) => plainEs(`Su cuidador se unió a ${c.reference}`, [`La persona que usted invitó ya puede ayudar con la solicitud ${c.reference}.`], c),
  'message.posted': (p, c) => plainEs(p.count && p.count > 1 ? `${p.count} mensajes nuevos sobre ${c.reference}` : `Nuevo mensaje sobre ${c.reference}`,
    [`Hay un nuevo mensaje sobre la solicitud ${c.reference}. Inicie sesión para leerlo y responder.`], c, `Nuevo mensaje sobre ${c.reference}`),
  'board.requested': (_p, c) => plainEs(`Se pidió un comité de tumores para ${c.reference}`, [`${c.actorName ?? 'Alguien del caso'} pidió que un comité de tumores hable de ${c.reference}. Inicie sesión para confirmarlo o decir por qué no hace falta.`], c),
  'board.discussed': (_p, c) => plainEs(`El comité de tumores habló de ${c.reference}`, [
    `Un equipo de especialistas habló juntos de la solicitud ${c.reference} y acordó una recomendación.`,
    'Inicie sesión para leerla. Su especialista la usa en la opinión por escrito.',
  ], c),
  'glass.requested': (_p, c) => plainEs(`Se pidieron las laminillas de ${c.reference}`,
    [`${c.actorName ?? 'El revisor'} pidió las laminillas de vidrio del caso ${c.reference}. Inicie sesión para que el laboratorio las envíe; el pedido y su etiqueta están en la pestaña de documentos.`], c),
  'material.received': (_p, c) => plainEs(`Llegaron laminillas o muestras de ${c.reference}`,
    [`Llegaron laminillas o muestras del caso ${c.reference}. Inicie sesión para ver qué llegó y cuándo le llega a usted.`], c),
};

export const TEMPLATES: Record<Locale, Record<NoticeKind, Template>> = { en, es };

export function renderNotice(kind: NoticeKind, locale: string | null, p: NoticeParams, c: NoticeContext): NoticeText {
  return TEMPLATES[asLocale(locale)][kind](p, c);
}
