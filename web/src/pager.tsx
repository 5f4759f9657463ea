import { Button, Group, Pagination, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/**
 * Pages of a list. With an exact total, numbered pages. With an estimated one (a long list), only
 * the page before and the page after: a numbered last page would mean skipping a hundred thousand
 * rows to find it, and its number would be a guess.
 */
export function Pager({ total, estimated, page, pageSize, hasNext, shown, onPage, onNext }: {
  total: number; estimated: boolean; page: number; pageSize: number; hasNext: boolean;
  /** Rows on this page: none past the list's end (an old link, a list that shrank) says so and leads back. */
  shown?: number;
  onPage: (page: number) => void; onNext: () => void;
}) {
  const { t } = useTranslation();
  if (shown === 0 && page > 1 && total > 0) {
    const last = Math.max(1, Math.ceil(total / pageSize));
    return (
      <Group gap="xs">
        <Text size="sm" c="dimmed">{t('common:pager.pastEnd', { page })}</Text>
        <Button variant="default" size="xs" onClick={() => onPage(estimated ? 1 : last)}>{estimated ? t('common:pager.first') : t('common:pager.last', { page: last })}</Button>
      </Group>
    );
  }
  if (!estimated) return total > pageSize ? <Pagination total={Math.ceil(total / pageSize)} value={page} onChange={onPage} /> : null;
  return (
    <Group gap="xs" aria-label={t('common:pager.label')}>
      <Button variant="default" size="xs" disabled={page <= 1} onClick={() => onPage(1)}>{t('common:pager.first')}</Button>
      <Button variant="default" size="xs" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('common:pager.previous')}</Button>
      <Text size="sm">{t('common:pager.page', { page })}</Text>
      <Button variant="default" size="xs" disabled={!hasNext} onClick={onNext}>{t('common:pager.next')}</Button>
    </Group>
  );
}
