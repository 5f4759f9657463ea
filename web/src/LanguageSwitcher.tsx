import { NativeSelect } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { put } from './api.ts';
import type { Me } from './auth.tsx';
import { chooseLanguage, LANGUAGE_NAMES, LANGUAGES } from './i18n.ts';

/** After a switch, what the server wrote (rules, documents, notices) is asked for again in the new language. */
function useRefetchInLanguage() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
}

/**
 * The language switcher on every page. Each language is named in itself, so a reader finds
 * theirs whatever the page is in; signed in, the choice is saved with the account (its mail
 * follows it too).
 */
export function LanguageSwitcher({ me }: { me?: Me | null }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const refetch = useRefetchInLanguage();
  const save = useMutation({
    mutationFn: (locale: string) => put('/auth/locale', { locale }),
    onSuccess: (_r, locale) => me && qc.setQueryData<Me>(['me'], { ...me, user: { ...me.user, locale } }),
  });
  const change = async (language: string) => {
    await chooseLanguage(language);
    void refetch();
    if (me) save.mutate(language);
  };
  return (
    <NativeSelect size="xs" w={110} aria-label={t('common:language.label')} value={i18n.language} onChange={(e) => void change(e.currentTarget.value)} data-testid="language">
      {LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l] ?? l}</option>)}
    </NativeSelect>
  );
}

/** Once signed in, the account's saved language is the one the pages use. */
export function useAccountLanguage(me: Me | null | undefined) {
  const { i18n } = useTranslation();
  const refetch = useRefetchInLanguage();
  const saved = me?.user.locale;
  useEffect(() => {
    if (saved && saved !== i18n.language && LANGUAGES.includes(saved)) void chooseLanguage(saved).then(refetch);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved]);
}
