import { Alert, Anchor, Box, Button, Card, Container, Group, List, Loader, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { get, type GetResult } from '../api.ts';
import { fill, HOME_COPY as C } from './homeCopy.ts';

type ServiceInfo = GetResult<'/api/reference/service'>;

/**
 * The public front door: what the service does, how it works, how long it takes, who reviews,
 * what it costs, how records are kept private, and whom to ask. The numbers, the illnesses and
 * kinds of specialists, the insurance notes and the contact come from the server's configuration.
 */
export function HomePage() {
  const info = useQuery({ queryKey: ['reference', 'service'], queryFn: () => get<ServiceInfo>('/reference/service'), staleTime: 5 * 60_000 });
  const d = info.data;
  return (
    <Container size="lg" py="xl" px={{ base: 'sm', sm: 'md' }}>
      <Stack gap={48}>
        <Hero />
        <HowItWorks followupDays={d?.followupDays} />
        {info.isLoading && <Loader aria-label="Loading" />}
        {info.isError && <Alert color="gray" title="Some details could not be loaded">Please reload the page in a moment.</Alert>}
        {d && (
          <>
            <Turnaround info={d} />
            <Experts info={d} />
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
              <Cost info={d} />
              <Privacy />
            </SimpleGrid>
            <Contact info={d} />
          </>
        )}
      </Stack>
    </Container>
  );
}

function Hero() {
  return (
    <Stack component="header" gap="md" maw={760}>
      <Title order={1}>{C.title}</Title>
      <Text size="lg">{C.intro}</Text>
      <List spacing="xs">
        {C.reasons.map((r) => <List.Item key={r}>{r}</List.Item>)}
      </List>
      <Text size="sm" c="dimmed">{C.emergency}</Text>
      <Group>
        <Button component={Link} to="/assess" size="md" variant="light">{C.assess}</Button>
        <Button component={Link} to="/register" size="md">{C.start}</Button>
        <Button component={Link} to="/login" variant="default" size="md">{C.signIn}</Button>
      </Group>
    </Stack>
  );
}

function Section({ title, id, children }: { title: string; id: string; children: React.ReactNode }) {
  return (
    <Box component="section" aria-labelledby={id}>
      <Title order={2} id={id} mb="md">{title}</Title>
      {children}
    </Box>
  );
}

function HowItWorks({ followupDays }: { followupDays?: number }) {
  return (
    <Section title={C.how.title} id="how-it-works">
      <SimpleGrid component="ol" cols={{ base: 1, sm: 3 }} spacing="lg" p={0} m={0} style={{ listStyle: 'none' }}>
        {C.how.steps.map((s, i) => (
          <Card component="li" key={s.title} withBorder padding="lg">
            <Group gap="sm" mb="xs" wrap="nowrap">
              <ThemeIcon size={36} radius="xl" aria-hidden>{i + 1}</ThemeIcon>
              <Title order={3} size="h4">{s.title}</Title>
            </Group>
            <Text>{s.text}</Text>
            {i === 2 && followupDays !== undefined && <Text mt="xs" data-testid="followup">{fill(C.how.followup, { days: followupDays })}</Text>}
          </Card>
        ))}
      </SimpleGrid>
    </Section>
  );
}

function Turnaround({ info }: { info: ServiceInfo }) {
  const numbers = { standard: info.turnaround.standardBusinessDays, expedited: info.turnaround.expeditedBusinessDays };
  const stat = (label: string, days: number, text: string, testId: string) => (
    <Card withBorder padding="lg">
      <Text fw={600}>{label}</Text>
      <Group gap={6} align="baseline" my={4}>
        <Text fz={40} fw={700} lh={1.1} data-testid={testId}>{days}</Text>
        <Text size="lg">{C.time.unit}</Text>
      </Group>
      <Text>{fill(text, numbers)}</Text>
    </Card>
  );
  return (
    <Section title={C.time.title} id="how-long">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
        {stat(C.time.standardLabel, numbers.standard, C.time.standard, 'turnaround-standard')}
        {stat(C.time.urgentLabel, numbers.expedited, C.time.urgent, 'turnaround-expedited')}
      </SimpleGrid>
      <Text size="sm" c="dimmed" mt="sm">{C.time.note}</Text>
    </Section>
  );
}

/** How many kinds of specialists show before "Show all": enough to see the range, short on a phone. */
const FIRST_SPECIALISTS = 6;

function Experts({ info }: { info: ServiceInfo }) {
  const [all, { toggle }] = useDisclosure(false);
  const shown = all ? info.specialists : info.specialists.slice(0, FIRST_SPECIALISTS);
  return (
    <Section title={C.experts.title} id="experts">
      <Text mb="md">{C.experts.text}</Text>
      <Title order={3} size="h4" mb="sm">{C.experts.lines}</Title>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md" data-testid="service-lines">
        {info.serviceLines.map((l) => (
          <Card key={l.id} withBorder padding="md">
            <Text fw={600} mb={4}>{l.label}</Text>
            <Text size="sm">{l.conditions.join(', ')}</Text>
          </Card>
        ))}
      </SimpleGrid>
      <Title order={3} size="h4" mt="lg" mb="sm">{C.experts.kinds}</Title>
      <List id="specialist-list" spacing={6} data-testid="specialists" style={{ columns: '22rem', columnGap: 'var(--mantine-spacing-xl)' }}>
        {shown.map((s) => <List.Item key={s.id} style={{ breakInside: 'avoid' }}>{s.plain}</List.Item>)}
      </List>
      {info.specialists.length > FIRST_SPECIALISTS && (
        <Button variant="subtle" px={0} mt="xs" onClick={toggle} aria-expanded={all} aria-controls="specialist-list">{all ? C.experts.less : C.experts.more}</Button>
      )}
    </Section>
  );
}

function Cost({ info }: { info: ServiceInfo }) {
  const hasContact = !!(info.contact.email || info.contact.phone);
  return (
    <Section title={C.cost.title} id="cost">
      <Stack gap="xs">
        <Text>{C.cost.depends}{hasContact && ` ${C.cost.ask}`}</Text>
        <List spacing="xs" data-testid="cost-notes">
          {info.costNotes.map((n) => <List.Item key={n.id}>{n.text}</List.Item>)}
        </List>
      </Stack>
    </Section>
  );
}

function Privacy() {
  return (
    <Section title={C.privacy.title} id="privacy">
      <List spacing="xs">
        {C.privacy.items.map((p) => <List.Item key={p}>{p}</List.Item>)}
      </List>
    </Section>
  );
}

function Contact({ info }: { info: ServiceInfo }) {
  const { email, phone } = info.contact;
  if (!email && !phone) return null;
  return (
    <Section title={C.contact.title} id="contact">
      <Card withBorder padding="lg" data-testid="contact">
        <Text mb="xs">{C.contact.text}</Text>
        <Stack gap={4}>
          {email && <Text>{C.contact.email}: <Anchor href={`mailto:${email}`}>{email}</Anchor></Text>}
          {phone && <Text>{C.contact.phone}: <Anchor href={`tel:${phone.replace(/[^+0-9]/g, '')}`}>{phone}</Anchor></Text>}
        </Stack>
      </Card>
    </Section>
  );
}
