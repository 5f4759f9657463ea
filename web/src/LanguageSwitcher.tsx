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
    // Signed in, the account's language is saved first: notices are written in it.
    if (me) await save.mutateAsync(language).catch(() => undefined);
    void refetch();
  };
  return (
    <NativeSelect size="xs" w={110} aria-label={t('common:language.label')} value={i18n.language} onChange={(e) => void change(e.currentTarget.value)} data-testid="language">
      {LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{LANGUAGE_NAMES[l] ?? l}</option>)}
    </NativeSelect>
  );
}

/**
 * Once signed in, the account's saved language is the one the pages use; an account that has not
 * chosen one yet keeps the language in use on this device, saved for its mail and notices.
 */
export function useAccountLanguage(me: Me | null | undefined) {
  const { i18n } = useTranslation();
  const qc = useQueryClient();
  const refetch = useRefetchInLanguage();
  const saved = me?.user.locale;
  const signedIn = !!me && me.session.mfaState === 'ok';
  useEffect(() => {
    if (saved && saved !== i18n.language && LANGUAGES.includes(saved)) void chooseLanguage(saved).then(refetch);
    else if (me && saved === null && signedIn) {
      void put('/auth/locale', { locale: i18n.language }).then(() => qc.setQueryData<Me>(['me'], { ...me, user: { ...me.user, locale: i18n.language } })).catch(() => undefined);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [saved, signedIn]);
}
