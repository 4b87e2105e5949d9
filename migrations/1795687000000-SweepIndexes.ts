import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The periodic readers of the big tables, each with a partial index over just the rows it looks for. At
 * 1,000,000 tickets and 10,000,000 messages each scanned a whole table on every run, and together they kept
 * PostgreSQL busy while nobody was working (measured with bench:console's data): the outbound sweep looking for
 * replies still queued (2.1 s a run), the SLA's adoption of tickets without clocks (0.2 s) and the supervisors'
 * board counting what each agent handled today (1.3 s). The router's pass over the oldest waiting tickets took
 * 0.55 s with 25,000 waiting: PostgreSQL took status and assignee as independent and estimated 329 waiting
 * tickets, so it read them all and sorted them; with statistics of the two together and an index in waiting
 * order it reads the oldest 200 (1.3 ms). The queues' counts (GET /v1/queues, the console's queue list) read
 * every open ticket's row, 0.42 s; an index that holds what they count answers them from itself, 49 ms.
 *
 * Not CONCURRENTLY, for the reason InboxIndexes gives.
 */
export class SweepIndexes1795687000000 implements MigrationInterface {
  name = 'SweepIndexes1795687000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_messages_outbound_queued" ON "messages" ("created_at")
       WHERE "direction" = 'outbound' AND "delivery_status" = 'queued'`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_sla_untracked" ON "tickets" ("created_at")
       WHERE "sla_policy_id" IS NULL AND "sla_state" IS NULL AND "status" NOT IN ('resolved', 'closed', 'bot')`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_messages_agent_replies" ON "messages" ("created_at")
       WHERE "author_type" = 'agent' AND "direction" = 'outbound' AND NOT "internal"`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_resolved_by" ON "tickets" ("resolved_at") WHERE "assignee_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_waiting_oldest" ON "tickets" ("created_at", "id")
       WHERE "assignee_id" IS NULL AND "status" IN ('new', 'queued')`,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "ix_tickets_open_by_queue" ON "tickets" ("queue_id")
       INCLUDE ("id", "assignee_id", "status", "snoozed_at", "sla_state", "created_at", "institution_id", "channel")
       WHERE "status" NOT IN ('resolved', 'closed')`,
    );
    await queryRunner.query(`CREATE STATISTICS IF NOT EXISTS "st_tickets_status_assignee" (mcv) ON "status", "assignee_id" FROM "tickets"`);
    await queryRunner.query(`ANALYZE "tickets"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP STATISTICS IF EXISTS "st_tickets_status_assignee"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_open_by_queue"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_waiting_oldest"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_resolved_by"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_messages_agent_replies"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_tickets_sla_untracked"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "ix_messages_outbound_queued"`);
  }
}
