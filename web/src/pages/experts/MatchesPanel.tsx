import { Badge, Button, Card, Group, Loader, Modal, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { formatDate, get, post, put, type GetResult, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import i18n, { formatLocale } from '../../i18n.ts';
import type experts from '../../messages/en/experts.json';
import { caseKeys } from '../../queryKeys.ts';

type ReviewRole = keyof typeof experts.reviewRole;
type Factor = keyof typeof experts.matches.factor;
type OfferStatus = keyof typeof experts.matches.offerStatus;

/** A reviewer role ("thoracic_surgery") in words; one the catalogue does not know shows as the server named it. */
export const reviewRoleLabel = (role: string, named?: string): string =>
  (i18n.exists(`experts:reviewRole.${role}`) ? i18n.t(`experts:reviewRole.${role as ReviewRole}`) : named ?? role.replaceAll('_', ' '));
const factorLabel = (factor: string) => (i18n.exists(`experts:matches.factor.${factor}`) ? i18n.t(`experts:matches.factor.${factor as Factor}`) : factor);
const offerStatus = (status: string) => (i18n.exists(`experts:matches.offerStatus.${status}`) ? i18n.t(`experts:matches.offerStatus.${status as OfferStatus}`) : status);
const percent = (v: number) => new Intl.NumberFormat(formatLocale(), { style: 'percent', maximumFractionDigits: 0 }).format(v);
const number = (v: number) => v.toLocaleString(formatLocale());

type CaseDetail = Schema<'Case'>;
type Offer = GetResult<'/api/cases/{id}/offers'>[number];

/** The review team as it stands (who accepted which role), and which of them leads. */
function ReviewTeam({ c, offers }: { c: CaseDetail; offers: Offer[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const caseId = c.id;
  const [proposed, setProposed] = useState<string | null>(null);
  const setLead = useMutation({
    mutationFn: (expertId: string) => put<CaseDetail>(`/cases/${caseId}/lead`, { expertId }),
    onSuccess: (updated) => {
      qc.setQueryData(caseKeys.part(caseId, 'detail'), updated);
      void qc.invalidateQueries({ queryKey: caseKeys.all(caseId) });
      setProposed(null);
    },
  });
  const experts = c.members.filter((m) => m.relation === 'expert');
  if (experts.length === 0) return null;
  const roleOf = (userId: string) => { const role = offers.find((o) => o.expertId === userId && o.status === 'accepted')?.role; return role && reviewRoleLabel(role); };
  const nameOf = (userId: string | null) => experts.find((e) => e.userId === userId)?.name;
  return (
    <Card withBorder data-testid="review-team">
      <Text fw={600} mb={4}>{t('experts:matches.team')}</Text>
      {experts.map((e) => (
        <Group key={e.userId} gap="xs">
          <Text size="sm">{e.name}{roleOf(e.userId) ? ` · ${roleOf(e.userId)}` : ''}</Text>
          {e.userId === c.leadExpert?.id && <Badge size="sm" variant="light">{t('experts:matches.lead')}</Badge>}
        </Group>
      ))}
      <Select mt="sm" label={t('experts:matches.leadReviewer')} description={t('experts:matches.leadHelp')} data-testid="lead-reviewer"
        data={experts.map((e) => ({ value: e.userId, label: e.name }))} value={c.leadExpert?.id ?? null} allowDeselect={false}
        disabled={!c.can.setLead || setLead.isPending} onChange={(v) => v && v !== c.leadExpert?.id && setProposed(v)} maw={360} />
      <ErrorNote error={setLead.error} />
      <Modal opened={!!proposed} onClose={() => setProposed(null)} title={t('experts:matches.changeLead')}>
        <Stack>
          <Text size="sm">{c.leadExpert ? t('experts:matches.changeLeadText', { name: nameOf(proposed), current: c.leadExpert.name }) : t('experts:matches.firstLeadText', { name: nameOf(proposed) })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setProposed(null)}>{c.leadExpert ? t('experts:matches.keep', { name: c.leadExpert.name }) : t('experts:matches.keepAsIs')}</Button>
            <Button onClick={() => proposed && setLead.mutate(proposed)} loading={setLead.isPending}>{t('experts:matches.makeLead', { name: nameOf(proposed) })}</Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

/** The experts the case needs, one proposal per reviewer role, with every reason shown. */
export function MatchesPanel({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const caseId = c.id;
  const [mode, setMode] = useState('records_review');
  const qc = useQueryClient();
  const m = useQuery({ queryKey: caseKeys.part(caseId, 'matches', mode), queryFn: () => get<GetResult<'/api/cases/{id}/matches'>>(`/cases/${caseId}/matches?consultMode=${mode}`) });
  const offers = useQuery({ queryKey: caseKeys.part(caseId, 'offers'), queryFn: () => get<GetResult<'/api/cases/{id}/offers'>>(`/cases/${caseId}/offers`) });
  const offer = useMutation({
    mutationFn: (v: { expertId: string; role: string }) => post(`/cases/${caseId}/offers`, v),
    onSuccess: () => qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'offers') }),
  });
  const offerTeam = useMutation({
    mutationFn: async () => {
      for (const r of m.data?.team ?? []) if (r.proposed && !filledBy(r.role) && !offerOf(r.proposed.userId, r.role)) await post(`/cases/${caseId}/offers`, { expertId: r.proposed.userId, role: r.role });
    },
    onSettled: () => qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'offers') }),
  });
  // A role an expert accepted is filled: it is not offered again.
  // Offers go out once the records are complete (the server refuses earlier ones).
  const canOffer = ['ready_for_review', 'assigned', 'in_review', 'board'].includes(c.status);
  const filledBy = (role: string) => (offers.data ?? []).find((o) => o.role === role && o.status === 'accepted')?.expertName;
  const offerOf = (userId: string, role: string) => (offers.data ?? []).find((o) => o.expertId === userId && o.role === role && (o.status === 'offered' || o.status === 'accepted'));
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={3}>{t('experts:matches.title')}</Title>
        <Button onClick={() => offerTeam.mutate()} loading={offerTeam.isPending} disabled={!canOffer || !m.data?.team.some((r) => r.proposed && !filledBy(r.role) && !offerOf(r.proposed.userId, r.role))}>{t('experts:matches.offerTeam')}</Button>
        <SegmentedControl aria-label={t('experts:matches.consultation')} value={mode} onChange={setMode} data={(['records_review', 'video'] as const).map((value) => ({ value, label: t(`experts:consultMode.${value}`) }))} />
      </Group>
      {!canOffer && <Text size="sm" data-testid="offers-later">{t('experts:matches.offersLater')}</Text>}
      <Text size="sm" c="dimmed">{t('experts:matches.how')}</Text>
      {m.isLoading && <Loader role="status" aria-label={t('experts:matches.matching')} />}
      <ErrorNote error={m.error ?? offer.error ?? offers.error ?? offerTeam.error} />
      {offers.data && offers.data.length > 0 && (
        <Card withBorder>
          <Text fw={600} mb={4}>{t('experts:matches.offers')}</Text>
          {offers.data.map((o) => (
            <Text key={o.id} size="sm" data-testid="offer">{o.reason
                ? <Trans t={t} i18nKey="experts:matches.offerWithReason" values={{ name: o.expertName, role: reviewRoleLabel(o.role), status: offerStatus(o.status), reason: o.reason }} components={{ b: <b /> }} />
                : <Trans t={t} i18nKey="experts:matches.offer" values={{ name: o.expertName, role: reviewRoleLabel(o.role), status: offerStatus(o.status) }} components={{ b: <b /> }} />}{o.status === 'offered' && <> <Text span size="xs" c="dimmed">{t('experts:matches.answerBy', { date: formatDate(o.respondBy) })}</Text></>}</Text>
          ))}
        </Card>
      )}
      <ReviewTeam c={c} offers={offers.data ?? []} />
      {m.data?.team.map((r) => (
        <Card key={r.role} withBorder data-testid={`role-${r.role}`}>
          <Group justify="space-between" mb="xs">
            <Text fw={600}>{reviewRoleLabel(r.role, r.roleLabel)}</Text>
            <Group gap="xs">
              {filledBy(r.role) ? <Badge color="green" variant="light">{t('experts:matches.filled', { name: filledBy(r.role) })}</Badge>
                : r.proposed ? <Badge color="green" variant="light">{t('experts:matches.proposed', { name: r.proposed.name, score: number(Math.round(r.proposed.score * 100)) })}</Badge> : <Badge color="orange">{t('experts:matches.noEligible')}</Badge>}
              {canOffer && !filledBy(r.role) && r.proposed && !offerOf(r.proposed.userId, r.role) && (
                <Button size="compact-xs" onClick={() => r.proposed && offer.mutate({ expertId: r.proposed.userId, role: r.role })} loading={offer.isPending}>{t('experts:matches.offerTo', { name: r.proposed.name })}</Button>
              )}
            </Group>
          </Group>
          {!r.proposed && !filledBy(r.role) && <Text size="sm" mb="xs">{t('experts:matches.nobody')}</Text>}
          {r.proposed && (
            <Table verticalSpacing={2} mb="xs">
              <Table.Thead><Table.Tr>{(['factor', 'value', 'weight', 'why'] as const).map((k) => <Table.Th key={k}>{t(`experts:matches.column.${k}`)}</Table.Th>)}</Table.Tr></Table.Thead>
              <Table.Tbody>
                {r.proposed.factors.map((f) => (
                  <Table.Tr key={f.factor}><Table.Td>{factorLabel(f.factor)}</Table.Td><Table.Td>{percent(f.value)}</Table.Td><Table.Td>{number(f.weight)}</Table.Td><Table.Td><Text size="xs">{f.reason}</Text></Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Text size="sm" fw={500}>{t('experts:matches.others')}</Text>
          {r.candidates.filter((c) => c.userId !== r.proposed?.userId).slice(0, 8).map((c) => (
            <Group key={c.userId} gap={6}>
              <Text size="xs">{c.eligible ? t('experts:matches.candidateScore', { name: c.name, score: number(Math.round(c.score * 100)) }) : t('experts:matches.candidateExcluded', { name: c.name, reasons: c.excludedBecause.join(' ') })}</Text>
              {canOffer && c.eligible && !filledBy(r.role) && !offerOf(c.userId, r.role) && <Button size="compact-xs" variant="subtle" onClick={() => offer.mutate({ expertId: c.userId, role: r.role })}>{t('experts:matches.offerButton')}</Button>}
            </Group>
          ))}
        </Card>
      ))}
    </Stack>
  );
}
