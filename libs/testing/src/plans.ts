/** Query plans, for tests that assert index use and benchmarks that print what ran. */
import type pg from 'pg';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  /** With `analyze` only. */
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

function* flatten(plan: PlanNode): Generator<PlanNode> {
  yield plan;
  for (const child of plan.Plans ?? []) yield* flatten(child);
}

/** EXPLAIN (FORMAT JSON) of the query with its parameters: every node of the plan, root first. */
export async function explain(client: pg.Client, sql: string, params: unknown[], options: { analyze?: boolean } = {}): Promise<PlanNode[]> {
  const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (${options.analyze ? 'ANALYZE, ' : ''}FORMAT JSON) ${sql}`, params);
  return [...flatten(rows[0]!['QUERY PLAN'][0].Plan)];
}
