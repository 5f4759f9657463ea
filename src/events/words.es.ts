import type { IntakeSectionName } from '../cases/intake.ts';
import type { SpecimenStatus } from '../records/specimens.ts';
import type { Words } from './words.ts';

/**
 * The case timeline in Spanish: the same events as `EVENT_WORDS` (the type makes a missing one a
 * compile error). Changes of state are said by the lifecycle's words (see `describeEvent`).
 */
const SPECIMEN_STATUS_LABELS_ES: Record<SpecimenStatus, string> = {
  requested: 'Solicitado', shipped: 'Enviado a nosotros', received: 'Recibido', with_reviewer: 'Con el especialista', returned: 'Devuelto', not_needed: 'No se necesita',
};

const INTAKE_STEPS_ES: Record<IntakeSectionName, string> = {
  patient: 'datos personales', condition: 'diagnóstico', situations: 'situación', treatment: 'tratamiento hasta ahora', plan: 'plan propuesto',
  questions: 'preguntas', priorities: 'prioridades',
};

const URGENCY_ES: Record<string, string> = { standard: 'normal', expedited: 'urgente' };

export const EVENT_WORDS_ES: Omit<Words, `case.${string}`> & Pick<Words, 'case.create' | 'case.lead' | 'case.urgency'> = {
  'case.create': () => 'Empezó la solicitud',
  'case.lead': () => 'Eligió a la persona que dirige la revisión',
  'case.urgency': (d) => `Cambió la urgencia a ${URGENCY_ES[d.to as string] ?? d.to}`,
  'intake.save': (d, n) => (n === 1 ? `Completó el paso de ${INTAKE_STEPS_ES[d.section as IntakeSectionName] ?? 'la solicitud'}` : `Completó ${n} pasos de la solicitud`),
  'consent.sign': () => 'Firmó un formulario de consentimiento',
  'proxy.invite': () => 'Invitó a un cuidador o cuidadora',
  'proxy.revoke': () => 'Quitó a un cuidador o cuidadora',
  'proxy.invitation.withdraw': () => 'Retiró una invitación para un cuidador o cuidadora',
  'proxy.accept': () => 'Se unió un cuidador o cuidadora',
  'document.add': (d, n) => (n === 1 ? `Agregó un documento: ${d.filename}` : `Agregó ${n} documentos`),
  'document.classify': (_d, n) => (n === 1 ? 'Clasificó un documento' : `Clasificó ${n} documentos`),
  'checklist.waive': (_d, n) => (n === 1 ? 'Marcó que un documento de la lista no se necesita' : `Marcó que ${n} documentos de la lista no se necesitan`),
  'checklist.unwaive': () => 'Volvió a pedir un documento de la lista',
  'specimen.request': () => 'Pidió muestras de tejido o laminillas',
  'specimen.step': (d) => `Laminillas o muestras: ${d.label} (${SPECIMEN_STATUS_LABELS_ES[d.to as SpecimenStatus]?.toLowerCase() ?? 'actualizado'})`,
  'roi.create': () => 'Pidió documentos a un hospital',
  'roi.status': () => 'Avanzó un pedido de documentos',
  'pathology.slide.failed': (_d, n) => (n === 1 ? 'No se pudo leer una laminilla digital' : `No se pudieron leer ${n} laminillas digitales`),
  'pathology.slide.ready': (_d, n) => (n === 1 ? 'Una laminilla digital está lista para ver' : `${n} laminillas digitales están listas para ver`),
  'imaging.study': (d, n) => (n === 1 ? `Agregó imágenes${d.description ? `: ${d.description}` : ''}` : `Agregó ${n} estudios de imagen`),
  'offer.create': (_d, n) => (n === 1 ? 'Ofreció el caso a un especialista' : `${n} ofertas enviadas a especialistas`),
  'offer.accept': () => 'Un especialista aceptó el caso',
  'offer.decline': () => 'Un especialista rechazó el caso',
  'offer.expire': () => 'Una oferta a un especialista venció sin respuesta',
  'opinion.original': () => 'Se emitió la opinión',
  'opinion.addendum': () => 'Se agregó información a la opinión',
  'opinion.amendment': () => 'Se corrigió la opinión',
  'opinion.part.sign': () => 'Un especialista firmó su parte de la opinión',
  'opinion.translate': () => 'Se agregó una traducción revisada del resumen',
  'invoice.issue': (d) => `Se emitió la factura ${d.number}`,
  'invoice.hardship': (d) => `Se pidió ayuda para pagar la factura ${d.number}`,
  'invoice.assistance': (d) => d.outcome === 'granted' ? `Se concedió la ayuda con la factura ${d.number}: no se debe nada más` : d.outcome === 'partly_granted' ? `Se concedió en parte la ayuda con la factura ${d.number}: se debe menos` : `No se concedió la ayuda con la factura ${d.number}`,
  'invoice.payment': (d) => `Se recibió un pago de la factura ${d.number}`,
  'coverage.numbers': () => 'Se pusieron en la solicitud los números de la tarjeta del seguro',
  'invoice.overpaid': (d) => `Un pago en línea de la factura ${d.number} fue mayor que lo que se debía: hay que devolver la diferencia`,
  'invoice.close': (d) => (d.status === 'paid' ? `Se pagó la factura ${d.number}` : d.status === 'void' ? `Se anuló la factura ${d.number}` : `Se condonó lo que se debía de la factura ${d.number}`),
  'opinion.followup': (_d, n) => (n === 1 ? 'Un mensaje de seguimiento' : `${n} mensajes de seguimiento`),
  'board.request': () => 'Pidió que un comité de tumores hable del caso',
  'board.confirm': () => 'Se confirmó el caso para un comité de tumores',
  'board.decline': () => 'Se decidió que no hacía falta un comité de tumores',
  'board.schedule': () => 'Se puso el caso en la agenda de un comité de tumores',
  'board.discuss': () => 'El comité de tumores habló del caso',
  'message.post': (_d, n) => (n === 1 ? 'Un mensaje en el centro de mensajes' : `${n} mensajes en el centro de mensajes`),
  'visit.book': () => 'Programó una videoconsulta con el especialista',
  'visit.interpreter': (d) => (d.booked ? 'Se reservó un intérprete para la videoconsulta' : 'Se quitó al intérprete de la videoconsulta'),
  'visit.move': () => 'Se cambió la hora de una videoconsulta',
  'visit.cancel': () => 'Se canceló una videoconsulta',
  'visit.end': () => 'Se realizó una videoconsulta',
  'sla.atRisk': () => 'La opinión puede llegar tarde',
  'sla.breached': () => 'La opinión está retrasada',
};

export const OTHER_ACTIVITY_ES = 'Otra actividad';
