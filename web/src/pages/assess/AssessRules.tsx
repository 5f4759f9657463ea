import { Anchor, Badge, Card, Container, Code, List, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, useLocation } from 'react-router';
import { get, type GetResult, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';

type Predicate = Schema<'RulePredicate'>;
type Knowledge = GetResult<'/api/assessments/rules'>;
/** What every rule of the knowledge base has, whatever else it says. */
interface RuleRow { id: string; when: Predicate; sources: string[]; reviewedOn: string; text?: string; situation?: number }

/** A rule's condition in words, for clinicians reading the rules. */
export function describePredicate(p: Predicate): string {
  if ('always' in p) return 'always';
  if ('never' in p) return 'only through the condition catalogue';
  if ('all' in p) return p.all.map(describePredicate).join(' AND ');
  if ('any' in p) return `(${p.any.map(describePredicate).join(' OR ')})`;
  if ('not' in p) return `NOT ${describePredicate(p.not)}`;
  if ('is' in p) return `${p.fact} is ${JSON.stringify(p.is)}`;
  if ('in' in p) return `${p.fact} is one of ${p.in.map((x) => JSON.stringify(x)).join(', ')}`;
  return `${p.fact} includes ${JSON.stringify(p.has)}`;
}

const Src = ({ ids }: { ids: string[] }) => <>{ids.map((s, i) => <span key={s}>{i > 0 && ', '}<Anchor href={`#source-${s}`} size="sm">{s}</Anchor></span>)}</>;

function RuleTable<R extends RuleRow>({ title, rules, text = (r) => r.text ?? '' }: { title: string; rules: R[]; text?: (r: R) => string }) {
  return (
    <section aria-label={title}>
      <Title order={2} mb="xs">{title} ({rules.length})</Title>
      <Table.ScrollContainer minWidth={720}>
        <Table striped verticalSpacing="xs">
          <Table.Thead><Table.Tr><Table.Th>Rule</Table.Th><Table.Th>Says</Table.Th><Table.Th>Fires when</Table.Th><Table.Th>Sources</Table.Th><Table.Th>Reviewed</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {rules.map((r) => (
              <Table.Tr key={r.id} id={`rule-${r.id}`}>
                <Table.Td><Code>{r.id}</Code>{r.situation && <Badge ml={4} size="xs">S{r.situation}</Badge>}</Table.Td>
                <Table.Td><Text size="sm">{text(r)}</Text></Table.Td>
                <Table.Td><Text size="xs" ff="monospace">{describePredicate(r.when)}</Text></Table.Td>
                <Table.Td><Src ids={r.sources} /></Table.Td>
                <Table.Td><Text size="sm">{r.reviewedOn}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </section>
  );
}

/** Every rule, catalogue entry and source behind the assessment, for clinicians to audit. */
export function AssessRulesPage() {
  const k = useQuery({ queryKey: ['assess', 'rules'], queryFn: () => get<Knowledge>('/assessments/rules'), staleTime: Infinity });
  const location = useLocation();
  useEffect(() => {
    if (k.data && location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
  }, [k.data, location.hash]);
  const d = k.data;
  return (
    <Container size="xl" py="md">
      <Stack gap="xl">
        <Stack gap={4}>
          <Title order={1}>Assessment rules and their sources</Title>
          <Text>This page is written for doctors and reviewers who check our work. Every statement the assessment makes comes from one of these rules. Each rule names its sources and the date it was last reviewed. <Anchor component={Link} to="/assess">Back to the assessment</Anchor></Text>
          {d && <Text size="sm" c="dimmed">Knowledge version {d.version}</Text>}
        </Stack>
        <ErrorNote error={k.error} />
        {d && (
          <>
            <RuleTable title="The five situations" rules={d.rules.situations} />
            <RuleTable title="Urgency" rules={d.rules.urgency.rules} />
            <RuleTable title="Reviewers" rules={d.rules.reviewers} text={(r) => `${r.text} → ${r.specialties.join(', ')}`} />
            <RuleTable title="Specialised center" rules={d.rules.center} />
            <RuleTable title="Records checklist" rules={d.rules.checklist} text={(r) => `${r.label}. ${r.why} (Ask: ${r.from})`} />
            <RuleTable title="Questions to ask" rules={d.rules.questions} />
            <RuleTable title="Insurance and costs" rules={d.rules.coverage} />
            <section aria-label="Condition catalogue">
              <Title order={2} mb="xs">Condition catalogue ({d.conditions.length})</Title>
              <Table.ScrollContainer minWidth={720}>
                <Table striped verticalSpacing="xs">
                  <Table.Thead><Table.Tr><Table.Th>Condition</Table.Th><Table.Th>ICD-10-CM</Table.Th><Table.Th>Flags</Table.Th><Table.Th>Reviewers</Table.Th><Table.Th>Extra records</Table.Th><Table.Th>Biomarker panels</Table.Th><Table.Th>Sources</Table.Th></Table.Tr></Table.Thead>
                  <Table.Tbody>
                    {d.conditions.map((c) => (
                      <Table.Tr key={c.id} id={`condition-${c.id}`}>
                        <Table.Td>{c.label}</Table.Td>
                        <Table.Td><Code>{c.codes.join(' ')}</Code></Table.Td>
                        <Table.Td>{[c.kind, c.serious && 'serious', c.rareOrComplex && 'rare or complex', c.aggressive && 'aggressive'].filter(Boolean).join(', ')}</Table.Td>
                        <Table.Td>{c.specialties.join(', ')}</Table.Td>
                        <Table.Td>{c.records.join(', ') || '—'}</Table.Td>
                        <Table.Td>{c.panels.map((p) => `${p.panel} (${p.stage})`).join(', ') || '—'}</Table.Td>
                        <Table.Td><Src ids={c.sources} /></Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </section>
            <section aria-label="Biomarker panels">
              <Title order={2} mb="xs">Biomarker panels ({d.panels.length})</Title>
              <Stack gap="xs">
                {d.panels.map((p) => (
                  <Card key={p.id} withBorder id={`panel-${p.id}`}>
                    <Text fw={600}>{p.label} <Code>{p.id}</Code></Text>
                    {p.note && <Text size="sm">{p.note}</Text>}
                    <Text size="sm">{p.tests.map((t) => `${t.name}${t.stage ? ` [${t.stage}]` : ''}${t.optional ? ' [optional]' : ''}`).join(' · ')}</Text>
                    <Text size="sm">Sources: <Src ids={p.sources} /></Text>
                  </Card>
                ))}
              </Stack>
            </section>
            <section aria-label="Surgical volume standards">
              <Title order={2} mb="xs">Surgical volume standards</Title>
              <List>{d.volumeStandards.map((v) => <List.Item key={v.id}>{v.procedure}: at least {v.hospitalMin} a year per hospital, {v.surgeonMin} per surgeon (<Src ids={v.sources} />)</List.Item>)}</List>
            </section>
            <section aria-label="Sources">
              <Title order={2} mb="xs">Sources ({d.sources.length})</Title>
              <Stack gap="xs">
                {d.sources.map((s) => (
                  <Card key={s.id} withBorder id={`source-${s.id}`}>
                    <Text fw={600}><Code>{s.id}</Code> {s.title}</Text>
                    <Text size="sm">{s.detail}</Text>
                    {s.url && <Anchor href={s.url} size="sm" target="_blank" rel="noreferrer">{s.url}</Anchor>}
                    {s.verify && <Text size="sm" c="red.9" fw={600}>To verify: {s.verify}</Text>}
                    <Text size="xs" c="dimmed">Reviewed {s.reviewedOn}</Text>
                  </Card>
                ))}
              </Stack>
            </section>
          </>
        )}
      </Stack>
    </Container>
  );
}
