import type { CaseCommand } from '../cases/lifecycle.ts';

/**
 * The audit trail in Spanish, for the patient's "who opened it" page: the same keys as the
 * English tables of `words.ts` (a test compares them).
 */
export const EXACT_ES: Record<string, string> = {
  'case.read': 'Abrió la solicitud', 'case.list': 'Vio la solicitud en una lista', 'case.create': 'Empezó la solicitud',
  'case.timeline.read': 'Vio la línea de tiempo', 'case.accessLog.read': 'Vio quién abrió la solicitud', 'case.assessment.read': 'Vio la evaluación', 'case.estimate.read': 'Vio el costo estimado', 'fees.change': 'Cambió las tarifas', 'coverage.check.list': 'Vio lo que dijo la aseguradora', 'coverage.check.add': 'Registró lo que dijo la aseguradora', 'coverage.card.list': 'Vio la tarjeta del seguro', 'coverage.card.read': 'Abrió una foto de la tarjeta del seguro', 'coverage.card.upload': 'Agregó una foto de la tarjeta del seguro', 'coverage.card.remove': 'Quitó una foto de la tarjeta del seguro', 'coverage.card.apply': 'Puso los números de la tarjeta del seguro en la solicitud',
  'invoice.list': 'Vio las facturas', 'invoice.draft': 'Preparó un borrador de factura', 'invoice.update': 'Cambió un borrador de factura', 'invoice.discard': 'Descartó un borrador de factura', 'invoice.issue': 'Emitió una factura', 'invoice.payment': 'Registró un pago', 'invoice.void': 'Anuló una factura', 'invoice.writeOff': 'Condonó lo que se debía de una factura', 'invoice.hardship': 'Pidió ayuda para pagar una factura', 'invoice.pdf': 'Descargó una factura', 'invoice.superbill': 'Descargó un estado de cuenta para el plan de salud', 'invoice.assistance': 'Decidió un pedido de ayuda con una factura', 'invoice.checkout': 'Fue a pagar una factura en línea', 'invoice.payment.online': 'Se confirmó un pago en línea',
  'case.matches.read': 'Vio qué especialistas son adecuados para el caso', 'case.intake.write': 'Llenó la solicitud', 'case.consent.sign': 'Firmó un formulario de consentimiento',
  'case.lead.set': 'Eligió a la persona que dirige la revisión', 'case.urgency.set': 'Cambió la urgencia',
  'case.proxy.invite': 'Invitó a un cuidador o cuidadora', 'case.proxy.accept': 'Se unió como cuidador o cuidadora', 'case.proxy.revoke': 'Quitó a un cuidador o cuidadora',
  'case.proxy.invitation.withdraw': 'Retiró una invitación para un cuidador o cuidadora', 'case.proxy.invitations.read': 'Vio las invitaciones para cuidadores',
  'checklist.read': 'Vio la lista de documentos médicos', 'checklist.waive': 'Marcó que un documento de la lista no se necesita', 'checklist.unwaive': 'Volvió a pedir un documento de la lista',
  'clinical.read': 'Vio el historial médico', 'document.create': 'Agregó un documento', 'document.duplicate': 'Intentó agregar un documento que ya estaba guardado',
  'document.list': 'Vio los documentos', 'document.read': 'Abrió un documento', 'document.classify': 'Clasificó un documento', 'document.text.read': 'Leyó un documento', 'document.download': 'Descargó un documento',
  'imaging.store': 'Agregó imágenes', 'imaging.list': 'Vio la lista de imágenes', 'imaging.search': 'Buscó imágenes', 'imaging.retrieve': 'Miró imágenes', 'imaging.export': 'Exportó imágenes sin nombres',
  'pathology.slides.list': 'Vio la lista de laminillas digitales', 'pathology.slide.open': 'Abrió una laminilla digital', 'pathology.slide.picture': 'Vio la foto de la etiqueta o de vista general de una laminilla', 'pathology.slide.describe': 'Anotó el bloque y la tinción de una laminilla',
  'trials.candidates.read': 'Vio los ensayos clínicos para la solicitud', 'trials.sync.run': 'Pidió actualizar la lista de ensayos clínicos',
  'pathology.annotations.read': 'Vio las medidas de las laminillas', 'pathology.annotation.create': 'Hizo una medida en una laminilla', 'pathology.annotation.delete': 'Quitó una medida de una laminilla', 'pathology.annotations.export': 'Exportó las medidas de las laminillas',
  'imaging.measurement.create': 'Hizo una medida en una imagen', 'imaging.measurement.delete': 'Quitó una medida', 'imaging.measurements.read': 'Vio las medidas de las imágenes',
  'offer.create': 'Ofreció el caso a un especialista', 'offer.accept': 'Aceptó el caso', 'offer.decline': 'Rechazó el caso', 'offer.list': 'Vio las ofertas a especialistas',
  'opinion.workspace.read': 'Abrió la opinión', 'opinion.draft.save': 'Trabajó en la opinión', 'opinion.note.create': 'Escribió una nota privada de revisión',
  'opinion.sign': 'Firmó su parte de la opinión', 'opinion.report.download': 'Descargó la opinión', 'opinion.translation.download': 'Descargó el resumen traducido', 'opinion.followup.read': 'Leyó los mensajes de seguimiento',
  'opinion.followup.create': 'Escribió un mensaje de seguimiento', 'opinion.survey.create': 'Respondió la encuesta',
  'opinion.issue.original': 'Emitió la opinión', 'case.opinion.translate': 'Adjuntó una traducción del resumen de la opinión', 'opinion.issue.addendum': 'Agregó información a la opinión', 'opinion.issue.amendment': 'Corrigió la opinión',
  'roi.create': 'Pidió documentos a un hospital', 'roi.letter': 'Imprimió una carta para pedir documentos', 'roi.list': 'Vio los pedidos de documentos', 'roi.status': 'Actualizó un pedido de documentos',
  'specimen.create': 'Pidió laminillas o muestras', 'specimen.label': 'Imprimió una etiqueta para laminillas o muestras', 'specimen.list': 'Vio las laminillas y las muestras', 'specimen.step': 'Actualizó el estado de laminillas o muestras',
  'board.case.read': 'Vio la propuesta para el comité de tumores', 'board.request': 'Pidió que un comité de tumores hable del caso', 'board.confirm': 'Confirmó el caso para un comité de tumores',
  'board.decline': 'Decidió que no hacía falta un comité de tumores', 'board.proposals.list': 'Vio el caso entre los que esperan un comité de tumores', 'board.session.read': 'Vio el caso en la agenda de un comité de tumores',
  'board.agenda.add': 'Puso el caso en la agenda de un comité de tumores', 'board.agenda.remove': 'Quitó el caso de la agenda de un comité de tumores', 'board.agenda.order': 'Ordenó la agenda de un comité de tumores',
  'board.agenda.read': 'Vio la agenda de un comité de tumores', 'board.agenda.time': 'Fijó la hora del caso en un comité de tumores', 'board.present': 'Presentó el caso en un comité de tumores',
  'board.presentation.read': 'Leyó la presentación del caso para el comité de tumores', 'board.minutes.read': 'Vio el acta del comité de tumores', 'board.minutes.save': 'Escribió el acta del comité de tumores',
  'board.minutes.confirm': 'Confirmó el acta del comité de tumores',
  'message.threads.read': 'Vio los mensajes', 'message.read': 'Leyó una conversación', 'message.create': 'Escribió un mensaje',
  'visit.list': 'Vio las videoconsultas', 'visit.read': 'Abrió una videoconsulta', 'visit.slots.read': 'Buscó una hora para una videoconsulta', 'visit.book': 'Programó una videoconsulta', 'visit.cancel': 'Canceló una videoconsulta', 'visit.move': 'Cambió la hora de una videoconsulta', 'visit.interpreters.list': 'Buscó un intérprete para una videoconsulta', 'visit.interpreter.set': 'Reservó un intérprete para una videoconsulta', 'visit.room.enter': 'Entró a una videoconsulta',
  'visit.room.leave': 'Salió de una videoconsulta', 'visit.room.admit': 'Dejó entrar a alguien a una videoconsulta', 'visit.end': 'Terminó una videoconsulta',
  'expert.inbox.read': 'Vio el caso en su bandeja de entrada', 'notification.send': 'Envió un aviso', 'notification.list': 'Vio un aviso', 'notification.read': 'Leyó un aviso',
};

/** What people do outside any one case. */
export const ACCOUNT_ES: Record<string, string> = {
  'user.register': 'Creó su cuenta', 'user.verify_email': 'Confirmó su correo electrónico', 'user.login': 'Inició sesión', 'user.logout': 'Cerró sesión', 'user.locale': 'Eligió el idioma de sus páginas',
  'user.create': 'Creó una cuenta para el personal', 'user.list': 'Vio las cuentas', 'user.set_password': 'Eligió una contraseña con un enlace enviado por correo',
  'user.password_change': 'Cambió su contraseña', 'user.password_reset': 'Restableció una contraseña', 'user.password_reset_request': 'Pidió restablecer una contraseña',
  'user.mfa_setup': 'Empezó a configurar una aplicación de códigos', 'user.mfa_enable': 'Activó el inicio de sesión en dos pasos', 'user.mfa_verify': 'Escribió un código de la aplicación de códigos',
  'user.mfa_disable': 'Desactivó el inicio de sesión en dos pasos', 'user.mfa_reset': 'Reinició el inicio de sesión en dos pasos de otra persona', 'user.sessions.read': 'Vio los dispositivos donde tiene la sesión iniciada',
  'user.sessions.end': 'Cerró la sesión en sus otros dispositivos', 'audit.read': 'Vio el registro de auditoría', 'audit.verify': 'Comprobó la cadena del registro de auditoría',
  'mail.read': 'Vio la bandeja de salida del correo', 'outcomes.read': 'Vio las cifras de resultados', 'billing.report.read': 'Vio el informe de facturación', 'expert.directory.export': 'Exportó el directorio de especialistas',
  'expert.profile.save': 'Actualizó un perfil de especialista', 'expert.visitHours.save': 'Fijó sus horarios para videoconsultas',
  'board.session.create': 'Programó una reunión de un comité de tumores', 'board.session.cancel': 'Canceló una reunión de un comité de tumores', 'board.session.change': 'Cambió la fecha u hora de una reunión de un comité de tumores', 'board.session.join': 'Entró a una reunión de un comité de tumores',
  'board.member.invite': 'Invitó a un miembro a una reunión de un comité de tumores', 'board.member.remove': 'Quitó a un miembro de una reunión de un comité de tumores',
  'board.attendance': 'Registró quién asistió a una reunión de un comité de tumores', 'board.presenter': 'Pasó a otra persona la presentación del comité de tumores',
};

/** A lifecycle command said as done. */
export const COMMANDS_DONE_ES: Record<CaseCommand, string> = {
  submit: 'Envió la solicitud', discard: 'Eliminó el borrador', startRecordCollection: 'Empezó a reunir los documentos', markReadyForReview: 'Marcó la solicitud como lista para revisión',
  acceptAssignment: 'Tomó el caso', assignExpert: 'Asignó un especialista', startReview: 'Empezó la revisión', referToBoard: 'Envió el caso al comité de tumores',
  returnFromBoard: 'Regresó el caso del comité de tumores', signOpinion: 'Firmó la opinión', deliver: 'Entregó la opinión', close: 'Cerró el caso',
  closeAfterFollowup: 'Cerró el caso al terminar el periodo de seguimiento', hold: 'Puso la solicitud en pausa', resume: 'Quitó la pausa de la solicitud', cancel: 'Canceló la solicitud',
};

/** What a connected system read, with its article ("Leyó la solicitud…"). */
export const FHIR_ES: Record<string, string> = {
  Patient: 'los datos personales', ServiceRequest: 'la solicitud', Consent: 'los formularios de consentimiento', Coverage: 'los datos del seguro médico', Invoice: 'las facturas', Claim: 'los estados de cuenta para el plan de salud', DiagnosticReport: 'la opinión', Appointment: 'las videoconsultas', AuditEvent: 'el historial de acceso', Observation: 'los resultados',
};
export const FHIR_FALLBACK_ES = 'documentos';
export const fhirReadEs = (what: string) => `Leyó ${what} a través de un sistema conectado`;
export const LOOKED_ES = 'Vio la solicitud';
export const WORKED_ES = 'Trabajó en la solicitud';
