import type { CapabilityStatement } from '@medplum/fhirtypes';

const search = (...names: [string, 'string' | 'token' | 'reference' | 'date' | 'number'][]) => names.map(([name, type]) => ({ name, type }));

/** What this FHIR endpoint serves; kept beside the routes so the two change together. */
export function capabilityStatement(base: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-25',
    kind: 'instance',
    publisher: 'Consilium',
    software: { name: 'Consilium', version: '0.1.0' },
    implementation: { description: 'Consilium second-opinion service', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json'],
    rest: [{
      mode: 'server',
      security: { description: 'Session cookie from /api/auth/login (with MFA for staff). Every read is checked against role and case grant, and audited.' },
      resource: [
        { type: 'Patient', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: search(['_id', 'token'], ['name', 'string'], ['family', 'string'], ['given', 'string'], ['birthdate', 'date'], ['_count', 'number']) },
        { type: 'ServiceRequest', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: search(['_id', 'token'], ['patient', 'reference'], ['subject', 'reference'], ['status', 'token'], ['authored', 'date'], ['identifier', 'token'], ['_count', 'number']) },
        { type: 'Consent', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: search(['patient', 'reference'], ['date', 'date'], ['status', 'token'], ['_count', 'number']) },
        { type: 'Coverage', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: search(['patient', 'reference'], ['beneficiary', 'reference'], ['_count', 'number']) },
        { type: 'Invoice', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: search(['patient', 'reference'], ['subject', 'reference'], ['status', 'token'], ['_count', 'number']) },
        { type: 'Claim', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: search(['patient', 'reference'], ['_count', 'number']) },
        { type: 'DiagnosticReport', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: search(['patient', 'reference'], ['subject', 'reference'], ['based-on', 'reference'], ['_count', 'number']) },
        { type: 'Observation', interaction: [{ code: 'read' }] },
        { type: 'Appointment', interaction: [{ code: 'read' }] },
        { type: 'Schedule', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: search(['actor', 'reference']) },
        { type: 'Slot', interaction: [{ code: 'search-type' }], searchParam: search(['schedule', 'reference'], ['start', 'date'], ['status', 'token'], ['service-type', 'token']) },
        { type: 'Practitioner', interaction: [{ code: 'read' }] },
        { type: 'PractitionerRole', interaction: [{ code: 'read' }] },
        { type: 'AuditEvent', interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam: search(['entity', 'reference'], ['patient', 'reference'], ['agent', 'reference'], ['date', 'date'], ['outcome', 'token'], ['_count', 'number']) },
      ],
    }],
  };
}
