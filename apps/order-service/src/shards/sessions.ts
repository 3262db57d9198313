/** Sessions of their own on shards, for what spans two servers in explicit transactions (a bucket move, its recovery). */
import pg from 'pg';

/** A shard as a move sees it. */
export interface MoveShard {
  id: number;
  name: string;
  url: string;
}

/**
 * A session on a shard. UTC, so that the text of a timestamp (what the
 * move's checksums read) is the same on every server whatever its settings.
 */
export async function session(shard: MoveShard): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: shard.url, options: '-c TimeZone=UTC', application_name: 'oms-bucket-move' });
  client.on('error', () => {}); // a server gone mid-step fails the step's query; this only keeps the process up
  await client.connect();
  return client;
}

/** Runs `work` on a session per shard, closed afterwards. */
export async function withSessions<T>(shards: MoveShard[], work: (sessions: pg.Client[]) => Promise<T>): Promise<T> {
  const sessions = await Promise.all(shards.map(session));
  try {
    return await work(sessions);
  } finally {
    await Promise.all(sessions.map((s) => s.end().catch(() => {})));
  }
}
