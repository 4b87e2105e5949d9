import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identifiers get a provenance (who vouches for them), and each ticket keeps the identifiers its own contacts
 * came with, so that replies go to the person who wrote and never to an address another contact added.
 *
 * Existing identifiers: what the platforms assert (a chat session, a social sender id) is `channel`; for the rest
 * nobody can now tell whether the portal or a person vouched for them, so they are `citizen` (given, not
 * verified) and join nothing until a verified contact confirms them.
 * Existing tickets: their contacts are read back from the inbound events that made their messages, with the
 * provenance their channel gives.
 */
export class ContactProvenance1795657000000 implements MigrationInterface {
  name = 'ContactProvenance1795657000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customer_identifiers" ADD "provenance" character varying(16) NOT NULL DEFAULT 'citizen'`);
    await queryRunner.query(
      `UPDATE "customer_identifiers" SET "provenance" = 'channel'
       WHERE "kind" IN ('chat_session', 'social', 'messenger_psid', 'instagram_igsid', 'telegram_chat')`,
    );
    await queryRunner.query(
      `CREATE TABLE "ticket_contacts" ("ticket_id" uuid NOT NULL, "kind" character varying(32) NOT NULL, "value" text NOT NULL, "provenance" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ticket_contacts" PRIMARY KEY ("ticket_id", "kind", "value"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_ticket_contacts_identifier" ON "ticket_contacts" ("kind", "value") `);
    await queryRunner.query(
      `ALTER TABLE "ticket_contacts" ADD CONSTRAINT "FK_ticket_contacts_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `INSERT INTO "ticket_contacts" ("ticket_id", "kind", "value", "provenance", "created_at")
       SELECT DISTINCT ON (e.ticket_id, i->>'kind', i->>'value') e.ticket_id, i->>'kind', i->>'value',
              CASE
                WHEN e.channel IN ('counter', 'phone') THEN 'staff'
                WHEN e.channel = 'chat' AND i->>'kind' = 'email' THEN 'citizen'
                WHEN e.channel IN ('email', 'voice', 'chat', 'social') THEN 'channel'
                ELSE 'citizen'
              END,
              e.received_at
       FROM "inbound_events" e
       CROSS JOIN LATERAL jsonb_array_elements(coalesce(e.payload->'from'->'identifiers', '[]'::jsonb)) AS i
       JOIN "tickets" t ON t.id = e.ticket_id
       WHERE e.ticket_id IS NOT NULL AND i->>'kind' IS NOT NULL AND i->>'value' IS NOT NULL
       ORDER BY e.ticket_id, i->>'kind', i->>'value', e.received_at`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "ticket_contacts" DROP CONSTRAINT "FK_ticket_contacts_ticket"`);
    await queryRunner.query(`DROP INDEX "ix_ticket_contacts_identifier"`);
    await queryRunner.query(`DROP TABLE "ticket_contacts"`);
    await queryRunner.query(`ALTER TABLE "customer_identifiers" DROP COLUMN "provenance"`);
  }
}
