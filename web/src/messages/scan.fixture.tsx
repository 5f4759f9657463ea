// Not part of the app: what the catalogue's scanners must find and must let pass.
import { Trans, useTranslation } from 'react-i18next';
import i18n from '../i18n.ts';

export function Fixture({ r, on }: { r: 'rare'; on: boolean }) {
  const { t } = useTranslation();
  return (
    <div title="Written in the code">
      {t('home:title')} {t(`home:reasons.${r}`)}
      <Trans t={t} i18nKey="auth:register.sent.text" values={{ email: 'x' }} />
      <span aria-label={i18n.t('common:close')}>✕ · — 1.</span>
      <b>Hello</b>
      {on ? 'Yes' : null}
      <input placeholder={on ? t('home:title') : 'No'} />
    </div>
  );
}
