import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Image, Loader, Menu, SimpleGrid, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDay, get, type Schema } from '../../api.ts';
import { usePatientSide } from '../../auth.tsx';
import { ErrorNote } from '../../components.tsx';
import { modalityLabel } from '../../labels.ts';
import { caseKeys } from '../../queryKeys.ts';
import type { CaseCan } from '../../caseData.ts';

/** A case's imaging study with its series, as the API gives it. */
export type ImagingStudy = Schema<'ImagingStudy'>;

const NATIVE = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'];

/** The case's imaging studies: series with thumbnails, the viewer, comparison and de-identified export. */
export function ImagingPanel({ caseId, can }: { caseId: string; can: CaseCan }) {
  const studies = useQuery({ queryKey: caseKeys.part(caseId, 'imaging'), queryFn: () => get<ImagingStudy[]>(`/cases/${caseId}/imaging/studies`) });
  const { t } = useTranslation();
  // The hospital's accession number is for staff reconciling records (the server leaves it out for
  // the patient's side); the patient's side knows a study by its date, description and series.
  const patientSide = usePatientSide();
  if (studies.isLoading) return <Loader role="status" aria-label={t('records:imaging.loading')} />;
  if (studies.error) return <ErrorNote error={studies.error} />;
  const all = studies.data ?? [];
  if (!all.length) {
    return <Text>{t('records:imaging.none')}</Text>;
  }
  const canExport = can.exportImaging;
  return (
    <Stack>
      {all.map((s, si) => (
        <Card key={s.studyUid} withBorder>
          <Stack gap="xs">
            <Group justify="space-between" align="start">
              <Stack gap={0}>
                <Title order={3} size="h4">{s.description ?? t('records:imaging.study')}</Title>
                <Text size="sm" c="dimmed">{t('records:imaging.studyLine', { day: formatDay(s.date, t('records:imaging.dateUnknown')), series: t('records:images.seriesCount', { count: s.series.length }) })}{s.accession && !patientSide ? t('records:imaging.accession', { accession: s.accession }) : ''}</Text>
              </Stack>
              {canExport && <ExportMenu caseId={caseId} studyUid={s.studyUid} />}
            </Group>
            {s.identityFlag && <Alert color="orange" title={patientSide ? t('records:imaging.identityPatientSide') : t('records:imaging.identity')}>{s.identityFlag}</Alert>}
            <SimpleGrid cols={{ base: 2, sm: 4, md: 6 }}>
              {s.series.map((se) => {
                const prior = all.slice(si + 1).flatMap((p) => p.series.filter((x) => x.modality === se.modality).map((x) => `${p.studyUid}:${x.seriesUid}`))[0];
                const base = `/cases/${caseId}/viewer?series=${s.studyUid}:${se.seriesUid}`;
                // A whole-slide image opens in the slide viewer, listed with the digital slides below.
                if (se.slideId) {
                  return (
                    <Card key={se.seriesUid} withBorder padding="xs" data-testid="slide-series">
                      <Anchor component={Link} to={`/cases/${caseId}/slides/${se.slideId}`} size="sm">{t('records:imaging.slideSeries', { name: se.description ?? '' })}</Anchor>
                      <Group gap={4} mt={4}>{se.modality && <ModalityBadge code={se.modality} />}</Group>
                    </Card>
                  );
                }
                return (
                  <Card key={se.seriesUid} withBorder padding="xs">
                    <Anchor component={Link} to={base} aria-label={t('records:imaging.openSeries', { name: se.description ?? se.number ?? '' })}>
                      {NATIVE.includes(se.transferSyntax)
                        ? <Image src={`/dicomweb/studies/${s.studyUid}/series/${se.seriesUid}/thumbnail?viewport=160,160`} alt={t('records:imaging.thumbnail', { name: se.description ?? '' })} h={120} fit="contain" bg="black" />
                        : <Text size="xs" h={120} bg="dark" c="white" ta="center" pt={48}>{t('records:imaging.compressed')}</Text>}
                    </Anchor>
                    <Group gap={4} mt={4}>
                      {se.modality && <ModalityBadge code={se.modality} />}
                      <Text size="xs">{se.description ?? t('records:imaging.series', { number: se.number ?? '' })}</Text>
                    </Group>
                    <Text size="xs" c="dimmed">{t('records:imaging.frames', { count: se.frames })}</Text>
                    {prior && <Anchor size="xs" component={Link} to={`${base}&compare=${prior}`}>{t('records:imaging.compare')}</Anchor>}
                  </Card>
                );
              })}
            </SimpleGrid>
          </Stack>
        </Card>
      ))}
    </Stack>
  );
}

/** A series' kind of imaging, in the reader's words ("TC" in Spanish), named in full on hover and to screen readers. */
function ModalityBadge({ code }: { code: string }) {
  const { short, name } = modalityLabel(code);
  // A badge may carry no name of its own (axe): the screen reader reads the hidden full name instead of the letters.
  return <Badge size="xs" variant="filled" title={name}><span aria-hidden="true">{short}</span><VisuallyHidden>{name}</VisuallyHidden></Badge>;
}

function ExportMenu({ caseId, studyUid }: { caseId: string; studyUid: string }) {
  const [dates, setDates] = useState<'off' | 'full' | 'modified'>('off');
  const [clean, setClean] = useState(false);
  const { t } = useTranslation();
  const href = `/api/cases/${caseId}/imaging/studies/${studyUid}/export?retainLongitudinal=${dates}&cleanDescriptors=${clean}`;
  return (
    <Menu closeOnItemClick={false} position="bottom-end">
      <Menu.Target><Button size="xs" variant="light">{t('records:imaging.export.button')}</Button></Menu.Target>
      <Menu.Dropdown p="sm" maw={320}>
        <Stack gap="xs">
          <Text size="xs">{t('records:imaging.export.profile')}</Text>
          <Checkbox label={t('records:imaging.export.realDates')} checked={dates === 'full'} onChange={(e) => setDates(e.currentTarget.checked ? 'full' : 'off')} />
          <Checkbox label={t('records:imaging.export.shiftDates')} checked={dates === 'modified'} onChange={(e) => setDates(e.currentTarget.checked ? 'modified' : 'off')} />
          <Checkbox label={t('records:imaging.export.descriptions')} checked={clean} onChange={(e) => setClean(e.currentTarget.checked)} />
          <Button component="a" href={href} size="xs">{t('records:imaging.export.download')}</Button>
        </Stack>
      </Menu.Dropdown>
    </Menu>
  );
}
