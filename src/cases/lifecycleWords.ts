import { wordsIn } from '../core/i18n.ts';
import type { Locale } from '../core/locale.ts';
import type { CaseCommand, CaseStatus } from './lifecycle.ts';

/** The names of the statuses and the words of the lifecycle's buttons in the reader's language (catalogue `lifecycle`). */
export const statusLabelIn = (status: CaseStatus, locale: Locale): string => wordsIn(locale)(`lifecycle:status.${status}`);
export const commandLabelIn = (command: CaseCommand, locale: Locale): string => wordsIn(locale)(`lifecycle:command.${command}`);
