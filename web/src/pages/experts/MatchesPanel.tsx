import { Badge, Button, Card, Group, Loader, Modal, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { formatDate, get, post, put, type GetResult, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';

const FACTOR_LABELS: Record<string, string> = {
  conditionFocus: 'Focus on this condition', procedureVolume: 'Operations a year', center: 'Center (academic, tumor boards, trials)', language: 'Language',
  consultMode: 'Consult mode', insurance: 'Insurance', load: 'Current load', turnaround: 'Past turnaround',
};

type CaseDetail = Schema<'Case'>;
type Offer = GetResult<'/api/cases/{id}/offers'>[number];

/** The review team as it stands (who accepted which role), and which of them leads. */
function ReviewTeam({ c, offers }: { c: CaseDetail; offers: Offer[] }) {
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
  const roleOf = (userId: string) => offers.find((o) => o.expertId === userId && o.status === 'accepted')?.role.replaceAll('_', ' ');
  const nameOf = (userId: string | null) => experts.find((e) => e.userId === userId)?.name;
  return (
    <Card withBorder data-testid="review-team">
      <Text fw={600} mb={4}>The review team</Text>
      {experts.map((e) => (
        <Group key={e.userId} gap="xs">
          <Text size="sm">{e.name}{roleOf(e.userId) ? ` · ${roleOf(e.userId)}` : ''}</Text>
          {e.userId === c.leadExpert?.id && <Badge size="sm" variant="light">Lead</Badge>}
        </Group>
      ))}
      <Select mt="sm" label="Lead reviewer" description="The lead reviewer issues the combined report once every reviewer has signed their part." data-testid="lead-reviewer"
        data={experts.map((e) => ({ value: e.userId, label: e.name }))} value={c.leadExpert?.id ?? null} allowDeselect={false}
        disabled={!c.can.setLead || setLead.isPending} onChange={(v) => v && v !== c.leadExpert?.id && setProposed(v)} maw={360} />
      <ErrorNote error={setLead.error} />
      <Modal opened={!!proposed} onClose={() => setProposed(null)} title="Change the lead reviewer?">
        <Stack>
          <Text size="sm">{nameOf(proposed)} will lead the review and issue the report{c.leadExpert ? `, instead of ${c.leadExpert.name}` : ''}. {nameOf(proposed)} is told at once.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setProposed(null)}>Keep {c.leadExpert?.name ?? 'as it is'}</Button>
            <Button onClick={() => proposed && setLead.mutate(proposed)} loading={setLead.isPending}>Make {nameOf(proposed)} the lead</Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

/** The experts the case needs, one proposal per reviewer role, with every reason shown. */
export function MatchesPanel({ c }: { c: CaseDetail }) {
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
      for (const t of m.data?.team ?? []) if (t.proposed && !filledBy(t.role) && !offerOf(t.proposed.userId, t.role)) await post(`/cases/${caseId}/offers`, { expertId: t.proposed.userId, role: t.role });
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
        <Title order={3}>Experts for this case</Title>
        <Button onClick={() => offerTeam.mutate()} loading={offerTeam.isPending} disabled={!canOffer || !m.data?.team.some((t) => t.proposed && !filledBy(t.role) && !offerOf(t.proposed.userId, t.role))}>Offer the proposed team</Button>
        <SegmentedControl aria-label="Consultation" value={mode} onChange={setMode} data={[{ value: 'records_review', label: 'Records review' }, { value: 'video', label: 'Video consultation' }]} />
      </Group>
      {!canOffer && <Text size="sm" data-testid="offers-later">Experts can be offered the case once it is ready for review (the records checklist is complete).</Text>}
      <Text size="sm" c="dimmed">The roles come from the assessment rules; experts are filtered (specialty, licence, conflicts, availability, capacity), then ranked by weighted factors.</Text>
      {m.isLoading && <Loader role="status" aria-label="Matching experts" />}
      <ErrorNote error={m.error ?? offer.error ?? offers.error ?? offerTeam.error} />
      {offers.data && offers.data.length > 0 && (
        <Card withBorder>
          <Text fw={600} mb={4}>Offers</Text>
          {offers.data.map((o) => (
            <Text key={o.id} size="sm" data-testid="offer">{o.expertName} · {o.role.replaceAll('_', ' ')} · <b>{o.status}</b>{o.reason && `: ${o.reason}`} {o.status === 'offered' && <Text span size="xs" c="dimmed">(answer by {formatDate(o.respondBy)})</Text>}</Text>
          ))}
        </Card>
      )}
      <ReviewTeam c={c} offers={offers.data ?? []} />
      {m.data?.team.map((t) => (
        <Card key={t.role} withBorder data-testid={`role-${t.role}`}>
          <Group justify="space-between" mb="xs">
            <Text fw={600}>{t.roleLabel}</Text>
            <Group gap="xs">
              {filledBy(t.role) ? <Badge color="green" variant="light">Filled: {filledBy(t.role)}</Badge>
                : t.proposed ? <Badge color="green" variant="light">Proposed: {t.proposed.name} · {Math.round(t.proposed.score * 100)}</Badge> : <Badge color="orange">No eligible expert</Badge>}
              {canOffer && !filledBy(t.role) && t.proposed && !offerOf(t.proposed.userId, t.role) && (
                <Button size="compact-xs" onClick={() => t.proposed && offer.mutate({ expertId: t.proposed.userId, role: t.role })} loading={offer.isPending}>Offer to {t.proposed.name}</Button>
              )}
            </Group>
          </Group>
          {!t.proposed && !filledBy(t.role) && <Text size="sm" mb="xs">Nobody in the directory fits this role now. The reasons are listed under each candidate below; add an expert to the directory, or check their licences, capacity and absences.</Text>}
          {t.proposed && (
            <Table verticalSpacing={2} mb="xs">
              <Table.Thead><Table.Tr><Table.Th>Factor</Table.Th><Table.Th>Value</Table.Th><Table.Th>Weight</Table.Th><Table.Th>Why</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>
                {t.proposed.factors.map((f) => (
                  <Table.Tr key={f.factor}><Table.Td>{FACTOR_LABELS[f.factor] ?? f.factor}</Table.Td><Table.Td>{Math.round(f.value * 100)}%</Table.Td><Table.Td>{f.weight}</Table.Td><Table.Td><Text size="xs">{f.reason}</Text></Table.Td></Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          <Text size="sm" fw={500}>Other candidates</Text>
          {t.candidates.filter((c) => c.userId !== t.proposed?.userId).slice(0, 8).map((c) => (
            <Group key={c.userId} gap={6}>
              <Text size="xs">{c.name}: {c.eligible ? `score ${Math.round(c.score * 100)}` : `excluded: ${c.excludedBecause.join(' ')}`}</Text>
              {canOffer && c.eligible && !filledBy(t.role) && !offerOf(c.userId, t.role) && <Button size="compact-xs" variant="subtle" onClick={() => offer.mutate({ expertId: c.userId, role: t.role })}>Offer</Button>}
            </Group>
          ))}
        </Card>
      ))}
    </Stack>
  );
}
