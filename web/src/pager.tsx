import { Button, Group, Pagination, Text } from '@mantine/core';

/**
 * Pages of a list. With an exact total, numbered pages. With an estimated one (a long list), only
 * the page before and the page after: a numbered last page would mean skipping a hundred thousand
 * rows to find it, and its number would be a guess.
 */
export function Pager({ total, estimated, page, pageSize, hasNext, onPage, onNext }: {
  total: number; estimated: boolean; page: number; pageSize: number; hasNext: boolean;
  onPage: (page: number) => void; onNext: () => void;
}) {
  if (!estimated) return total > pageSize ? <Pagination total={Math.ceil(total / pageSize)} value={page} onChange={onPage} /> : null;
  return (
    <Group gap="xs" aria-label="Pages">
      <Button variant="default" size="xs" disabled={page <= 1} onClick={() => onPage(1)}>First</Button>
      <Button variant="default" size="xs" disabled={page <= 1} onClick={() => onPage(page - 1)}>Previous</Button>
      <Text size="sm">Page {page.toLocaleString('en-US')}</Text>
      <Button variant="default" size="xs" disabled={!hasNext} onClick={onNext}>Next</Button>
    </Group>
  );
}
