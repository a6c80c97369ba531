/**
 * How soon a changed role cell reaches every function: each container checks the matrix's version (one
 * GetItem) at most this often, and reads the cells again (one Query) only when it moved. A change is in
 * force everywhere within this interval plus the time of one request: well inside a minute.
 */
export const ROLE_PERMISSIONS = { refreshSeconds: 15 } as const;
