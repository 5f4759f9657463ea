import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, requestMeta } from '../core/http.ts';
import type { TrialsService } from './service.ts';

const Site = z.object({
  facility: z.string().nullable(), city: z.string().nullable(), state: z.string().nullable(), zip: z.string().nullable(), country: z.string().nullable(),
  status: z.string().nullable(), lat: z.number().nullable(), lon: z.number().nullable(),
}).meta({ id: 'TrialSite' });
const Contact = z.object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() }).meta({ id: 'TrialContact' });
const Candidate = z.object({
  nctId: z.string(), title: z.string(), phases: z.array(z.string()), conditions: z.array(z.string()), interventions: z.array(z.string()),
  reasons: z.array(z.string()).describe('Why the study was suggested for this case'),
  checks: z.array(z.object({ kind: z.enum(['inclusion', 'exclusion']), line: z.string(), notes: z.array(z.string()) })).describe('Eligibility lines that touch what the case holds, with what to check'),
  sites: z.array(Site), contact: Contact.nullable(), lastUpdate: z.string().nullable(), score: z.number(), mayNotFit: z.boolean().describe('A report on file states a result the study does not ask for; its reasons say which'),
}).meta({ id: 'TrialCandidate' });
const CaseTrials = z.object({
  conditionTerms: z.array(z.string()).describe('The registry condition names searched'),
  conditionNames: z.array(z.string()).describe("The same conditions in the reader's language"),
  candidates: z.array(Candidate),
  setAside: z.array(z.object({ nctId: z.string(), title: z.string(), why: z.string() })).describe('Studies of the condition the case is outside of (age, sex)'),
  placeNote: z.string().nullable().describe("Why distances are not shown though the patient gave a ZIP or postal code"),
  syncedAt: z.string().nullable().describe('When the local copy of the registry was last refreshed'),
  lastRefreshFailedAt: z.string().nullable().describe('When the latest refresh failed, if it did (the copy was kept)'),
}).meta({ id: 'CaseTrials' });
const TrialSearch = z.object({ q: z.string().trim().min(2).max(200).describe('Words to look for in titles, conditions, keywords and interventions (web-search syntax), or an NCT number') });
const SyncState = z.object({
  refreshRequested: z.boolean().describe('An administrator asked for a refresh that has not run yet'),
  lastRun: z.object({ startedAt: z.string(), finishedAt: z.string().nullable(), outcome: z.enum(['running', 'done', 'failed']), studies: z.number(), skipped: z.number(), error: z.string().nullable() }).nullable(),
  studiesOnFile: z.number(), syncEveryHours: z.number(),
}).meta({ id: 'TrialSyncState' });

/** Clinical trials suggested for a case, and the administrator's view of the registry copy. */
export function trialsRoutes(trials: TrialsService) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ['trials'];
    app.get('/cases/:id/trials', { config: { access: { case: 'case.trials.read' } }, schema: { tags, summary: 'Recruiting trials for this case from the local copy of ClinicalTrials.gov: why each was suggested and which eligibility lines to check (never a claim of eligibility)', params: z.object({ id: z.uuid() }), response: { 200: CaseTrials, ...errorResponses } } },
      async (req) => trials.forCase(req.actor, requestMeta(req), req.params.id));
    app.get('/cases/:id/trials/search', { config: { access: { case: 'case.trials.read' } }, schema: { tags, summary: 'Recruiting trials of the whole local copy that hold these words (or this NCT number), best match first, each read against this case like a suggestion', params: z.object({ id: z.uuid() }), querystring: TrialSearch, response: { 200: CaseTrials, ...errorResponses } } },
      async (req) => trials.search(req.actor, requestMeta(req), req.params.id, req.query.q));
    app.get('/admin/trials/sync', { config: { access: { permission: 'trials.manage' } }, schema: { tags, summary: 'How fresh the local copy of the trial registry is', response: { 200: SyncState, ...errorResponses } } },
      async () => trials.state());
    app.post('/admin/trials/sync', { config: { access: { permission: 'trials.manage' } }, schema: { tags, summary: 'Refresh the local copy of the trial registry now (in the background; follow it with GET)', response: { 202: SyncState, ...errorResponses } } },
      async (req, reply) => reply.code(202).send(await trials.requestSync(req.actor, requestMeta(req))));
  };
}
