import 'i18next';
import type account from './messages/en/account.json';
import type admin from './messages/en/admin.json';
import type assess from './messages/en/assess.json';
import type auth from './messages/en/auth.json';
import type boards from './messages/en/boards.json';
import type cases from './messages/en/cases.json';
import type common from './messages/en/common.json';
import type experts from './messages/en/experts.json';
import type home from './messages/en/home.json';
import type intake from './messages/en/intake.json';
import type messages from './messages/en/messages.json';
import type notices from './messages/en/notices.json';
import type opinion from './messages/en/opinion.json';
import type queue from './messages/en/queue.json';
import type records from './messages/en/records.json';
import type review from './messages/en/review.json';
import type trials from './messages/en/trials.json';
import type visits from './messages/en/visits.json';

// The English catalogue is the shape of every language: `tsc` fails on a key it does not have.
declare module 'i18next' {
  interface CustomTypeOptions {
    // Every namespace may be named in a key ("home:title"); keys always name theirs.
    defaultNS: ['common', 'account', 'admin', 'assess', 'auth', 'boards', 'cases', 'experts', 'home', 'intake', 'messages', 'notices', 'opinion', 'queue', 'records', 'review', 'trials', 'visits'];
    resources: { account: typeof account; admin: typeof admin; assess: typeof assess; auth: typeof auth; boards: typeof boards; cases: typeof cases; common: typeof common; experts: typeof experts; home: typeof home; intake: typeof intake; messages: typeof messages; notices: typeof notices; opinion: typeof opinion; queue: typeof queue; records: typeof records; review: typeof review; trials: typeof trials; visits: typeof visits };
  }
}
