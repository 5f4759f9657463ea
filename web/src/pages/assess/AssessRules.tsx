import { Anchor, Badge, Card, Container, Code, List, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import i18n from '../../i18n.ts';
import { formatDay, get, type GetResult, type Schema } from '../../api.ts';
import { ErrorNote, WideTable } from '../../components.tsx';

type Predicate = Schema<'RulePredicate'>;
type Knowledge = GetResult<'/api/assessments/rules'>;
/** What every rule of the knowledge base has, whatever else it says. */
interface RuleRow { id: string; when: Predicate; sources: string[]; reviewedOn: string; text?: string; situation?: number }

/** A rule's condition in words, for clinicians reading the rules. */
export function describePredicate(p: Predicate): string {
  if ('always' in p) return i18n.t('assess:rules.predicate.always');
  if ('never' in p) return i18n.t('assess:rules.predicate.never');
  if ('all' in p) return p.all.map(describePredicate).join(i18n.t('assess:rules.predicate.and'));
  if ('any' in p) return `(${p.any.map(describePredicate).join(i18n.t('assess:rules.predicate.or'))})`;
  if ('not' in p) return i18n.t('assess:rules.predicate.not', { inner: describePredicate(p.not) });
  if ('is' in p) return i18n.t('assess:rules.predicate.is', { fact: p.fact, value: JSON.stringify(p.is) });
  if ('in' in p) return i18n.t('assess:rules.predicate.in', { fact: p.fact, values: p.in.map((x) => JSON.stringify(x)).join(', ') });
  return i18n.t('assess:rules.predicate.has', { fact: p.fact, value: JSON.stringify(p.has) });
}

/** Whether the page shows rule ids, conditions and codes (for clinicians auditing it), and the sources' titles. */
const Details = createContext<{ technical: boolean; titles: Map<string, string> }>({ technical: false, titles: new Map() });

/** Sources cited by title (by id too, with the technical details). */
function Src({ ids }: { ids: string[] }) {
  const { technical, titles } = useContext(Details);
  return <>{ids.map((s, i) => <span key={s}>{i > 0 && '; '}<Anchor href={`#source-${s}`} size="sm">{technical ? s : titles.get(s) ?? s}</Anchor></span>)}</>;
}

function RuleTable<R extends RuleRow>({ title, rules, text = (r) => r.text ?? '' }: { title: string; rules: R[]; text?: (r: R) => string }) {
  const { t } = useTranslation();
  const { technical } = useContext(Details);
  return (
    <section aria-label={title}>
      <Title order={2} mb="xs">{t('assess:rules.count', { title, count: rules.length })}</Title>
      <WideTable minWidth={technical ? 720 : 0}>
        <Table striped verticalSpacing="xs">
          <Table.Thead><Table.Tr>{technical && <Table.Th>{t('assess:rules.column.rule')}</Table.Th>}<Table.Th>{t('assess:rules.column.says')}</Table.Th>{technical && <Table.Th>{t('assess:rules.column.when')}</Table.Th>}<Table.Th>{t('assess:rules.column.sources')}</Table.Th><Table.Th>{t('assess:rules.column.reviewed')}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {rules.map((r) => (
              <Table.Tr key={r.id} id={`rule-${r.id}`}>
                {technical && <Table.Td><Code>{r.id}</Code>{r.situation && <Badge ms={4} size="xs">{t('assess:rules.situation', { number: r.situation })}</Badge>}</Table.Td>}
                <Table.Td><Text size="sm">{text(r)}</Text></Table.Td>
                {technical && <Table.Td><Text size="xs" ff="monospace">{describePredicate(r.when)}</Text></Table.Td>}
                <Table.Td><Src ids={r.sources} /></Table.Td>
                <Table.Td><Text size="sm">{formatDay(r.reviewedOn)}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </WideTable>
    </section>
  );
}

/** Every rule, catalogue entry and source behind the assessment, for clinicians to audit. */
export function AssessRulesPage() {
  const k = useQuery({ queryKey: ['assess', 'rules'], queryFn: () => get<Knowledge>('/assessments/rules'), staleTime: Infinity });
  const location = useLocation();
  const { t } = useTranslation();
  useEffect(() => {
    if (k.data && location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
  }, [k.data, location.hash]);
  const d = k.data;
  const [technical, setTechnical] = useState(false);
  const details = useMemo(() => ({ technical, titles: new Map((d?.sources ?? []).map((s) => [s.id, s.title])) }), [technical, d]);
  const specialty = (id: string) => (id === '@condition' ? t('assess:rules.conditionSpecialist') : d?.specialties.find((s) => s.id === id)?.label ?? id);
  return (
    <Details.Provider value={details}>
    <Container size="xl" py="md">
      <Stack gap="xl">
        <Stack gap={4}>
          <Title order={1}>{t('assess:rules.title')}</Title>
          <Text>{t('assess:rules.intro')} <Anchor component={Link} to="/assess">{t('assess:rules.back')}</Anchor></Text>
          {d && <Text size="sm" c="dimmed">{t('assess:rules.version', { version: /^\d{4}-\d{2}-\d{2}$/.test(d.version) ? formatDay(d.version) : d.version })}</Text>}
          <Switch mt="xs" label={t('assess:rules.technical')} checked={technical} onChange={(e) => setTechnical(e.currentTarget.checked)} />
        </Stack>
        <ErrorNote error={k.error} />
        {d && (
          <>
            <RuleTable title={t('assess:rules.table.situations')} rules={d.rules.situations} />
            <RuleTable title={t('assess:rules.table.urgency')} rules={d.rules.urgency.rules} />
            <RuleTable title={t('assess:rules.table.reviewers')} rules={d.rules.reviewers} text={(r) => t('assess:rules.reviewersText', { text: r.text, who: r.specialties.map(specialty).join(', ') })} />
            <RuleTable title={t('assess:rules.table.center')} rules={d.rules.center} />
            <RuleTable title={t('assess:rules.table.checklist')} rules={d.rules.checklist} text={(r) => t('assess:rules.checklistText', { label: r.label, why: r.why, from: r.from })} />
            <RuleTable title={t('assess:rules.table.questions')} rules={d.rules.questions} />
            <RuleTable title={t('assess:rules.table.coverage')} rules={d.rules.coverage} />
            {technical && <section aria-label={t('assess:rules.table.conditions')}>
              <Title order={2} mb="xs">{t('assess:rules.count', { title: t('assess:rules.table.conditions'), count: d.conditions.length })}</Title>
              <WideTable minWidth={720}>
                <Table striped verticalSpacing="xs">
                  <Table.Thead><Table.Tr><Table.Th>{t('assess:rules.column.condition')}</Table.Th><Table.Th>{t('assess:rules.column.codes')}</Table.Th><Table.Th>{t('assess:rules.column.flags')}</Table.Th><Table.Th>{t('assess:rules.column.reviewers')}</Table.Th><Table.Th>{t('assess:rules.column.records')}</Table.Th><Table.Th>{t('assess:rules.column.panels')}</Table.Th><Table.Th>{t('assess:rules.column.sources')}</Table.Th></Table.Tr></Table.Thead>
                  <Table.Tbody>
                    {d.conditions.map((c) => (
                      <Table.Tr key={c.id} id={`condition-${c.id}`}>
                        <Table.Td>{c.label}</Table.Td>
                        <Table.Td><Code>{c.codes.join(' ')}</Code></Table.Td>
                        <Table.Td>{[c.kind, c.serious && t('assess:rules.flag.serious'), c.rareOrComplex && t('assess:rules.flag.rare'), c.aggressive && t('assess:rules.flag.aggressive')].filter(Boolean).join(', ')}</Table.Td>
                        <Table.Td>{c.specialties.join(', ')}</Table.Td>
                        <Table.Td>{c.records.join(', ') || '—'}</Table.Td>
                        <Table.Td>{c.panels.map((p) => `${p.panel} (${p.stage})`).join(', ') || '—'}</Table.Td>
                        <Table.Td><Src ids={c.sources} /></Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </WideTable>
            </section>}
            {technical && <section aria-label={t('assess:rules.table.panels')}>
              <Title order={2} mb="xs">{t('assess:rules.count', { title: t('assess:rules.table.panels'), count: d.panels.length })}</Title>
              <Stack gap="xs">
                {d.panels.map((p) => (
                  <Card key={p.id} withBorder id={`panel-${p.id}`}>
                    <Text fw={600}>{p.label} <Code>{p.id}</Code></Text>
                    {p.note && <Text size="sm">{p.note}</Text>}
                    <Text size="sm">{p.tests.map((x) => `${x.name}${x.stage ? ` [${x.stage}]` : ''}${x.optional ? ` ${t('assess:rules.optional')}` : ''}`).join(' · ')}</Text>
                    <Text size="sm">{t('assess:rules.panelSources')} <Src ids={p.sources} /></Text>
                  </Card>
                ))}
              </Stack>
            </section>}
            <section aria-label={t('assess:rules.table.volume')}>
              <Title order={2} mb="xs">{t('assess:rules.table.volume')}</Title>
              <List>{d.volumeStandards.map((v) => <List.Item key={v.id}>{t('assess:rules.volumeLine', { procedure: v.procedure, hospital: v.hospitalMin, surgeon: v.surgeonMin })} (<Src ids={v.sources} />)</List.Item>)}</List>
            </section>
            <section aria-label={t('assess:rules.table.sources')}>
              <Title order={2} mb="xs">{t('assess:rules.count', { title: t('assess:rules.table.sources'), count: d.sources.length })}</Title>
              <Stack gap="xs">
                {d.sources.map((s) => (
                  <Card key={s.id} withBorder id={`source-${s.id}`}>
                    <Text fw={600}>{technical && <><Code>{s.id}</Code> </>}{s.title}</Text>
                    <Text size="sm">{s.detail}</Text>
                    {s.url && <Anchor href={s.url} size="sm" target="_blank" rel="noreferrer">{s.url}</Anchor>}
                    {s.verify && <Text size="sm" c="red.9" fw={600}>{t('assess:rules.toVerify', { what: s.verify })}</Text>}
                    <Text size="xs" c="dimmed">{t('assess:rules.reviewedOn', { day: formatDay(s.reviewedOn) })}</Text>
                  </Card>
                ))}
              </Stack>
            </section>
          </>
        )}
      </Stack>
    </Container>
    </Details.Provider>
  );
}
