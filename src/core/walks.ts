/**
 * One ordered page of rows matching any of several disjoint conditions (statuses, service-level
 * states, a patient's cases), as SQL. A single walk in sort order would pass every row of the
 * other conditions on its way; one index walk per condition, each stopping at the page's end,
 * merged, costs the page and not the table.
 *
 * `alias` names the table in `from`, in `orderBy` and around the merged walks, so the same
 * ORDER BY sorts both; `select` (columns of `alias`, as `alias.column`) must include the columns
 * `orderBy` uses. Conditions must not overlap (a row matching two would be listed twice).
 */
export interface MergedWalks {
  select: string;
  from: string;
  alias: string;
  where: string[];
  branches: string[];
  orderBy: string;
  limit: number;
  offset: number;
}

export function mergedWalksSql(w: MergedWalks): string {
  const page = `LIMIT ${w.limit} OFFSET ${w.offset}`;
  const walk = (branch?: string) => {
    const where = [...w.where, ...(branch ? [branch] : [])];
    return `SELECT ${w.select} ${w.from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${w.orderBy}`;
  };
  if (w.branches.length === 0) return `${walk()} ${page}`;
  if (w.branches.length === 1) return `${walk(w.branches[0])} ${page}`;
  const walks = w.branches.map((b) => `(${walk(b)} LIMIT ${w.offset + w.limit})`);
  // The walks' own columns by name (they are the alias's), not `*`: a statement returning `*` is
  // never prepared (see StatementNames), and this one is sent with every page.
  return `SELECT ${w.select} FROM (${walks.join(' UNION ALL ')}) ${w.alias} ORDER BY ${w.orderBy} ${page}`;
}

/**
 * Walk conditions for "column is one of a list" with the list bound once (as `list`, an SQL
 * parameter of type `type[]`): the condition for the total, and one branch per element. Each
 * branch names its element of the same parameter, so the total's query, which has no branches,
 * still uses every parameter it is given.
 */
export function oneOf(column: string, list: string, type: string, count: number): { any: string; branches: string[] } {
  return { any: `${column} = ANY(${list}::${type}[])`, branches: Array.from({ length: count }, (_, k) => `${column} = (${list}::${type}[])[${k + 1}]`) };
}
