import { Button, Checkbox, Group, Loader, MultiSelect, NumberInput, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, put, type GetResult } from '../../api.ts';
import { ErrorNote, FieldRow } from '../../components.tsx';
import { languageOptions } from '../../languages.ts';
import { VisitHoursCard } from '../visits/VisitHoursCard.tsx';

const EMPTY = {
  npi: '', credentials: '', taxonomyCodes: [] as string[], focusCodes: [] as string[], procedures: [] as { operation: string; annualVolume: number; source: string }[],
  institution: { name: '', academic: false, tumorBoards: false, trialsOpen: false }, licensure: [] as string[], languages: ['en'], consultModes: ['records_review'],
  insuranceNetworks: [] as string[], feeUsd: null as number | null, capacityMax: 5, acceptingCases: true, outOfOffice: [] as { from: string; to: string }[], conflicts: [] as string[],
};

/** The expert's own directory profile: what matching uses to find the right cases for them. */
export function ProfilePage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const current = useQuery({ queryKey: ['expert-profile'], queryFn: () => get<GetResult<'/api/experts/me/profile'>>('/experts/me/profile') });
  const taxonomy = useQuery({ queryKey: ['reference', 'taxonomy'], queryFn: () => get<GetResult<'/api/reference/taxonomy'>>('/reference/taxonomy'), staleTime: Infinity });
  const [p, setP] = useState(EMPTY);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const c = current.data;
    if (c) setP({ ...EMPTY, ...c, npi: c.npi ?? '', taxonomyCodes: c.taxonomy.map((x) => x.code) });
  }, [current.data]);
  const save = useMutation({
    mutationFn: () => put('/experts/me/profile', { ...p, npi: p.npi || undefined, taxonomy: undefined, userId: undefined, name: undefined, email: undefined, active: undefined, openCases: undefined, pastTurnaroundDays: undefined }),
    onSuccess: (d) => (qc.setQueryData(['expert-profile'], d), setSaved(true)),
  });
  if (current.isLoading) return <Loader role="status" aria-label={t('experts:profile.loading')} />;
  const set = (patch: Partial<typeof EMPTY>) => (setSaved(false), setP({ ...p, ...patch }));
  return (
    <Stack gap="xl">
    <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <Stack maw={720}>
        <Title order={2}>{t('common:nav.item.profile')}</Title>
        <Text size="sm" c="dimmed">{t('experts:profile.intro')}</Text>
        <FieldRow>
          <TextInput label={t('experts:profile.npi')} value={p.npi} onChange={(e) => set({ npi: e.currentTarget.value.trim() })} maxLength={10} />
          <TextInput label={t('experts:profile.credentials')} value={p.credentials} onChange={(e) => set({ credentials: e.currentTarget.value })} />
        </FieldRow>
        <MultiSelect label={t('experts:profile.specialties')} searchable data={(taxonomy.data?.codes ?? []).map((c: { code: string; display: string }) => ({ value: c.code, label: `${c.display} (${c.code})` }))} value={p.taxonomyCodes} onChange={(v) => set({ taxonomyCodes: v })} />
        <TagsInput label={t('experts:profile.focus')} value={p.focusCodes} onChange={(v) => set({ focusCodes: v.map((x) => x.toUpperCase()) })} />
        <TextInput label={t('experts:profile.institution')} value={p.institution.name} onChange={(e) => set({ institution: { ...p.institution, name: e.currentTarget.value } })} />
        <Group>
          <Checkbox label={t('experts:profile.academic')} checked={p.institution.academic} onChange={(e) => set({ institution: { ...p.institution, academic: e.currentTarget.checked } })} />
          <Checkbox label={t('experts:profile.tumorBoards')} checked={p.institution.tumorBoards} onChange={(e) => set({ institution: { ...p.institution, tumorBoards: e.currentTarget.checked } })} />
          <Checkbox label={t('experts:profile.trialsOpen')} checked={p.institution.trialsOpen} onChange={(e) => set({ institution: { ...p.institution, trialsOpen: e.currentTarget.checked } })} />
        </Group>
        <TagsInput label={t('experts:profile.licensed')} value={p.licensure} onChange={(v) => set({ licensure: v.map((x) => x.toUpperCase()) })} />
        <MultiSelect label={t('experts:profile.languages')} searchable data={languageOptions(p.languages)} value={p.languages} onChange={(v) => set({ languages: v })} />
        <Checkbox.Group label={t('experts:profile.consultModes')} value={p.consultModes} onChange={(v) => set({ consultModes: v })}>
          <Group mt={4}>{(['records_review', 'video'] as const).map((value) => <Checkbox key={value} value={value} label={t(`experts:consultMode.${value}`)} />)}</Group>
        </Checkbox.Group>
        <TagsInput label={t('experts:profile.insurance')} value={p.insuranceNetworks} onChange={(v) => set({ insuranceNetworks: v })} />
        <FieldRow>
          <NumberInput label={t('experts:profile.capacity')} min={1} max={500} value={p.capacityMax} onChange={(v) => set({ capacityMax: Number(v) || 1 })} />
          <NumberInput label={t('experts:profile.fee')} min={0} value={p.feeUsd ?? ''} onChange={(v) => set({ feeUsd: v === '' ? null : Number(v) })} />
        </FieldRow>
        <Checkbox label={t('experts:profile.accepting')} checked={p.acceptingCases} onChange={(e) => set({ acceptingCases: e.currentTarget.checked })} />
        <TagsInput label={t('experts:profile.conflicts')} value={p.conflicts} onChange={(v) => set({ conflicts: v })} />
        <Stack gap={4}>
          <Text size="sm" fw={500}>{t('experts:profile.away')}</Text>
          {p.outOfOffice.map((o, i) => (
            <Group key={i}>
              <TextInput type="date" aria-label={t('experts:profile.awayFrom', { number: i + 1 })} value={o.from} onChange={(e) => set({ outOfOffice: p.outOfOffice.map((x, j) => (j === i ? { ...x, from: e.currentTarget.value } : x)) })} />
              <TextInput type="date" aria-label={t('experts:profile.awayUntil', { number: i + 1 })} value={o.to} onChange={(e) => set({ outOfOffice: p.outOfOffice.map((x, j) => (j === i ? { ...x, to: e.currentTarget.value } : x)) })} />
              <Button variant="subtle" size="xs" onClick={() => set({ outOfOffice: p.outOfOffice.filter((_, j) => j !== i) })}>{t('experts:profile.remove')}</Button>
            </Group>
          ))}
          <Button variant="default" size="xs" w="fit-content" onClick={() => set({ outOfOffice: [...p.outOfOffice, { from: '', to: '' }] })}>{t('experts:profile.addAway')}</Button>
        </Stack>
        <ErrorNote error={save.error} />
        {saved && <Text c="green.9" fw={600} role="status">{t('experts:profile.saved')}</Text>}
        <Button type="submit" loading={save.isPending} w="fit-content">{t('experts:profile.save')}</Button>
      </Stack>
    </form>
    <VisitHoursCard />
    </Stack>
  );
}
