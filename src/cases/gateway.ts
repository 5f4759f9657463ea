import { recordAudit, type AuditInput } from '../core/audit.ts';
import { openCase, type CaseRow, type OpenedCase } from '../core/access.ts';
import type { Permission } from '../core/auth/roles.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import { SYSTEM_META } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { CaseEventDetail, CaseEventType } from '../events/catalog.ts';
import { emit } from '../events/emit.ts';
import type { CaseCommand } from './lifecycle.ts';

export interface TransitionInput {
  reason?: string;
  expertId?: string;
  followupEnded?: boolean;
}

/**
 * One case, opened for one piece of work in one transaction: who acts and from where are bound
 * once. It is the way to change a case: its state only through `transition` (the lifecycle
 * decides), its story through `emit`, and every change leaves `audit` (written at commit).
 */
export interface CaseGateway extends OpenedCase {
  transition(command: CaseCommand, input?: TransitionInput): Promise<void>;
  emit<K extends CaseEventType>(type: K, detail: CaseEventDetail<K>, at?: { from?: string | null; to?: string | null }): Promise<string>;
  audit(action: string, more?: Partial<Pick<AuditInput, 'entityType' | 'entityId' | 'detail' | 'outcome'>>): Promise<void>;
}

type Apply = (tx: Queryable, actor: Actor | null, opened: OpenedCase, command: CaseCommand, input: TransitionInput, meta: RequestMeta) => Promise<void>;

function gateway(tx: Queryable, actor: Actor | null, opened: OpenedCase, meta: RequestMeta, apply: Apply): CaseGateway {
  const caseId = opened.row.id;
  return {
    ...opened,
    transition: (command, input = {}) => apply(tx, actor, opened, command, input, meta),
    emit: (type, detail, at) => emit(tx, { caseId, actorId: actor?.userId ?? null, type, detail, from: at?.from, to: at?.to } as Parameters<typeof emit>[1]),
    audit: (action, more = {}) => recordAudit(tx, { actor, meta, action, entityType: more.entityType ?? 'Case', entityId: more.entityId ?? caseId, caseId, detail: more.detail, outcome: more.outcome }),
  };
}

/** The three ways to open a case, depending on who stands behind the work. */
export function caseGateways(apply: Apply) {
  return {
    /** For a person: role and grant are checked (a refusal is a 404 and a "denied" audit event). */
    async open(tx: Queryable, actor: Actor, caseId: string, permission: Permission, meta: RequestMeta, opts: { forUpdate?: boolean; auditAction?: string } = {}): Promise<CaseGateway> {
      return gateway(tx, actor, await openCase(tx, actor, caseId, permission, meta, opts), meta, apply);
    },
    /** For a person whose right to act was established another way (an open offer to them). */
    entrusted(tx: Queryable, actor: Actor, row: CaseRow, meta: RequestMeta): CaseGateway {
      return gateway(tx, actor, { row, relations: [] }, meta, apply);
    },
    /** For the service itself (a background job), on a row it locked. */
    system(tx: Queryable, row: CaseRow): CaseGateway {
      return gateway(tx, null, { row, relations: [] }, SYSTEM_META, apply);
    },
  };
}
