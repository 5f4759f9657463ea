import { Anchor, Badge, Button, Card, Collapse, Group, List, Loader, Stack, Text, Textarea, TextInput, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, get, type DeepPartial, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import i18n from '../../i18n.ts';
import type trials from '../../messages/en/trials.json';
import { caseKeys } from '../../queryKeys.ts';

type Cited = DeepPartial<NonNullable<Schema<'OpinionDraft'>['trials']>[number]>;
type CaseTrials = Schema<'CaseTrials'>;
type Candidate = Schema<'TrialCandidate'>;

type Phase = keyof typeof trials.phase;
/** A registry phase code ("PHASE2") in words; a code the catalogue does not know shows as it is. */
const phaseWord = (p: string) => (i18n.exists(`trials:phase.${p}`) ? i18n.t(`trials:phase.${p as Phase}`) : p);
const phaseWords = (phases: readonly (string | undefined)[] | undefined) => (phases ?? []).filter((p): p is string => !!p).map(phaseWord).join('/');
const registryLink = (id: string) => `https://clinicaltrials.gov/study/${encodeURIComponent(id)}`;

/**
 * The opinion's trials: recruiting studies suggested for this case from the copy of the trial
 * registry, each with why and the eligibility lines to check, added to the opinion in one click;
 * a study can also be named by its identifier. The reviewer says why in plain words for the
 * patient. The report takes each study's title, phase, sites and contact from the registry.
 */
export function TrialsEditor({ caseId, open, value, saved, onChange }: { caseId: string; open: boolean; value: Cited[] | null | undefined; saved: Cited[] | undefined; onChange: (v: Cited[] | undefined) => void }) {
  const { t } = useTranslation();
  // Looked for once the section is opened (the look-up is audited as a read of the case), then kept a while.
  const suggestions = useQuery({ queryKey: caseKeys.part(caseId, 'trials'), queryFn: () => get<CaseTrials>(`/cases/${caseId}/trials`), enabled: open, staleTime: 5 * 60_000 });
  const [byHand, setByHand] = useState('');
  // Studies added from a search stay known (title, reasons) after the next search.
  const [picked, setPicked] = useState<Candidate[]>([]);
  const cited = (value ?? []).filter((x): x is Cited => Boolean(x));
  const has = (id: string) => cited.some((x) => x.identifier?.toUpperCase() === id.toUpperCase());
  const change = (next: Cited[]) => onChange(next.length ? next : undefined);
  // "Why" is for the patient: the reviewer writes it in plain words, with the suggestion's reasons beside it.
  const add = (c: Candidate) => {
    change([...cited, { identifier: c.nctId, why: '' }]);
    setPicked((p) => [...p, c]);
  };
  const known = (id: string | null | undefined) => [...(suggestions.data?.candidates ?? []), ...picked].find((c) => c.nctId === id);
  const reasonsOf = (id: string | null | undefined) => known(id)?.reasons;
  const titleOf = (id: string | null | undefined) => known(id)?.title ?? saved?.find((s) => s?.identifier === id)?.title;
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
          <Text fw={600} size="sm">{t('trials:editor.inOpinion')}</Text>
          {cited.map((c, i) => (
            <Card key={`${c.identifier}-${i}`} withBorder padding="xs" data-testid="cited-trial">
              <Group justify="space-between" wrap="wrap" align="start" gap="xs">
                <Text size="sm" style={{ flex: '1 1 14rem', minWidth: 0 }}><TrialLink id={c.identifier ?? ''} />{titleOf(c.identifier) ? ` · ${titleOf(c.identifier)}` : ''}</Text>
                <Button size="compact-xs" variant="subtle" color="red" aria-label={t('trials:editor.removeFrom', { id: c.identifier })} onClick={() => change(cited.filter((_, j) => j !== i))}>{t('trials:editor.remove')}</Button>
              </Group>
              {unknown(c.identifier) && <Text size="xs" c="orange.9">{t('trials:editor.notFound')}</Text>}
              <Textarea label={t('trials:editor.why', { id: c.identifier })} description={reasonsOf(c.identifier) ? t('trials:editor.suggestedBecause', { reasons: reasonsOf(c.identifier)!.join(' ') }) : undefined} autosize minRows={2} value={c.why ?? ''}
                onChange={(e) => change(cited.map((x, j) => (j === i ? { ...x, why: e.currentTarget.value } : x)))} />
            </Card>
          ))}
        </Stack>
      )}
      <Group align="end" gap="xs">
        <TextInput label={t('trials:editor.byNumber')} placeholder={t('trials:editor.numberExample')} value={byHand} onChange={(e) => setByHand(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); addByHand(); } }}
          description={has(byHand.trim()) ? t('trials:editor.already') : undefined} style={{ flex: 1, minWidth: 180 }} />
        <Button variant="default" disabled={!/^[A-Za-z0-9-]{4,30}$/.test(byHand.trim()) || has(byHand.trim())} onClick={addByHand}>{t('trials:editor.add')}</Button>
      </Group>
      <Text fw={600} size="sm">{t('trials:editor.suggested')}</Text>
      {suggestions.isLoading && <Loader size="sm" role="status" aria-label={t('trials:editor.looking')} />}
      {suggestions.error && <ErrorNote error={suggestions.error} />}
      {suggestions.data && <Suggestions data={suggestions.data} has={has} add={add} />}
      <TrialSearch caseId={caseId} has={has} add={add} />
    </Stack>
  );
}

/** A search of the whole registry copy (any condition), each study found read against the case as a suggestion is. */
function TrialSearch({ caseId, has, add }: { caseId: string; has: (id: string) => boolean; add: (c: Candidate) => void }) {
  const { t } = useTranslation();
  const [words, setWords] = useState('');
  const [asked, setAsked] = useState('');
  const found = useQuery({
    queryKey: [...caseKeys.part(caseId, 'trials'), 'search', asked],
    queryFn: () => get<CaseTrials>(`/cases/${caseId}/trials/search?q=${encodeURIComponent(asked)}`),
    enabled: asked.length >= 2, staleTime: 5 * 60_000,
  });
  const ask = () => setAsked(words.trim());
  const count = found.data ? found.data.candidates.length + found.data.setAside.length : 0;
  // Quotes the reviewer typed for a phrase are not doubled by the heading's own.
  const shown = asked.replace(/^"(.*)"$/, '$1');
  // The results come below the box, often below the fold on a laptop: brought into view.
  const results = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (found.data) results.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [found.data]);
  return (
    <Stack gap="xs">
      <Group align="end" gap="xs">
        <TextInput label={t('trials:editor.search')} description={t('trials:editor.searchHint')} value={words} onChange={(e) => setWords(e.currentTarget.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); ask(); } }} style={{ flex: 1, minWidth: 200 }} maxLength={200} />
        <Button variant="default" disabled={words.trim().length < 2} onClick={ask}>{t('trials:editor.searchButton')}</Button>
      </Group>
      {found.isFetching && <Loader size="sm" role="status" aria-label={t('trials:editor.searching')} />}
      {found.error && <ErrorNote error={found.error} />}
      {found.data && (
        <Stack gap="xs" data-testid="trial-search-results" ref={results}>
          <Text size="sm" fw={600} role="status">{count ? t('trials:editor.searchFound', { words: shown }) : t('trials:editor.searchNone', { words: shown })}</Text>
          {found.data.candidates.map((c) => <CandidateCard key={c.nctId} c={c} added={has(c.nctId)} add={() => add(c)} />)}
          {found.data.setAside.length > 0 && (
            <>
              <Text size="sm">{t('trials:editor.searchSetAside', { count: found.data.setAside.length })}</Text>
              <List size="sm">{found.data.setAside.map((s) => <List.Item key={s.nctId}>{s.nctId} · {s.title}: {s.why}</List.Item>)}</List>
            </>
          )}
        </Stack>
      )}
    </Stack>
  );
}

function Suggestions({ data, has, add }: { data: CaseTrials; has: (id: string) => boolean; add: (c: Candidate) => void }) {
  const { t } = useTranslation();
  const [setAsideOpen, setSetAsideOpen] = useState(false);
  const about = [
    data.syncedAt ? t('trials:editor.copyFrom', { date: formatDate(data.syncedAt) }) : t('trials:editor.noCopy'),
    data.lastRefreshFailedAt ? t('trials:editor.refreshFailed', { date: formatDate(data.lastRefreshFailedAt) }) : null,
    t('trials:editor.onlyTeam'),
  ];
  return (
    <Stack gap="xs">
      {data.placeNote && <Text size="xs" c="orange.9">{data.placeNote}</Text>}
      <Text size="xs" c="dimmed">{about.filter(Boolean).join(' ')}</Text>
      {data.conditionTerms.length === 0 && <Text size="sm">{t('trials:editor.notCovered')}</Text>}
      {data.conditionTerms.length > 0 && data.candidates.length === 0 && <Text size="sm">{t('trials:editor.noneRecruiting', { conditions: data.conditionNames.join(', ').toLocaleLowerCase() })}</Text>}
      {data.candidates.map((c) => <CandidateCard key={c.nctId} c={c} added={has(c.nctId)} add={() => add(c)} />)}
      {data.setAside.length > 0 && (
        <>
          <Anchor component="button" type="button" size="sm" aria-expanded={setAsideOpen} onClick={() => setSetAsideOpen((o) => !o)}>{setAsideOpen ? t('trials:editor.hideSetAside', { count: data.setAside.length }) : t('trials:editor.showSetAside', { count: data.setAside.length })}</Anchor>
          <Collapse in={setAsideOpen}><List size="sm">{data.setAside.map((s) => <List.Item key={s.nctId}>{s.nctId} · {s.title}: {s.why}</List.Item>)}</List></Collapse>
        </>
      )}
    </Stack>
  );
}

/** The study's page on ClinicalTrials.gov (NCT numbers only), in a new tab, said so. */
function TrialLink({ id }: { id: string }) {
  const { t } = useTranslation();
  if (!/^NCT[0-9]{8}$/.test(id)) return <>{id}</>;
  return <Anchor href={registryLink(id)} target="_blank" rel="noopener noreferrer" size="inherit">{id}<VisuallyHidden>{' '}{t('trials:editor.newTab')}</VisuallyHidden></Anchor>;
}

function CandidateCard({ c, added, add }: { c: Candidate; added: boolean; add: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <Card withBorder padding="sm" data-testid="trial-candidate">
      <Group justify="space-between" align="start" wrap="wrap" gap="xs">
        <Stack gap={2} style={{ flex: '1 1 16rem', minWidth: 0 }}>
          <Text fw={600} size="sm">{c.title}</Text>
          {c.mayNotFit && <Badge color="orange" variant="light" style={{ alignSelf: 'flex-start' }}>{t('trials:editor.mayNotFit')}</Badge>}
          <Text size="xs" c="dimmed"><TrialLink id={c.nctId} />{c.phases.length ? ` · ${phaseWords(c.phases)}` : ''}{c.interventions.length ? ` · ${c.interventions.slice(0, 3).join(', ')}` : ''}</Text>
        </Stack>
        {added ? <Badge color="green" variant="light">{t('trials:editor.added')}</Badge> : <Button size="xs" style={{ flexShrink: 0 }} onClick={add} aria-label={t('trials:editor.addToOpinionOf', { id: c.nctId })}>{t('trials:editor.addToOpinion')}</Button>}
      </Group>
      <List size="sm" mt={4}>{c.reasons.map((r) => <List.Item key={r}>{r}</List.Item>)}</List>
      {c.sites.length > 0 && <Text size="xs" mt={4}>{t('trials:editor.sites', { sites: c.sites.slice(0, 3).map((s) => [s.facility, s.city, s.state].filter(Boolean).join(', ')).join('; ') })}</Text>}
      {c.checks.length > 0 && (
        <>
          <Anchor component="button" type="button" size="sm" mt={4} aria-expanded={open} onClick={() => setOpen((o) => !o)}>{open ? t('trials:editor.hideChecks', { count: c.checks.length }) : t('trials:editor.showChecks', { count: c.checks.length })}</Anchor>
          <Collapse in={open}>
            <Stack gap={4} mt={4}>
              {c.checks.map((k) => (
                <div key={`${k.kind}-${k.line}`}>
                  <Text size="sm"><Badge size="xs" color={k.kind === 'exclusion' ? 'red' : 'blue'} variant="light" me={4}>{k.kind === 'exclusion' ? t('trials:editor.excludes') : t('trials:editor.requires')}</Badge>{k.line}</Text>
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
