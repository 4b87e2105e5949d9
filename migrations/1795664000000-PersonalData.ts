import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Subject requests (access and erasure) with their one-time download links, legal holds on tickets, and an audit
 * trail PostgreSQL itself keeps append-only: a trigger refuses UPDATE, DELETE and TRUNCATE on audit_events, except
 * for the two paths the application names in its own transaction (SET LOCAL): an erasure may blank personal data
 * in `detail` (never who, what, which or when), and retention may delete old rows.
 */
export class PersonalData1795664000000 implements MigrationInterface {
  name = 'PersonalData1795664000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "subject_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(16) NOT NULL, "identifier_kind" character varying(16) NOT NULL, "identifiers" jsonb, "reason" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'queued', "step" character varying(32), "progress" smallint NOT NULL DEFAULT '0', "working" jsonb, "result" jsonb, "error" text, "archive" bytea, "archive_sha256" character varying(64), "requested_by_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_subject_requests" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "subject_request_downloads" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "request_id" uuid NOT NULL, "created_by_id" uuid NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "consumed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_subject_request_downloads" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_subject_request_downloads_request" ON "subject_request_downloads" ("request_id") `);
    await queryRunner.query(
      `ALTER TABLE "subject_request_downloads" ADD CONSTRAINT "FK_subject_request_downloads_request" FOREIGN KEY ("request_id") REFERENCES "subject_requests"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE TABLE "legal_holds" ("ticket_id" uuid NOT NULL, "reason" text NOT NULL, "set_by_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_legal_holds" PRIMARY KEY ("ticket_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "legal_holds" ADD CONSTRAINT "FK_legal_holds_ticket" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Subject requests read, and erasures blank, the events of a person's tickets.
    await queryRunner.query(`CREATE INDEX "ix_inbound_events_ticket" ON "inbound_events" ("ticket_id") `);
    // The audit list pages newest first by (created_at, id).
    await queryRunner.query(`CREATE INDEX "ix_audit_events_created" ON "audit_events" ("created_at", "id") `);
    await queryRunner.query(`
      CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('vpppd.audit_retention', true) = 'on' THEN
          RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND current_setting('vpppd.audit_redaction', true) = 'on'
           AND NEW.id = OLD.id AND NEW.actor_agent_id IS NOT DISTINCT FROM OLD.actor_agent_id AND NEW.action = OLD.action
           AND NEW.subject_type = OLD.subject_type AND NEW.subject_id = OLD.subject_id AND NEW.created_at = OLD.created_at
           AND NEW.ip IS NOT DISTINCT FROM OLD.ip AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "audit_events_no_truncate" ON "audit_events"`);
    await queryRunner.query(`DROP TRIGGER "audit_events_append_only" ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "audit_events_append_only"()`);
    await queryRunner.query(`DROP INDEX "ix_audit_events_created"`);
    await queryRunner.query(`DROP INDEX "ix_inbound_events_ticket"`);
    await queryRunner.query(`ALTER TABLE "legal_holds" DROP CONSTRAINT "FK_legal_holds_ticket"`);
    await queryRunner.query(`DROP TABLE "legal_holds"`);
    await queryRunner.query(`ALTER TABLE "subject_request_downloads" DROP CONSTRAINT "FK_subject_request_downloads_request"`);
    await queryRunner.query(`DROP INDEX "ix_subject_request_downloads_request"`);
    await queryRunner.query(`DROP TABLE "subject_request_downloads"`);
    await queryRunner.query(`DROP TABLE "subject_requests"`);
  }
}
