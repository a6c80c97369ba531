import { type Department, isDepartment } from '../config/departments.js';
import type { HandoffSide } from '../domain/handoffs.js';
import type { Caller } from './caller.js';
import { canCreate } from './policy.js';

/**
 * The handoff rules: who reads a handoff, who moves it, and from which department a request goes.
 * A handoff is between two departments: the requesting one (its `ownerDept`) and the receiving one
 * (`toDept`); both read it, admins read and do everything.
 */
export interface HandoffParties {
  ownerId: string;
  ownerDept: string;
  toDept: string;
}

export function canReadHandoff(caller: Caller, handoff: HandoffParties): boolean {
  if (caller.isAdmin) return true;
  const mine = caller.department;
  return mine !== undefined && (mine === handoff.ownerDept || mine === handoff.toDept);
}

/**
 * The receiving department (members and managers) moves a handoff on; the requester (its owner, or a
 * manager of the requesting department) may take it back. Admins may make every move.
 */
export function canMoveHandoff(caller: Caller, handoff: HandoffParties, side: HandoffSide): boolean {
  if (caller.isAdmin) return true;
  const mine = caller.department;
  if (mine === undefined) return false;
  if (side === 'receiver') return mine === handoff.toDept;
  return mine === handoff.ownerDept && (caller.userId === handoff.ownerId || caller.isManager);
}

/**
 * The `toDept` a move by this caller must find, known without reading the handoff: a receiver's move by
 * a member of a department is only ever of handoffs to that department. None for admins (they move any)
 * and for the requester's side (which the handoff's requester decides).
 */
export function receivingDepartmentOf(caller: Caller, side: HandoffSide): Department | undefined {
  return side === 'receiver' && !caller.isAdmin ? caller.department : undefined;
}

/** Every department (and admins) may request handoffs. */
export function canRequestHandoff(caller: Caller): boolean {
  return canCreate(caller, 'handoffs');
}

/**
 * The department a request comes from: the caller's. An admin without one hands over on behalf of the
 * department that owns the record (undefined when that is no known department: nothing to hand over from).
 */
export function handoffOrigin(caller: Caller, recordOwnerDept: string): Department | undefined {
  if (caller.department) return caller.department;
  return caller.isAdmin && isDepartment(recordOwnerDept) ? recordOwnerDept : undefined;
}
