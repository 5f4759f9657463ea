/**
 * The words of the public home page, kept apart from the layout so a test can measure their
 * reading level (grade 8 or below) and so they can be translated later. Numbers in braces come
 * from the server's configuration ({standard}, {expedited}, {days}); nothing here states a number.
 * Every claim is one the product keeps: see README (Security, Audit, Records, Opinion).
 */
export const HOME_COPY = {
  title: 'Get an expert second opinion',
  intro: 'Consilium connects you with specialists in cancer and serious lung disease. Send your records and tell us what matters to you. You get a written opinion to discuss with your own doctor.',
  reasons: [
    'A serious diagnosis, major surgery, or a treatment that is not working',
    'A rare or aggressive condition',
    'You are unsure about the plan',
  ],
  emergency: 'This service gives information to discuss with your doctors. It is not emergency care. Do not stop or delay urgent treatment while you wait.',
  assess: 'Should I get a second opinion?',
  start: 'Start a request',
  signIn: 'Sign in',
  how: {
    title: 'How it works',
    steps: [
      { title: 'Tell us about your illness', text: 'Answer a few questions about your diagnosis, the plan your doctors offered, and what matters most to you. Not sure you need a second opinion? Our short check can help.' },
      { title: 'Send your records', text: 'Upload your reports and scans from home. A care coordinator checks that nothing is missing. They can also ask your hospital for records and slides.' },
      { title: 'Get a written opinion', text: 'A specialist looks at everything and writes an opinion in plain words. Talk it over with your own doctor.' },
    ],
    followup: 'You can ask the experts follow-up questions for {days} days after you get the opinion.',
  },
  time: {
    title: 'How long it takes',
    standardLabel: 'Usual time',
    standard: 'Once we have all your records, our goal is to send your opinion within {standard} business days.',
    urgentLabel: 'When time is short',
    urgent: 'If your treatment must start soon, or you are getting worse fast, our goal is {expedited} business days.',
    unit: 'business days',
    note: 'Business days do not count weekends or holidays. Getting records from a hospital can take extra time.',
  },
  experts: {
    title: 'Who reviews your case',
    text: 'Doctors who focus on your kind of illness. We match each case to the specialists it needs.',
    lines: 'Illnesses we review',
    kinds: 'Kinds of specialists',
    more: 'Show all kinds of specialists',
    less: 'Show fewer',
  },
  cost: {
    title: 'What it costs',
    depends: 'The cost depends on the experts who review your case.',
    ask: 'Ask us what it will cost before you send your records.',
  },
  privacy: {
    title: 'Your privacy',
    items: [
      'We ask for your signed permission before anyone reviews your records.',
      'Only the people working on your request can see your records. That is you, the family or friends you invite, your care coordinator and the experts on your case. If your own doctor sent the request, they can see it too.',
      'Your files are stored in coded form (encrypted).',
      'Each time someone opens your records, it is written down. You can see who opened them in your request.',
      'You can invite a family member or friend to help, and remove them at any time.',
      'Our emails never contain your health details.',
    ],
  },
  contact: {
    title: 'Questions?',
    text: 'Write or call us about costs, records or privacy.',
    email: 'Email',
    phone: 'Phone',
  },
  /** Every text on the page, for the reading-level test. */
  all(): string[] {
    const c = HOME_COPY;
    return [
      c.title, c.intro, ...c.reasons, c.emergency, c.assess, c.start, c.signIn,
      c.how.title, ...c.how.steps.flatMap((s) => [s.title, s.text]), c.how.followup,
      c.time.title, c.time.standardLabel, c.time.standard, c.time.urgentLabel, c.time.urgent, c.time.note,
      c.experts.title, c.experts.text, c.experts.lines, c.experts.kinds,
      c.cost.title, c.cost.depends, c.cost.ask,
      c.privacy.title, ...c.privacy.items,
      c.contact.title, c.contact.text,
    ];
  },
};

/** Fills `{name}` placeholders with the server's numbers. */
export function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}
