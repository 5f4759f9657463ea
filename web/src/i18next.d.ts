import 'i18next';
import type cases from './messages/en/cases.json';
import type common from './messages/en/common.json';
import type notices from './messages/en/notices.json';

// The English catalogue is the shape of every language: `tsc` fails on a key it does not have.
declare module 'i18next' {
  interface CustomTypeOptions {
    // Every namespace may be named in a key ("home:title"); keys always name theirs.
    defaultNS: ['common', 'cases', 'notices'];
    resources: { cases: typeof cases; common: typeof common; notices: typeof notices };
  }
}
