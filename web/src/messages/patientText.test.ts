import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, WEB_SRC, wordsInCode } from './scan.ts';

/**
 * The screens patients, caregivers and referring physicians see take every word from the
 * catalogue. Staff-only screens (queue, admin, expert workspaces, the image viewer page, the expert
 * opinion editor in opinion/ReviewWorkspace.tsx) are written for clinicians and are left out.
 */
const PATIENT_FACING = [
  'App.tsx', 'components.tsx', 'main.tsx',
  'pages/Home.tsx', 'pages/assess/AssessPage.tsx', 'pages/assess/AssessResult.tsx', 'pages/assess/AssessRules.tsx',
  'pages/Auth.tsx', 'pages/PasswordStrength.tsx', 'pages/Invitation.tsx', 'pages/Account.tsx',
  'pages/MyCases.tsx', 'pages/CaseProgress.tsx', 'pages/CasePage.tsx', 'pages/IntakeWizard.tsx', 'pages/Caregivers.tsx',
  'pages/records/RecordsPanel.tsx', 'pages/records/MaterialPanel.tsx', 'pages/imaging/ImagingPanel.tsx', 'pages/imaging/ViewerPage.tsx', 'pages/pathology/SlidesPanel.tsx', 'pages/pathology/SlideViewerPage.tsx', 'pages/pathology/SlideMeasurements.tsx',
  'pages/opinion/OpinionPanel.tsx', 'pages/boards/CaseBoardPanel.tsx', 'pages/visits/CaseVisitsPanel.tsx', 'pages/messages/MessagesPanel.tsx', 'pages/messages/AttachFile.tsx', 'pages/visits/VisitRoomPage.tsx', 'pages/opinion/OutcomesPage.tsx', 'pages/Notifications.tsx',
  'pages/costs/CostEstimate.tsx', 'pages/costs/Invoices.tsx', 'pages/costs/InsuranceCard.tsx',
];

describe('patient-facing screens', () => {
  it.each(PATIENT_FACING)('%s writes no words of its own', (file) => {
    expect(wordsInCode(parse(path.join(WEB_SRC, file)))).toEqual([]);
  });

  it('the scan finds words in JSX text, visible props and shown branches, and lets signs pass', () => {
    const found = wordsInCode(parse(path.join(import.meta.dirname, 'scan.fixture.tsx'))).map((f) => f.text);
    expect(found).toEqual(['Written in the code', 'Hello', 'Yes', 'No']);
  });
});
