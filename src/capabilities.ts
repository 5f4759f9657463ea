import type { FastifyPluginAsync } from 'fastify';
import { accountsRoutes } from './accounts/routes.ts';
import { accountsService } from './accounts/service.ts';
import { assessmentRoutes } from './assessment/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { casesRoutes } from './cases/routes.ts';
import { casesService, refreshSlaDueDates } from './cases/service.ts';
import { serviceLevelsFor } from './cases/sla.ts';
import { sendSlaReminder } from './cases/slaNotify.ts';
import { BlobStore, type MasterKey } from './core/blobs.ts';
import type { Deps } from './core/deps.ts';
import { objectBackendFor } from './core/storage.ts';
import type { SecretBox } from './core/secrets.ts';
import { boardHub } from './boards/live.ts';
import { boardsRoutes } from './boards/routes.ts';
import { boardsService } from './boards/service.ts';
import { expertsRoutes } from './experts/routes.ts';
import { messagesRoutes } from './messages/routes.ts';
import { messagesService } from './messages/service.ts';
import { roomHub, roomStore } from './visits/room.ts';
import { visitFhirRoutes, visitsRoutes } from './visits/routes.ts';
import { visitsService } from './visits/service.ts';
import { offersService } from './experts/offers.ts';
import { expertsService } from './experts/service.ts';
import { fhirRoutes } from './fhir/routes.ts';
import { localInstanceStore, upstreamInstanceStore } from './imaging/instanceStore.ts';
import { imagingApiRoutes } from './imaging/apiRoutes.ts';
import { imagingDicomwebRoutes } from './imaging/routes.ts';
import { imagingService } from './imaging/service.ts';
import type { JobHandlers } from './jobs.ts';
import { pathologyRoutes } from './pathology/routes.ts';
import { trialsRoutes } from './trials/routes.ts';
import { billingRoutes } from './billing/routes.ts';
import { invoiceRoutes } from './billing/invoiceRoutes.ts';
import { cardRoutes } from './billing/cardRoutes.ts';
import { coverageCards } from './billing/cards.ts';
import { invoiceService } from './billing/invoices.ts';
import { stripeProvider } from './billing/payments.ts';
import { billingService } from './billing/service.ts';
import { knowledgeRoutes } from './knowledge/routes.ts';
import { trialsService } from './trials/service.ts';
import { pathologyService } from './pathology/service.ts';
import { slideAnnotations } from './pathology/annotations.ts';
import { liveHub } from './notifications/live.ts';
import { notificationsRoutes } from './notifications/routes.ts';
import { notificationsService } from './notifications/service.ts';
import { opinionFhirRoutes } from './opinions/fhir.ts';
import { outcomesService } from './opinions/outcomes.ts';
import { opinionsRoutes } from './opinions/routes.ts';
import { opinionsService } from './opinions/service.ts';
import { materialService } from './records/material.ts';
import { materialRoutes } from './records/materialRoutes.ts';
import { recordsRoutes } from './records/routes.ts';
import { recordsService } from './records/service.ts';
import { ocrEngineFor } from './records/ocr.ts';
import { postgresUploadLocker } from './records/uploadLocks.ts';
import { uploadStoreFor } from './records/uploadStore.ts';
import { referenceRoutes } from './reference/routes.ts';
import { serviceInfoRoutes } from './reference/serviceInfo.ts';

/**
 * A capability of the service as one module: its routes (each plugin with where it mounts), the
 * background jobs it runs, and what it must do when the server stops. `app.ts` iterates them, so
 * a new capability (boards, visits, billing) is a new entry here, not an edit of the core.
 */
export interface Capability {
  name: string;
  routes: { plugin: FastifyPluginAsync; prefix: string }[];
  jobs?: Partial<JobHandlers>;
  /** What an operator should read in the log at start-up (which optional parts are on). */
  startupNote?: string;
  onClose?: () => Promise<void>;
}

const API = '/api';
const ROOT = '';

export type ServiceDeps = Deps & { secrets: SecretBox; masterKeys: MasterKey[] };

/**
 * The services behind the routes, built in the order they depend on one another. The routes and
 * the demo data use the same ones, so demo data obeys every guard the API does.
 */
export function services(deps: ServiceDeps) {
  const { config } = deps;
  const accounts = accountsService(deps, deps.secrets);
  const cases = casesService(deps);
  const blobs = new BlobStore(objectBackendFor(config), deps.masterKeys);
  // Text recognition is decided once: photos and scans are either read or wait for a person.
  // Each program run has a minute, a document six: a job ends well within its ten-minute lease.
  const ocr = ocrEngineFor(config.ocr.setting, config.ocr.languages, { maxPages: config.ocr.maxPages, timeoutMs: 60_000, budgetMs: 6 * 60_000 });
  const records = recordsService({ ...deps, blobs, maxUploadBytes: config.uploadMaxBytes, ocr: ocr.engine });
  const localStore = localInstanceStore(blobs);
  const instanceStore = config.dicomwebUpstreamUrl ? upstreamInstanceStore(config.dicomwebUpstreamUrl, localStore) : localStore;
  const pathology = pathologyService({ ...deps, blobs, instances: instanceStore });
  const imaging = imagingService({ ...deps, blobs, maxInstanceBytes: config.dicomMaxInstanceBytes, store: instanceStore, afterIndex: pathology.slidesFromSeries });
  const opinions = opinionsService({ ...deps, blobs, cases, secrets: deps.secrets, letterhead: config.reportLetterhead, followupDays: config.followupDays });
  const offers = offersService({ ...deps, cases, responseHours: config.offerResponseHours });
  const notifications = notificationsService({ ...deps, followupDays: config.followupDays });
  const material = materialService(deps);
  const experts = expertsService(deps, accounts);
  const boards = boardsService({ ...deps, cases });
  const visits = visitsService({ ...deps, cases });
  const messages = messagesService({ ...deps, cases });
  return { accounts, cases, blobs, ocr, records, imaging, pathology, opinions, offers, notifications, material, experts, boards, visits, messages };
}
export type Services = ReturnType<typeof services>;

/** Every capability, with the services its routes and jobs use. */
export async function capabilities(deps: ServiceDeps): Promise<Capability[]> {
  const { config, db } = deps;
  const publicUrl = () => config.publicUrl;
  const { accounts, cases, blobs, ocr, records, imaging, pathology, opinions, offers, notifications, material, experts, boards, visits, messages } = services(deps);
  await accounts.resealSecrets({ rotate: false });
  await refreshSlaDueDates(db, serviceLevelsFor(config));
  const uploads = await uploadStoreFor(config, blobs);
  // Several instances on one PostgreSQL may receive parts of the same upload: they lock it there.
  const uploadLocker = db.kind === 'postgres' ? postgresUploadLocker(db) : undefined;
  const trials = trialsService(deps);
  await trials.bookSync();
  const billing = billingService(deps);
  const paymentProvider = config.stripe ? stripeProvider(config.stripe) : null;
  const invoices = invoiceService(deps, billing, paymentProvider);
  const cards = coverageCards({ ...deps, blobs, ocr: ocr.engine });
  await billing.start();
  const live = await liveHub(db);
  const boardRoom = await boardHub(db);
  const visitRooms = await roomHub(db);

  return [
    { name: 'accounts', routes: [{ plugin: accountsRoutes({ accounts, config }), prefix: API }] },
    {
      name: 'cases',
      routes: [{ plugin: casesRoutes(cases), prefix: API }, { plugin: referenceRoutes, prefix: API }, { plugin: serviceInfoRoutes(config), prefix: API }],
      jobs: { 'sla.remind': (p) => sendSlaReminder(db, p) },
    },
    { name: 'assessment', routes: [{ plugin: assessmentRoutes({ ratePerMinute: config.assessmentRatePerMinute, now: deps.now }), prefix: API }] },
    {
      name: 'records',
      routes: [
        { plugin: recordsRoutes({ records, db, uploads, locker: uploadLocker, maxUploadBytes: config.uploadMaxBytes }), prefix: ROOT },
        { plugin: materialRoutes(material), prefix: ROOT },
      ],
      jobs: { 'document.extract': (p) => records.extract(p.documentId) },
      startupNote: ocr.engine ? `text recognition of photos and scanned pages: Tesseract (${ocr.languages.join(', ')})${ocr.memoryLimit ? '' : ', WITHOUT a memory limit per file (install util-linux for prlimit)'}` : `text recognition off (${ocr.why}): photos and scanned pages wait for a coordinator`,
      onClose: async () => uploadLocker?.close(),
    },
    {
      name: 'imaging',
      routes: [
        { plugin: imagingDicomwebRoutes(imaging, { maxInstanceBytes: config.dicomMaxInstanceBytes, maxRequestBytes: config.uploadMaxBytes, publicUrl }), prefix: '/dicomweb' },
        { plugin: imagingApiRoutes(imaging), prefix: API },
      ],
      jobs: { 'imaging.index': (p) => imaging.indexDocument(p.documentId) },
    },
    {
      name: 'pathology',
      routes: [{ plugin: pathologyRoutes(pathology, slideAnnotations(db)), prefix: API }],
      jobs: { 'pathology.slide': (p) => pathology.prepare('slideId' in p ? p.slideId : p.documentId) },
      onClose: () => pathology.close(),
    },
    { name: 'trials', routes: [{ plugin: trialsRoutes(trials), prefix: API }], jobs: { 'trials.sync': (p) => (p.requested ? trials.requestedSync() : trials.scheduledSync()) } },
    { name: 'knowledge', routes: [{ plugin: knowledgeRoutes(deps.now), prefix: API }] },
    {
      name: 'costs',
      routes: [{ plugin: billingRoutes(billing), prefix: API }, { plugin: invoiceRoutes(invoices, paymentProvider), prefix: API }, { plugin: cardRoutes(cards), prefix: API }],
      jobs: { 'billing.closePaymentPage': (p) => invoices.closePaymentPageAtProvider(p.sessionId), 'coverage.readCard': (p) => cards.read(p.caseId, p.side, p.sha256) },
    },
    {
      name: 'experts',
      routes: [{ plugin: expertsRoutes(experts, offers), prefix: ROOT }],
      jobs: { 'offer.expire': (p) => offers.expire(p.offerId), 'case.autoAssign': (p) => offers.autoAssign(p.caseId) },
    },
    {
      name: 'opinions',
      routes: [
        { plugin: opinionsRoutes(opinions, outcomesService(deps)), prefix: API },
        { plugin: opinionFhirRoutes(opinions, publicUrl), prefix: '/fhir/R4' },
      ],
      jobs: { 'opinion.closeAfterFollowup': (p) => opinions.closeAfterFollowup(p.caseId) },
    },
    {
      name: 'notifications',
      routes: [{ plugin: notificationsRoutes(notifications, live), prefix: API }],
      jobs: { 'event.dispatch': (p) => notifications.dispatch(p.eventId) },
      onClose: () => live.close(),
    },
    {
      name: 'boards',
      routes: [{ plugin: boardsRoutes(boards, boardRoom, config), prefix: API }],
      jobs: { 'board.agendaMail': (p) => boards.mailAgendaChange(p) },
      onClose: () => boardRoom.close(),
    },
    {
      name: 'visits',
      routes: [{ plugin: visitsRoutes(visits, roomStore(db), visitRooms, config), prefix: API }, { plugin: visitFhirRoutes(visits, publicUrl), prefix: '/fhir/R4' }],
      jobs: { 'visit.remind': (p) => visits.remind(p.visitId, p.startsAt) },
      onClose: () => visitRooms.close(),
    },
    { name: 'messages', routes: [{ plugin: messagesRoutes(messages), prefix: API }] },
    { name: 'audit', routes: [{ plugin: auditRoutes(db), prefix: API }] },
    { name: 'fhir', routes: [{ plugin: fhirRoutes(deps), prefix: '/fhir/R4' }] },
  ];
}
