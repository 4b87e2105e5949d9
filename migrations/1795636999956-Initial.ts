import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795636999956 implements MigrationInterface {
  name = 'Initial1795636999956';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "institutions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(32) NOT NULL, "name_lv" text NOT NULL, "name_en" text NOT NULL, "kind" character varying(16) NOT NULL DEFAULT 'state', "accepts_cases" boolean NOT NULL DEFAULT true, "referral_info" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_3617f5ad52593fd4355b38d03a1" UNIQUE ("code"), CONSTRAINT "PK_0be7539dcdba335470dc05e9690" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "agents" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" text NOT NULL, "display_name" text NOT NULL, "password_hash" text NOT NULL, "roles" text array NOT NULL DEFAULT '{}', "languages" text array NOT NULL DEFAULT '{lv}', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_5fdef501c63984b1b98abb1e68c" UNIQUE ("email"), CONSTRAINT "PK_9c653f28ae19c5884d5baf6a1d9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "actor_agent_id" uuid, "action" character varying(64) NOT NULL, "subject_type" character varying(32) NOT NULL, "subject_id" text NOT NULL, "detail" jsonb NOT NULL DEFAULT '{}', "ip" text, "request_id" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_a6096f4490ce49f39917f9d8f8" ON "audit_events" ("actor_agent_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_9eeb643969c6d7ef210de88355" ON "audit_events" ("subject_type", "subject_id") `);
    await queryRunner.query(
      `CREATE TABLE "customers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "first_name" text, "last_name" text, "preferred_language" character varying(2), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_133ec679a801fab5e070f73d3ea" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "customer_identifiers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "kind" character varying(32) NOT NULL, "value" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_customer_identifier" UNIQUE ("kind", "value"), CONSTRAINT "PK_5f5aa4e0a3c26bdd7b19c41f08e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_bd069090c84b85a672fc2674b0" ON "customer_identifiers" ("customer_id") `);
    await queryRunner.query(
      `CREATE TABLE "inbound_events" ("id" uuid NOT NULL, "channel" character varying(16) NOT NULL, "external_id" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "payload" jsonb NOT NULL, "reference" character varying(32), "status" character varying(16) NOT NULL DEFAULT 'accepted', "ticket_id" uuid, "message_id" uuid, "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "processed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "uq_inbound_events_channel_external_id" UNIQUE ("channel", "external_id"), CONSTRAINT "PK_b76e26fa0121da742b191b7ded0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_inbound_events_pending" ON "inbound_events" ("received_at") WHERE status = 'accepted'`);
    await queryRunner.query(
      `CREATE TABLE "queues" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(64) NOT NULL, "name" text NOT NULL, "institution_id" uuid, "level" smallint NOT NULL DEFAULT '1', "is_general" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_ab8a2e414ab2253df9c618712d5" UNIQUE ("code"), CONSTRAINT "PK_d966f9eb39a9396658387071bb3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_130e83a4a822944435356bc343" ON "queues" ("institution_id") `);
    await queryRunner.query(
      `CREATE TABLE "tickets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reference" character varying(32) NOT NULL, "channel" character varying(16) NOT NULL, "institution_id" uuid, "referred_institution_id" uuid, "topic" text, "kind" character varying(16) NOT NULL, "language" character varying(2) NOT NULL DEFAULT 'lv', "priority" character varying(8) NOT NULL DEFAULT 'normal', "status" character varying(24) NOT NULL DEFAULT 'new', "level" smallint NOT NULL DEFAULT '0', "queue_id" uuid, "assignee_id" uuid, "customer_id" uuid, "subject" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "first_response_at" TIMESTAMP WITH TIME ZONE, "resolved_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_475c055bd3fc3ea3937e312ee2f" UNIQUE ("reference"), CONSTRAINT "PK_343bc942ae261cf7a1377f48fd0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_12b901b34113688b4786368510" ON "tickets" ("status") `);
    await queryRunner.query(`CREATE INDEX "IDX_4e7a878321b2c5f669030dfb8b" ON "tickets" ("queue_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_dff6e2b44c9b5e177114588772" ON "tickets" ("assignee_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_42e4343476d9c4a46fb565a5c4" ON "tickets" ("customer_id") `);
    await queryRunner.query(`CREATE INDEX "ix_tickets_institution_created" ON "tickets" ("institution_id", "created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "ix_tickets_created" ON "tickets" ("created_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticket_id" uuid NOT NULL, "channel" character varying(16) NOT NULL, "external_id" text, "direction" character varying(8) NOT NULL, "author_type" character varying(8) NOT NULL, "author_agent_id" uuid, "subject" text, "text" text NOT NULL DEFAULT '', "html" text, "internal" boolean NOT NULL DEFAULT false, "delivery_status" character varying(16), "delivery_error" text, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_messages_channel_external_id" UNIQUE ("channel", "external_id"), CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_messages_ticket_created" ON "messages" ("ticket_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "attachments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "message_id" uuid, "inbound_event_id" uuid, "filename" text NOT NULL, "content_type" text NOT NULL, "size" integer NOT NULL, "sha256" character varying(64) NOT NULL, "content" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5e1f050bcff31e3084a1d662412" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_623e10eec51ada466c5038979e" ON "attachments" ("message_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_8beac068bba4bf3ec13e3f10c1" ON "attachments" ("inbound_event_id") `);
    await queryRunner.query(
      `CREATE TABLE "escalations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "ticket_id" uuid NOT NULL, "from_level" smallint, "to_level" smallint NOT NULL, "from_queue_id" uuid, "to_queue_id" uuid, "to_institution_id" uuid, "reason" character varying(16) NOT NULL, "summary" text, "actor_agent_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_652a394609addaa4b0f2b3032a1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_escalations_ticket_created" ON "escalations" ("ticket_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "agent_institutions" ("agent_id" uuid NOT NULL, "institution_id" uuid NOT NULL, CONSTRAINT "PK_564b96f9b2503630d32803061a7" PRIMARY KEY ("agent_id", "institution_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_d778dae1567fb68fcb889dffb1" ON "agent_institutions" ("agent_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_ce836e18aa7dc62af5dfd31283" ON "agent_institutions" ("institution_id") `);
    await queryRunner.query(
      `ALTER TABLE "customer_identifiers" ADD CONSTRAINT "FK_bd069090c84b85a672fc2674b08" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "queues" ADD CONSTRAINT "FK_130e83a4a822944435356bc3437" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD CONSTRAINT "FK_ae94b166ca819c07f40ecc265ba" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD CONSTRAINT "FK_042f085a1e8213ae9128ef566b1" FOREIGN KEY ("referred_institution_id") REFERENCES "institutions"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD CONSTRAINT "FK_4e7a878321b2c5f669030dfb8b8" FOREIGN KEY ("queue_id") REFERENCES "queues"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tickets" ADD CONSTRAINT "FK_42e4343476d9c4a46fb565a5c46" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "messages" ADD CONSTRAINT "FK_aa8e62e23565f59d22160b35f18" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "attachments" ADD CONSTRAINT "FK_623e10eec51ada466c5038979e3" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "agent_institutions" ADD CONSTRAINT "FK_d778dae1567fb68fcb889dffb1a" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
    );
    await queryRunner.query(
      `ALTER TABLE "agent_institutions" ADD CONSTRAINT "FK_ce836e18aa7dc62af5dfd312838" FOREIGN KEY ("institution_id") REFERENCES "institutions"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "agent_institutions" DROP CONSTRAINT "FK_ce836e18aa7dc62af5dfd312838"`);
    await queryRunner.query(`ALTER TABLE "agent_institutions" DROP CONSTRAINT "FK_d778dae1567fb68fcb889dffb1a"`);
    await queryRunner.query(`ALTER TABLE "attachments" DROP CONSTRAINT "FK_623e10eec51ada466c5038979e3"`);
    await queryRunner.query(`ALTER TABLE "messages" DROP CONSTRAINT "FK_aa8e62e23565f59d22160b35f18"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP CONSTRAINT "FK_42e4343476d9c4a46fb565a5c46"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP CONSTRAINT "FK_4e7a878321b2c5f669030dfb8b8"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP CONSTRAINT "FK_042f085a1e8213ae9128ef566b1"`);
    await queryRunner.query(`ALTER TABLE "tickets" DROP CONSTRAINT "FK_ae94b166ca819c07f40ecc265ba"`);
    await queryRunner.query(`ALTER TABLE "queues" DROP CONSTRAINT "FK_130e83a4a822944435356bc3437"`);
    await queryRunner.query(`ALTER TABLE "customer_identifiers" DROP CONSTRAINT "FK_bd069090c84b85a672fc2674b08"`);
    await queryRunner.query(`DROP INDEX "IDX_ce836e18aa7dc62af5dfd31283"`);
    await queryRunner.query(`DROP INDEX "IDX_d778dae1567fb68fcb889dffb1"`);
    await queryRunner.query(`DROP TABLE "agent_institutions"`);
    await queryRunner.query(`DROP INDEX "ix_escalations_ticket_created"`);
    await queryRunner.query(`DROP TABLE "escalations"`);
    await queryRunner.query(`DROP INDEX "IDX_8beac068bba4bf3ec13e3f10c1"`);
    await queryRunner.query(`DROP INDEX "IDX_623e10eec51ada466c5038979e"`);
    await queryRunner.query(`DROP TABLE "attachments"`);
    await queryRunner.query(`DROP INDEX "ix_messages_ticket_created"`);
    await queryRunner.query(`DROP TABLE "messages"`);
    await queryRunner.query(`DROP INDEX "ix_tickets_created"`);
    await queryRunner.query(`DROP INDEX "ix_tickets_institution_created"`);
    await queryRunner.query(`DROP INDEX "IDX_42e4343476d9c4a46fb565a5c4"`);
    await queryRunner.query(`DROP INDEX "IDX_dff6e2b44c9b5e177114588772"`);
    await queryRunner.query(`DROP INDEX "IDX_4e7a878321b2c5f669030dfb8b"`);
    await queryRunner.query(`DROP INDEX "IDX_12b901b34113688b4786368510"`);
    await queryRunner.query(`DROP TABLE "tickets"`);
    await queryRunner.query(`DROP INDEX "IDX_130e83a4a822944435356bc343"`);
    await queryRunner.query(`DROP TABLE "queues"`);
    await queryRunner.query(`DROP INDEX "ix_inbound_events_pending"`);
    await queryRunner.query(`DROP TABLE "inbound_events"`);
    await queryRunner.query(`DROP INDEX "IDX_bd069090c84b85a672fc2674b0"`);
    await queryRunner.query(`DROP TABLE "customer_identifiers"`);
    await queryRunner.query(`DROP TABLE "customers"`);
    await queryRunner.query(`DROP INDEX "IDX_9eeb643969c6d7ef210de88355"`);
    await queryRunner.query(`DROP INDEX "IDX_a6096f4490ce49f39917f9d8f8"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP TABLE "agents"`);
    await queryRunner.query(`DROP TABLE "institutions"`);
  }
}
