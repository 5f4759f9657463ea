import { Button, Container, Group, List, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

export function HomePage() {
  return (
    <Container size="sm" py="xl">
      <Stack>
        <Title order={1}>Get an expert second opinion</Title>
        <Text size="lg">
          Consilium connects you with specialists in cancer and serious lung disease. Send your records, tell us what matters to you,
          and receive a written opinion you can discuss with your own doctor.
        </Text>
        <List spacing="xs">
          <List.Item>A serious diagnosis, major surgery, or a treatment that is not working</List.Item>
          <List.Item>A rare or aggressive condition</List.Item>
          <List.Item>You are unsure about the plan</List.Item>
        </List>
        <Text size="sm" c="dimmed">This service gives information to discuss with your doctors. It is not emergency care. Do not stop or delay urgent treatment while you wait.</Text>
        <Group>
          <Button component={Link} to="/assess" size="md" variant="light">Should I get a second opinion?</Button>
          <Button component={Link} to="/register" size="md">Start a request</Button>
          <Button component={Link} to="/login" variant="default" size="md">Sign in</Button>
        </Group>
      </Stack>
    </Container>
  );
}
