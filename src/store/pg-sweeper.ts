import type pg from 'pg';

/**
 * VACUUM of the transfer marks when the server's autovacuum is off (docs/decisions/0065).
 *
 * `eval_transfer_marks` (migration 0042) is small but churns: every transfer line is stored lone
 * with a mark, and pairing deletes it. Without VACUUM a deleted mark's heap space and key entry
 * are never reused, so the table would grow with every mark ever made (at 1 M bench lines three
 * times its live size). PostgreSQL's autovacuum does this by itself; a server configured with it
 * off (as the bench's and the test suite's are) gets the same from here: every `intervalMs`, if
 * the statistics count at least autovacuum's default threshold of dead marks (50 + 20 % of the
 * live ones), one plain VACUUM of that table alone — it takes no lock that intake's statements
 * wait for. Nothing is done, and the timer stops, where autovacuum is on.
 */
interface Sweeper {
  stop(): Promise<void>;
}

const DEFAULT_INTERVAL_MS = 15_000;

export function startMarksSweeper(pool: pg.Pool, intervalMs = DEFAULT_INTERVAL_MS): Sweeper {
  let running: Promise<void> | undefined;
  let stopped = false;
  const sweep = async (): Promise<void> => {
    const { rows } = await pool.query<{ auto: string; dead: string | null; live: string | null }>(
      `select current_setting('autovacuum') as auto, s.n_dead_tup as dead, s.n_live_tup as live
       from (select 1) one left join pg_stat_user_tables s
         on s.relname = 'eval_transfer_marks' and s.schemaname = current_schema()`,
    );
    const r = rows[0];
    if (r === undefined || r.auto === 'on') {
      stop();
      return;
    }
    if (r.dead === null) return;
    if (Number(r.dead) >= 50 + 0.2 * Number(r.live ?? 0)) await pool.query('vacuum eval_transfer_marks');
  };
  const timer = setInterval(() => {
    if (running !== undefined || stopped) return;
    running = sweep()
      // A failed sweep (the database going away, a restore holding the table) is tried again next time.
      .catch(() => {})
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  function stop(): void {
    stopped = true;
    clearInterval(timer);
  }
  return {
    async stop() {
      stop();
      await running;
    },
  };
}
