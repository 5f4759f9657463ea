import { Alert, Anchor, Box, Button, Card, Container, Group, List, Loader, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, type GetResult } from '../api.ts';

type ServiceInfo = GetResult<'/api/reference/service'>;

// The words are in the catalogue (home namespace); these lists give their order on the page.
const REASONS = ['serious', 'rare', 'unsure'] as const;
const STEPS = ['tell', 'send', 'get'] as const;
const PRIVACY = ['consent', 'who', 'encrypted', 'logged', 'invite', 'mail'] as const;

/**
 * The public front door: what the service does, how it works, how long it takes, who reviews,
 * what it costs, how records are kept private, and whom to ask. The numbers, the illnesses and
 * kinds of specialists, the insurance notes and the contact come from the server's configuration.
 */
export function HomePage() {
  const info = useQuery({ queryKey: ['reference', 'service'], queryFn: () => get<ServiceInfo>('/reference/service'), staleTime: 5 * 60_000 });
  const d = info.data;
  const { t } = useTranslation();
  return (
    <Container size="lg" py="xl" px={{ base: 'sm', sm: 'md' }}>
      <Stack gap={48}>
        <Hero />
        <HowItWorks followupDays={d?.followupDays} />
        {info.isLoading && <Loader role="status" aria-label={t('common:loading')} />}
        {info.isError && <Alert color="gray" title={t('home:loadFailed.title')}>{t('home:loadFailed.text')}</Alert>}
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
  const { t } = useTranslation();
  return (
    <Stack component="header" gap="md" maw={760}>
      <Title order={1}>{t('home:title')}</Title>
      <Text size="lg">{t('home:intro')}</Text>
      <List spacing="xs">
        {REASONS.map((r) => <List.Item key={r}>{t(`home:reasons.${r}`)}</List.Item>)}
      </List>
      <Text size="sm" c="dimmed">{t('home:emergency')}</Text>
      <Group>
        <Button component={Link} to="/assess" size="md" variant="light">{t('home:assess')}</Button>
        <Button component={Link} to="/register" size="md">{t('home:start')}</Button>
        <Button component={Link} to="/login" variant="default" size="md">{t('home:signIn')}</Button>
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
  const { t } = useTranslation();
  return (
    <Section title={t('home:how.title')} id="how-it-works">
      <SimpleGrid component="ol" cols={{ base: 1, sm: 3 }} spacing="lg" p={0} m={0} style={{ listStyle: 'none' }}>
        {STEPS.map((s, i) => (
          <Card component="li" key={s} withBorder padding="lg">
            <Group gap="sm" mb="xs" wrap="nowrap">
              <ThemeIcon size={36} radius="xl" aria-hidden>{i + 1}</ThemeIcon>
              <Title order={3} size="h4">{t(`home:how.${s}.title`)}</Title>
            </Group>
            <Text>{t(`home:how.${s}.text`)}</Text>
            {s === 'get' && followupDays !== undefined && <Text mt="xs" data-testid="followup">{t('home:how.followup', { days: followupDays })}</Text>}
          </Card>
        ))}
      </SimpleGrid>
    </Section>
  );
}

function Turnaround({ info }: { info: ServiceInfo }) {
  const { t } = useTranslation();
  const numbers = { standard: info.turnaround.standardBusinessDays, expedited: info.turnaround.expeditedBusinessDays };
  const stat = (label: string, days: number, text: string, testId: string) => (
    <Card withBorder padding="lg">
      <Text fw={600}>{label}</Text>
      <Group gap={6} align="baseline" my={4}>
        <Text fz={40} fw={700} lh={1.1} data-testid={testId}>{days}</Text>
        <Text size="lg">{t('home:time.unit')}</Text>
      </Group>
      <Text>{text}</Text>
    </Card>
  );
  return (
    <Section title={t('home:time.title')} id="how-long">
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="lg">
        {stat(t('home:time.standardLabel'), numbers.standard, t('home:time.standard', numbers), 'turnaround-standard')}
        {stat(t('home:time.urgentLabel'), numbers.expedited, t('home:time.urgent', numbers), 'turnaround-expedited')}
      </SimpleGrid>
      <Text size="sm" c="dimmed" mt="sm">{t('home:time.note')}</Text>
    </Section>
  );
}

/** How many kinds of specialists show before "Show all": enough to see the range, short on a phone. */
const FIRST_SPECIALISTS = 6;

function Experts({ info }: { info: ServiceInfo }) {
  const { t } = useTranslation();
  const [all, { toggle }] = useDisclosure(false);
  const shown = all ? info.specialists : info.specialists.slice(0, FIRST_SPECIALISTS);
  return (
    <Section title={t('home:experts.title')} id="experts">
      <Text mb="md">{t('home:experts.text')}</Text>
      <Title order={3} size="h4" mb="sm">{t('home:experts.lines')}</Title>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md" data-testid="service-lines">
        {info.serviceLines.map((l) => (
          <Card key={l.id} withBorder padding="md">
            <Text fw={600} mb={4}>{l.label}</Text>
            <Text size="sm">{l.conditions.join(', ')}</Text>
          </Card>
        ))}
      </SimpleGrid>
      <Title order={3} size="h4" mt="lg" mb="sm">{t('home:experts.kinds')}</Title>
      <List id="specialist-list" spacing={6} data-testid="specialists" style={{ columns: '22rem', columnGap: 'var(--mantine-spacing-xl)' }}>
        {shown.map((s) => <List.Item key={s.id} style={{ breakInside: 'avoid' }}>{s.plain}</List.Item>)}
      </List>
      {info.specialists.length > FIRST_SPECIALISTS && (
        <Button variant="subtle" px={0} mt="xs" onClick={toggle} aria-expanded={all} aria-controls="specialist-list">{all ? t('home:experts.less') : t('home:experts.more')}</Button>
      )}
    </Section>
  );
}

function Cost({ info }: { info: ServiceInfo }) {
  const { t } = useTranslation();
  const hasContact = !!(info.contact.email || info.contact.phone);
  return (
    <Section title={t('home:cost.title')} id="cost">
      <Stack gap="xs">
        <Text>{t('home:cost.depends')}{hasContact && <> {t('home:cost.ask')}</>}</Text>
        <List spacing="xs" data-testid="cost-notes">
          {info.costNotes.map((n) => <List.Item key={n.id}>{n.text}</List.Item>)}
        </List>
      </Stack>
    </Section>
  );
}

function Privacy() {
  const { t } = useTranslation();
  return (
    <Section title={t('home:privacy.title')} id="privacy">
      <List spacing="xs">
        {PRIVACY.map((p) => <List.Item key={p}>{t(`home:privacy.items.${p}`)}</List.Item>)}
      </List>
    </Section>
  );
}

function Contact({ info }: { info: ServiceInfo }) {
  const { t } = useTranslation();
  const { email, phone } = info.contact;
  if (!email && !phone) return null;
  return (
    <Section title={t('home:contact.title')} id="contact">
      <Card withBorder padding="lg" data-testid="contact">
        <Text mb="xs">{t('home:contact.text')}</Text>
        <Stack gap={4}>
          {email && <Text>{t('home:contact.email')}: <Anchor href={`mailto:${email}`}>{email}</Anchor></Text>}
          {phone && <Text>{t('home:contact.phone')}: <Anchor href={`tel:${phone.replace(/[^+0-9]/g, '')}`}>{phone}</Anchor></Text>}
        </Stack>
      </Card>
    </Section>
  );
}
