import type { Department } from '../config/departments.js';
import type { Caller } from './caller.js';

/**
 * Who sees and makes reports (docs/reports.md): admins every department's rows, managers their own
 * department's rows; members none (403). Decided here only: the use cases ask, never test groups.
 */
export type ReportScope = { all: true } | { all: false; department: Department };

/** The rows the caller may see of a report; undefined when they may see none. */
export function reportScope(caller: Caller): ReportScope | undefined {
  if (caller.isAdmin) return { all: true };
  if (caller.isManager && caller.department) return { all: false, department: caller.department };
  return undefined;
}

/** Making a snapshot now (`POST /v1/reports/{name}/run`): the same callers as reading one. */
export const canRunReports = (caller: Caller): boolean => reportScope(caller) !== undefined;
