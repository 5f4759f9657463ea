/**
 * The words of the public assessment pages, kept apart from the layout so a test can measure
 * their reading level (grade 8 or below) and so they can be translated later.
 */
export const ASSESS_COPY = {
  title: 'Should I get a second opinion?',
  intro: 'Answer a few short questions. We will show which reasons for a second opinion fit you, how soon to act, who should look at your case, and which records to gather.',
  privacy: 'Your answers stay in this browser. We do not save them unless you start a request.',
  notAdvice: 'This is information to help you talk with your doctors. It is not medical advice.',
  skip: 'You can skip any question. "Not sure" is always a fine answer.',
  steps: {
    diagnosis: { title: 'Your diagnosis', search: 'Search for the diagnosis by name or code', searchHint: 'For example: lung cancer, COPD, or C34.', matches: 'Matches', noMatches: 'No matches — try another word, or describe it in your own words.', chosen: 'Chosen:', clear: 'clear', words: 'Or say it in your own words', notSure: 'I am not sure of the diagnosis', status: 'When did you learn about it?', statusNew: 'Recently (it is new)', statusOld: 'I have had it for a while', spread: 'Has the cancer spread to other parts of the body?' },
    surgery: { title: 'Surgery', asked: 'Has a doctor said you should have an operation?', which: 'Which operation?', approach: 'How will it be done?', open: 'Open surgery (one larger cut)', keyhole: 'Keyhole surgery (small cuts, such as VATS)', robotic: 'Robotic surgery' },
    treatment: { title: 'Treatment so far', received: 'Which treatments have you had, or have now?', working: 'Is the treatment working?', tooEarly: 'It is too early to tell', sideEffects: 'The side effects are too hard to live with' },
    course: { title: 'How things are going', progressing: 'The illness got worse during treatment', rapid: 'The illness or my breathing is getting worse quickly', aggressive: 'A doctor said it is aggressive or fast-growing', timing: 'When is treatment or surgery due to start?' },
    records: { title: 'Records you have', have: 'Which of these do you already have?', tests: 'Which of these tests were done?', ngs: 'A broad gene panel (NGS) was done', none: 'Tell us about your diagnosis first, and we will list the records that fit it.' },
    feelings: { title: 'How you feel about the plan', explained: 'Was your illness and the plan explained well?', alternatives: 'Did your doctor talk about other choices?', fits: 'Does the plan fit what matters most to you?', confirm: 'I would like another expert to confirm the plan', priorities: 'What matters most to you? Pick in order.' },
  },
  yes: 'Yes',
  no: 'No',
  notSure: 'Not sure',
  back: 'Back',
  next: 'Next',
  seeResults: 'See my results',
  result: {
    title: 'Your results',
    answer: 'A second opinion could help you.',
    fit: 'Reasons that fit your answers:',
    diagnosis: 'Diagnosis:',
    next: 'What happens next',
    steps: [
      'Start a request. We fill in what you told us, and you can change it.',
      'Gather the records on the list below. You can upload them to your request.',
      'A care coordinator checks your records and finds the right expert.',
      'The expert looks at everything and writes an opinion for you and your doctor.',
    ],
    details: 'The details',
    situations: 'Reasons for a second opinion that fit you',
    urgency: 'How soon to act',
    expedited: 'Soon: ask for a fast review',
    standard: 'There is time for a careful review',
    reviewers: 'Who should look at your case',
    center: 'Does a large, experienced center matter?',
    volume: 'Look for a hospital that does at least {hospital} of these operations a year, and a surgeon who does at least {surgeon}.',
    checklist: 'Records to gather',
    have: 'You have this',
    notYet: 'Not yet',
    ask: 'Ask',
    biomarkers: 'Tests for your type of cancer',
    done: 'Done',
    missing: 'Not on file yet',
    checkReport: 'Check your gene panel report',
    mayApply: 'May apply',
    questions: 'Questions to ask your doctor',
    coverage: 'Insurance and costs',
    why: 'Why?',
    sources: 'Where this comes from',
    print: 'Print',
    pdf: 'Download PDF',
    start: 'Start a request with these answers',
    startHint: 'We will fill in what you told us. You can change it later.',
    again: 'Change my answers',
    rules: 'See all the rules and their sources',
  },
  all(): string[] {
    const out: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === 'string') out.push(v.replace(/\{\w+\}/g, '20'));
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk({ ...this, all: undefined });
    return out;
  },
};
