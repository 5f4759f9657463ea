import { Button, Card, Group, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { put } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { languageName } from '../../languages.ts';
import { caseKeys } from '../../queryKeys.ts';
import type { Workspace } from './ReviewWorkspace.tsx';

/**
 * For the coordinator: the summary is not in the patient's language, so a translation checked by
 * a person is attached to the report (the signed original stays as written). Staff words.
 */
export function SummaryTranslationForm({ caseId, w }: { caseId: string; w: Workspace }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const latest = w.reports.at(-1);
  const language = w.summaryLanguage.patientLanguage ?? '';
  const [form, setForm] = useState({ summary: '', translatedBy: '', reviewedBy: '' });
  const save = useMutation({
    mutationFn: () => put(`/cases/${caseId}/opinion/report/${latest!.version}/translation`, { language, ...form }),
    onSuccess: () => qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'opinion') }),
  });
  if (!latest || !w.summaryLanguage.needed) return null;
  const original = latest.document.parts.map((p) => p.content.patientSummary).filter(Boolean).join('\n\n');
  return (
    <Card withBorder data-testid="translation-needed">
      <Title order={3} size="h4">{t('opinion:translate.title', { language: languageName(language) })}</Title>
      <Text size="sm" c="dimmed" mt={4}>{t('opinion:translate.intro', { preferred: languageName(language), written: languageName(w.summaryLanguage.summaryLanguage) })}</Text>
      <Text size="sm" mt="sm" fw={600}>{t('opinion:translate.signed')}</Text>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{original}</Text>
      <Textarea mt="sm" label={t('opinion:translate.field', { language: languageName(language) })} autosize minRows={3} value={form.summary} onChange={(e) => setForm({ ...form, summary: e.currentTarget.value })} lang={language} />
      <Group grow mt="xs" align="flex-start">
        <TextInput label={t('opinion:translate.translatedBy')} description={t('opinion:translate.translatedByHint')} value={form.translatedBy} onChange={(e) => setForm({ ...form, translatedBy: e.currentTarget.value })} />
        <TextInput label={t('opinion:translate.checkedBy')} description={t('opinion:translate.checkedByHint')} value={form.reviewedBy} onChange={(e) => setForm({ ...form, reviewedBy: e.currentTarget.value })} />
      </Group>
      <ErrorNote error={save.error} />
      <Group mt="sm"><Button onClick={() => save.mutate()} loading={save.isPending}>{t('opinion:translate.attach')}</Button></Group>
    </Card>
  );
}
