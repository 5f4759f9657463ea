import { Alert, Anchor, Button, Card, Group, List, Loader, Radio, Stack, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, get, post, type GetResult } from '../../api.ts';
import type { Me } from '../../auth.tsx';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';
import { useCaseReader, type CaseCan, type Reader } from '../../caseData.ts';
import { languageName } from '../../languages.ts';
import { SummaryTranslationForm } from './SummaryTranslationForm.tsx';
import { BoardView, CoordinatorView, ReviewerWorkspace, type Workspace } from './ReviewWorkspace.tsx';

/** The Opinion tab: the reviewer's workspace and editor, the coordinator's delivery, the patient's report. */
export function OpinionPanel({ caseId, me, can }: { caseId: string; me: Me; can: CaseCan }) {
  const ws = useQuery({ queryKey: caseKeys.part(caseId, 'opinion'), queryFn: () => get<Workspace>(`/cases/${caseId}/opinion`) });
  const { t } = useTranslation();
  if (ws.isLoading) return <Loader role="status" aria-label={t('opinion:loading')} />;
  if (ws.error || !ws.data) return <ErrorNote error={ws.error} />;
  const w = ws.data;
  const patientSide = ['patient', 'referring_physician'].includes(me.user.role);
  return (
    <Stack>
      {w.isReviewer && <ReviewerWorkspace caseId={caseId} w={w} />}
      {me.user.role === 'coordinator' && <CoordinatorView caseId={caseId} w={w} />}
      {me.user.role === 'coordinator' && <SummaryTranslationForm caseId={caseId} w={w} />}
      {me.user.role === 'board_chair' && <BoardView w={w} />}
      <Reports caseId={caseId} w={w} patientSide={patientSide} />
      {w.reports.length > 0 && ['delivered', 'closed'].includes(w.status) && <FollowUp caseId={caseId} me={me} canWrite={can.askFollowup} />}
      {can.answerSurvey && <Survey caseId={caseId} />}
      {patientSide && !w.reports.length && <Text>{t('opinion:notYet')}</Text>}
    </Stack>
  );
}

function Reports({ caseId, w, patientSide }: { caseId: string; w: Workspace; patientSide: boolean }) {
  const latest = w.reports.at(-1);
  // A reviewed translation into the patient's language goes first; the signed original follows, named as such.
  const translation = w.summaryLanguage.current;
  const { t } = useTranslation();
  // The patient reads "your questions"; anyone else (a caregiver, the referring physician, staff) "the patient's".
  const context = useCaseReader(caseId);
  if (!latest) return null;
  const parts = latest.document.parts;
  const asked = latest.document.patientQuestions;
  const order = (q: string) => (asked.indexOf(q) === -1 ? asked.length : asked.indexOf(q));
  return (
    <Card withBorder data-testid="report">
      <Title order={3} size="h4">{t('opinion:report.title')}</Title>
      <Group gap="xs" mt={4}>
        {w.reports.map((r) => (
          <Anchor key={r.version} href={`/api/cases/${caseId}/opinion/report/${r.version}/pdf`}>
            {r.kind === 'original' ? t('opinion:report.download', { version: r.version }) : t('opinion:report.downloadChanged', { version: r.version, kind: r.kind, reason: r.reason })}
          </Anchor>
        ))}
      </Group>
      {latest.document.disagreements.length > 0 && <Alert mt="sm" color="orange" title={t('opinion:report.differ')}><List size="sm">{latest.document.disagreements.map((d) => <List.Item key={d}>{d}</List.Item>)}</List></Alert>}
      {translation && (
        <Stack gap={2} mt="sm" data-testid="summary-translation" lang={translation.language}>
          <Text fw={600}>{t('opinion:report.translation.title', { language: languageName(translation.language) })}</Text>
          <Text>{translation.summary}</Text>
          <Text size="xs" c="dimmed">{t('opinion:report.translation.note', { translatedBy: translation.translatedBy, reviewedBy: translation.reviewedBy })}</Text>
          <Anchor size="sm" href={`/api/cases/${caseId}/opinion/report/${latest.version}/translation/pdf`}>{t('opinion:report.translation.download')}</Anchor>
        </Stack>
      )}
      {parts.filter((p) => p.content.patientSummary).map((p) => (
        <Stack key={p.authorName} gap={2} mt="sm" lang={p.content.patientSummaryLanguage ?? 'en'}><Text fw={600}>{translation ? t('opinion:report.translation.original', { author: p.authorName }) : t('opinion:report.plain', { author: p.authorName })}</Text><Text>{p.content.patientSummary}</Text></Stack>
      ))}
      {parts.filter((p) => p.content.slidesReviewed).map((p) => {
        const s = p.content.slidesReviewed!;
        return (
          <Stack key={`slides-${p.authorName}`} gap={0} mt="sm" data-testid="slides-reviewed-summary">
            {s.digital.length > 0 && <Text size="sm">{t('opinion:report.slidesDigital', { context, author: p.authorName, count: s.digital.length })}</Text>}
            {s.glass.length > 0 && <Text size="sm">{t('opinion:report.slidesGlass', { context, author: p.authorName })}</Text>}
            {s.digitalSufficed === 'yes' && s.glass.length === 0 && <Text size="sm">{t('opinion:report.slidesEnough', { context })}</Text>}
          </Stack>
        );
      })}
      <TrialsToAsk parts={parts} context={context} />
      <Title order={4} size="h5" mt="md">{t('opinion:report.answers', { context })}</Title>
      {/* In the order the patient asked, whoever answered. */}
      {parts.flatMap((p) => (p.content.answers ?? []).map((a) => ({ ...a, p }))).sort((x, y) => order(x.question) - order(y.question)).map(({ p, ...a }) => (
        <Stack key={`${p.authorName}-${a.question}`} gap={0} mt={4}><Text size="sm" fw={600}>{a.question}</Text><Text size="sm">{a.answer} <Text span c="dimmed" size="xs">{t('opinion:report.by', { author: p.authorName })}</Text></Text></Stack>
      ))}
      {latest.document.addenda.map((a) => <Alert key={a.version} mt="sm" title={a.kind === 'addendum' ? t('opinion:report.addendum', { reason: a.reason }) : t('opinion:report.amendment', { reason: a.reason })}>{a.text}</Alert>)}
      {!patientSide && <Text size="xs" c="dimmed" mt="sm">{t('opinion:report.staffPdf')}</Text>}
    </Card>
  );
}

/** The studies the reviewers suggest, once each, in plain words, with where and whom to ask. */
function TrialsToAsk({ parts, context }: { parts: Workspace['reports'][number]['document']['parts']; context: Reader }) {
  const { t } = useTranslation();
  const seen = new Set<string>();
  const trials = parts.flatMap((p) => p.content.trials ?? []).filter((x) => !seen.has(x.identifier) && seen.add(x.identifier));
  if (!trials.length) return null;
  return (
    <Stack gap={4} mt="md" data-testid="trials-to-ask">
      <Title order={4} size="h5">{t('opinion:report.trials.title', { context })}</Title>
      <Text size="sm">{t('opinion:report.trials.intro', { context })}</Text>
      {trials.map((x) => (
        <Card key={x.identifier} withBorder padding="xs">
          <Text size="sm" fw={600}>{x.title ?? x.identifier}</Text>
          <Text size="sm">{t('opinion:report.trials.why', { why: x.why })}</Text>
          {x.sites?.length ? (
            <>
              <Text size="sm">{t('opinion:report.trials.sites')}</Text>
              <List size="sm">{x.sites.map((site) => <List.Item key={site}>{site}</List.Item>)}</List>
            </>
          ) : null}
          {x.contact ? <Text size="sm">{t('opinion:report.trials.contact', { contact: x.contact })}</Text> : null}
          {x.checkedOn && !x.registryStatus && <Text size="sm" c="dimmed">{t('opinion:report.trials.notFound', { context })}</Text>}
          {x.registryStatus && /^NCT[0-9]{8}$/.test(x.identifier) && (
            <Anchor size="sm" href={`https://clinicaltrials.gov/study/${x.identifier}`} target="_blank" rel="noopener noreferrer">{t('opinion:report.trials.record', { id: x.identifier })}</Anchor>
          )}
        </Card>
      ))}
    </Stack>
  );
}

function FollowUp({ caseId, me, canWrite: mayWrite }: { caseId: string; me: Me; canWrite: boolean }) {
  const thread = useQuery({ queryKey: caseKeys.part(caseId, 'followups'), queryFn: () => get<GetResult<'/api/cases/{id}/followups'>>(`/cases/${caseId}/followups`) });
  const [body, setBody] = useState('');
  const { t } = useTranslation();
  const qc = useQueryClient();
  const send = useMutation({ mutationFn: () => post(`/cases/${caseId}/followups`, { body }), onSuccess: () => { setBody(''); void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'followups') }); } });
  if (!thread.data) return null;
  const canWrite = mayWrite && thread.data.open;
  return (
    <Card withBorder data-testid="followups">
      <Title order={3} size="h5">{t('opinion:followup.title')}</Title>
      {thread.data.messages.map((m) => <Text key={m.id} size="sm"><b>{m.author}</b> <Text span size="xs" c="dimmed">{formatDate(m.createdAt)}</Text><br />{m.body}</Text>)}
      {me.user.role === 'patient' && thread.data.messages.at(-1)?.authorRole === 'patient' && <Text size="sm" c="dimmed" data-testid="followup-next">{t('opinion:followup.told')}</Text>}
      {thread.data.open ? <Text size="xs" c="dimmed">{t('opinion:followup.openUntil', { date: formatDate(thread.data.openUntil) })}</Text> : <Text size="xs" c="dimmed">{t('opinion:followup.closed')}</Text>}
      {canWrite && (
        <Group align="end" mt="xs">
          <Textarea label={me.user.role === 'patient' ? t('opinion:followup.ask') : t('opinion:followup.answer')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize style={{ flex: 1 }} />
          <Button onClick={() => send.mutate()} disabled={!body.trim()} loading={send.isPending}>{t('opinion:followup.send')}</Button>
        </Group>
      )}
      <ErrorNote error={send.error} />
    </Card>
  );
}

function Survey({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const [s, setS] = useState({ clear: '', changed: '', wouldRecommend: '' });
  const m = useMutation({ mutationFn: () => post(`/cases/${caseId}/survey`, { clear: Number(s.clear), changed: s.changed, wouldRecommend: s.wouldRecommend === 'yes' }) });
  if (m.isSuccess) return <Alert color="teal">{t('opinion:survey.thanks')}</Alert>;
  return (
    <Card withBorder>
      <Title order={3} size="h5">{t('opinion:survey.title')}</Title>
      <Radio.Group label={t('opinion:survey.clear')} value={s.clear} onChange={(v) => setS({ ...s, clear: v })}><Group mt={4}>{['1', '2', '3', '4', '5'].map((n) => <Radio key={n} value={n} label={n} />)}</Group></Radio.Group>
      <Radio.Group label={t('opinion:survey.changed')} value={s.changed} onChange={(v) => setS({ ...s, changed: v })} mt="sm">
        <Group mt={4}>{(['diagnosis', 'plan', 'both', 'neither'] as const).map((x) => <Radio key={x} value={x} label={t(`opinion:survey.changes.${x}`)} />)}</Group>
      </Radio.Group>
      <Radio.Group label={t('opinion:survey.recommend')} value={s.wouldRecommend} onChange={(v) => setS({ ...s, wouldRecommend: v })} mt="sm"><Group mt={4}><Radio value="yes" label={t('opinion:survey.yes')} /><Radio value="no" label={t('opinion:survey.no')} /></Group></Radio.Group>
      <ErrorNote error={m.error} />
      <Button mt="sm" onClick={() => m.mutate()} disabled={!s.clear || !s.changed || !s.wouldRecommend}>{t('opinion:survey.send')}</Button>
    </Card>
  );
}
