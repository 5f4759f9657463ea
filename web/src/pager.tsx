import { Button, Group, Pagination, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/**
 * Pages of a list. With an exact total, numbered pages. With an estimated one (a long list), only
 * the page before and the page after: a numbered last page would mean skipping a hundred thousand
 * rows to find it, and its number would be a guess.
 */
export function Pager({ total, estimated, page, pageSize, hasNext, onPage, onNext }: {
  total: number; estimated: boolean; page: number; pageSize: number; hasNext: boolean;
  onPage: (page: number) => void; onNext: () => void;
}) {
  const { t } = useTranslation();
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
