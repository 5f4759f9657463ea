import type { Locale } from '../core/locale.ts';
import { CASE_COMMANDS, STATUS_LABELS, type CaseCommand, type CaseStatus } from './lifecycle.ts';

/**
 * The names of the statuses and the words of the lifecycle's buttons in the reader's language
 * (the web catalogue names the statuses the same way). English is `STATUS_LABELS` and each
 * command's `label`.
 */
const STATUS_LABELS_ES: Record<CaseStatus, string> = {
  draft: 'Borrador', submitted: 'Enviada', collecting_records: 'Reuniendo documentos', ready_for_review: 'Lista para revisión',
  assigned: 'Asignada a un especialista', in_review: 'En revisión', board: 'En el comité de tumores', opinion_signed: 'Opinión firmada',
  delivered: 'Entregada', closed: 'Cerrada', cancelled: 'Cancelada', on_hold: 'En pausa',
};

const COMMAND_LABELS_ES: Record<CaseCommand, string> = {
  submit: 'Enviar la solicitud', discard: 'Eliminar este borrador', startRecordCollection: 'Empezar a reunir los documentos', markReadyForReview: 'Marcar como lista para revisión',
  acceptAssignment: 'Aceptar el caso', assignExpert: 'Asignar un especialista', startReview: 'Empezar la revisión', referToBoard: 'Enviar al comité de tumores',
  returnFromBoard: 'Regresar del comité a la revisión', signOpinion: 'Firmar la opinión', deliver: 'Entregar la opinión', close: 'Cerrar el caso',
  closeAfterFollowup: 'Cerrar al terminar el periodo de seguimiento', hold: 'Poner en pausa', resume: 'Quitar la pausa', cancel: 'Cancelar la solicitud',
};

export const statusLabelIn = (status: CaseStatus, locale: Locale): string => (locale === 'es' ? STATUS_LABELS_ES[status] : STATUS_LABELS[status]);
export const commandLabelIn = (command: CaseCommand, locale: Locale): string => (locale === 'es' ? COMMAND_LABELS_ES[command] : CASE_COMMANDS[command].label);
