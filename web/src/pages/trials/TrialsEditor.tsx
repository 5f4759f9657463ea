import { Anchor, Badge, Button, Card, Collapse, Group, List, Loader, Stack, Text, Textarea, TextInput, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { formatDate, get, type DeepPartial, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';

type Cited = DeepPartial<NonNullable<Schema<'OpinionDraft'>['trials']>[number]>;
type CaseTrials = Schema<'CaseTrials'>;
type Candidate = Schema<'TrialCandidate'>;

const PHASES: Record<string, string> = { EARLY_PHASE1: 'Early phase 1', PHASE1: 'Phase 1', PHASE2: 'Phase 2', PHASE3: 'Phase 3', PHASE4: 'Phase 4', NA: 'No phase' };
const phaseWords = (phases: readonly (string | undefined)[] | undefined) => (phases ?? []).map((p) => (p ? PHASES[p] ?? p : '')).filter(Boolean).join('/');
const registryLink = (id: string) => `https://clinicaltrials.gov/study/${encodeURIComponent(id)}`;

/**
 * The opinion's trials: recruiting studies suggested for this case from the copy of the trial
 * registry, each with why and the eligibility lines to check, added to the opinion in one click;
 * a study can also be named by its identifier. The reviewer says why in plain words for the
 * patient. The report takes each study's title, phase, sites and contact from the registry.
 */
export function TrialsEditor({ caseId, open, value, saved, onChange }: { caseId: string; open: boolean; value: Cited[] | null | undefined; saved: Cited[] | undefined; onChange: (v: Cited[] | undefined) => void }) {
  // Looked for once the section is opened (the look-up is audited as a read of the case), then kept a while.
  const trials = useQuery({ queryKey: caseKeys.part(caseId, 'trials'), queryFn: () => get<CaseTrials>(`/cases/${caseId}/trials`), enabled: open, staleTime: 5 * 60_000 });
  const [byHand, setByHand] = useState('');
  const cited = (value ?? []).filter((t): t is Cited => Boolean(t));
  const has = (id: string) => cited.some((t) => t.identifier?.toUpperCase() === id.toUpperCase());
  const change = (next: Cited[]) => onChange(next.length ? next : undefined);
  // "Why" is for the patient: the reviewer writes it in plain words, with the suggestion's reasons beside it.
  const add = (c: Candidate) => change([...cited, { identifier: c.nctId, why: '' }]);
  const reasonsOf = (id: string | null | undefined) => trials.data?.candidates.find((c) => c.nctId === id)?.reasons;
  const titleOf = (id: string | null | undefined) => trials.data?.candidates.find((c) => c.nctId === id)?.title ?? saved?.find((s) => s?.identifier === id)?.title;
  // Saved and not found in the registry copy: a mistyped number, or a study the copy does not hold.
  const unknown = (id: string | null | undefined) => { const s = saved?.find((x) => x?.identifier === id); return !!s && !s.registryStatus; };
  const addByHand = () => {
    const id = byHand.trim().toUpperCase();
    if (!/^[A-Z0-9-]{4,30}$/.test(id) || has(id)) return;
    change([...cited, { identifier: id, why: '' }]);
    setByHand('');
  };
  return (
    <Stack gap="sm" data-testid="trials-editor">
      {cited.length > 0 && (
        <Stack gap="xs">
          <Text fw={600} size="sm">In your opinion</Text>
          {cited.map((t, i) => (
            <Card key={`${t.identifier}-${i}`} withBorder padding="xs" data-testid="cited-trial">
              <Group justify="space-between" wrap="wrap" align="start" gap="xs">
                <Text size="sm" style={{ flex: '1 1 14rem', minWidth: 0 }}><TrialLink id={t.identifier ?? ''} />{titleOf(t.identifier) ? ` · ${titleOf(t.identifier)}` : ''}</Text>
                <Button size="compact-xs" variant="subtle" color="red" aria-label={`Remove ${t.identifier} from the opinion`} onClick={() => change(cited.filter((_, j) => j !== i))}>Remove</Button>
              </Group>
              {unknown(t.identifier) && <Text size="xs" c="orange.9">Not found in this server's copy of the registry: check the number. The report will say it was not found there.</Text>}
              <Textarea label={`Why the patient should ask about ${t.identifier} (in plain words)`} description={reasonsOf(t.identifier) ? `Suggested because: ${reasonsOf(t.identifier)!.join(' ')}` : undefined} autosize minRows={2} value={t.why ?? ''}
                onChange={(e) => change(cited.map((x, j) => (j === i ? { ...x, why: e.currentTarget.value } : x)))} />
            </Card>
          ))}
        </Stack>
      )}
      <Group align="end" gap="xs">
        <TextInput label="Add a study by its registry number" placeholder="NCT01234567" value={byHand} onChange={(e) => setByHand(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); addByHand(); } }}
          description={has(byHand.trim()) ? 'This study is in the opinion already.' : undefined} style={{ flex: 1, minWidth: 180 }} />
        <Button variant="default" disabled={!/^[A-Za-z0-9-]{4,30}$/.test(byHand.trim()) || has(byHand.trim())} onClick={addByHand}>Add</Button>
      </Group>
      <Text fw={600} size="sm">Suggested for this case</Text>
      {trials.isLoading && <Loader size="sm" role="status" aria-label="Looking for trials" />}
      {trials.error && <ErrorNote error={trials.error} />}
      {trials.data && <Suggestions data={trials.data} has={has} add={add} />}
    </Stack>
  );
}

function Suggestions({ data, has, add }: { data: CaseTrials; has: (id: string) => boolean; add: (c: Candidate) => void }) {
  const [setAsideOpen, setSetAsideOpen] = useState(false);
  const fresh = data.syncedAt ? `From this server's copy of ClinicalTrials.gov made ${formatDate(data.syncedAt)}.` : 'No copy of ClinicalTrials.gov has been made on this server yet; an administrator can refresh it.';
  const failed = data.lastRefreshFailedAt ? ` The latest refresh failed (${formatDate(data.lastRefreshFailedAt)}); an administrator can see why.` : '';
  return (
    <Stack gap="xs">
      {data.placeNote && <Text size="xs" c="orange.9">{data.placeNote}</Text>}
      <Text size="xs" c="dimmed">{fresh}{failed} Suggestions say why a study may fit and which of its conditions to check; only the study team decides who can join.</Text>
      {data.conditionTerms.length === 0 && <Text size="sm">Trials are suggested for the cancers the service covers; this request's condition is not one of them.</Text>}
      {data.conditionTerms.length > 0 && data.candidates.length === 0 && <Text size="sm">No recruiting study of {data.conditionTerms.join(', ').toLowerCase()} is in the copy.</Text>}
      {data.candidates.map((c) => <CandidateCard key={c.nctId} c={c} added={has(c.nctId)} add={() => add(c)} />)}
      {data.setAside.length > 0 && (
        <>
          <Anchor component="button" type="button" size="sm" aria-expanded={setAsideOpen} onClick={() => setSetAsideOpen((o) => !o)}>{setAsideOpen ? 'Hide' : 'Show'} {data.setAside.length} {data.setAside.length === 1 ? 'study' : 'studies'} set aside by age or sex</Anchor>
          <Collapse in={setAsideOpen}><List size="sm">{data.setAside.map((s) => <List.Item key={s.nctId}>{s.nctId} · {s.title}: {s.why}</List.Item>)}</List></Collapse>
        </>
      )}
    </Stack>
  );
}

/** The study's page on ClinicalTrials.gov (NCT numbers only), in a new tab, said so. */
function TrialLink({ id }: { id: string }) {
  if (!/^NCT[0-9]{8}$/.test(id)) return <>{id}</>;
  return <Anchor href={registryLink(id)} target="_blank" rel="noopener noreferrer" size="inherit">{id}<VisuallyHidden> (opens ClinicalTrials.gov in a new tab)</VisuallyHidden></Anchor>;
}

function CandidateCard({ c, added, add }: { c: Candidate; added: boolean; add: () => void }) {
  const [open, setOpen] = useState(false);
  return (
    <Card withBorder padding="sm" data-testid="trial-candidate">
      <Group justify="space-between" align="start" wrap="wrap" gap="xs">
        <Stack gap={2} style={{ flex: '1 1 16rem', minWidth: 0 }}>
          <Text fw={600} size="sm">{c.title}</Text>
          {c.mayNotFit && <Badge color="orange" variant="light" style={{ alignSelf: 'flex-start' }}>May not fit: see why below</Badge>}
          <Text size="xs" c="dimmed"><TrialLink id={c.nctId} />{c.phases.length ? ` · ${phaseWords(c.phases)}` : ''}{c.interventions.length ? ` · ${c.interventions.slice(0, 3).join(', ')}` : ''}</Text>
        </Stack>
        {added ? <Badge color="green" variant="light">Added</Badge> : <Button size="xs" style={{ flexShrink: 0 }} onClick={add} aria-label={`Add to opinion: ${c.nctId}`}>Add to opinion</Button>}
      </Group>
      <List size="sm" mt={4}>{c.reasons.map((r) => <List.Item key={r}>{r}</List.Item>)}</List>
      {c.sites.length > 0 && <Text size="xs" mt={4}>Sites: {c.sites.slice(0, 3).map((s) => [s.facility, s.city, s.state].filter(Boolean).join(', ')).join('; ')}</Text>}
      {c.checks.length > 0 && (
        <>
          <Anchor component="button" type="button" size="sm" mt={4} aria-expanded={open} onClick={() => setOpen((o) => !o)}>{open ? 'Hide' : 'Check'} {c.checks.length} eligibility {c.checks.length === 1 ? 'line' : 'lines'} against the case</Anchor>
          <Collapse in={open}>
            <Stack gap={4} mt={4}>
              {c.checks.map((k) => (
                <div key={`${k.kind}-${k.line}`}>
                  <Text size="sm"><Badge size="xs" color={k.kind === 'exclusion' ? 'red' : 'blue'} variant="light" me={4}>{k.kind === 'exclusion' ? 'Excludes' : 'Requires'}</Badge>{k.line}</Text>
                  {k.notes.map((n) => <Text key={n} size="xs" c="dimmed" ms="md">{n}</Text>)}
                </div>
              ))}
            </Stack>
          </Collapse>
        </>
      )}
    </Card>
  );
}
