import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { KnownIdentifier, Provenance } from './customer-matching';
import { STRONG_KINDS } from './customer-matching';
import type { IdentifierKind } from './entities/customer-identifier.entity';

export interface NewCustomer {
  id: string;
  firstName: string | null;
  lastName: string | null;
  language: string | null;
}

/**
 * The SQL of `customers` and `customer_identifiers` that matching contacts to records needs; which record a
 * contact joins is decided by customer-matching.ts, not here. Set-based, on the caller's transaction: ingest
 * resolves a whole batch of contacts with a handful of statements.
 */
@Injectable()
export class CustomersRepository {
  /** The records that hold any of these identifiers, with the provenance each was recorded with. */
  async findIdentifiers(m: EntityManager, identifiers: Array<{ kind: string; value: string }>): Promise<KnownIdentifier[]> {
    if (identifiers.length === 0) return [];
    const rows: Array<{ kind: IdentifierKind; value: string; customer_id: string; provenance: Provenance }> = await m.query(
      `SELECT ci.kind, ci.value, ci.customer_id, ci.provenance FROM customer_identifiers ci
       JOIN unnest($1::text[], $2::text[]) AS k(kind, value) ON ci.kind = k.kind AND ci.value = k.value`,
      [identifiers.map((i) => i.kind), identifiers.map((i) => i.value)],
    );
    return rows.map((r) => ({ kind: r.kind, value: r.value, customerId: r.customer_id, provenance: r.provenance }));
  }

  /** Of these records, the ones holding a verified strong identifier (see customer-matching.ts). */
  async withVerifiedStrong(m: EntityManager, customerIds: string[]): Promise<string[]> {
    if (customerIds.length === 0) return [];
    const rows: Array<{ customer_id: string }> = await m.query(
      `SELECT DISTINCT customer_id FROM customer_identifiers
       WHERE customer_id = ANY($1::uuid[]) AND kind = ANY($2::text[]) AND provenance IN ('portal', 'staff')`,
      [customerIds, [...STRONG_KINDS]],
    );
    return rows.map((r) => r.customer_id);
  }

  async create(m: EntityManager, customers: NewCustomer[]): Promise<void> {
    if (customers.length === 0) return;
    await m.query(
      `INSERT INTO customers (id, first_name, last_name, preferred_language)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::varchar[])`,
      [customers.map((c) => c.id), customers.map((c) => c.firstName), customers.map((c) => c.lastName), customers.map((c) => c.language)],
    );
  }

  /** Identifiers nobody holds yet; one another transaction added meanwhile stays with that record. */
  async addIdentifiers(m: EntityManager, identifiers: KnownIdentifier[]): Promise<void> {
    if (identifiers.length === 0) return;
    await m.query(
      `INSERT INTO customer_identifiers (customer_id, kind, value, provenance)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::text[], $4::varchar[]) ON CONFLICT (kind, value) DO NOTHING`,
      [
        identifiers.map((i) => i.customerId),
        identifiers.map((i) => i.kind),
        identifiers.map((i) => i.value),
        identifiers.map((i) => i.provenance),
      ],
    );
  }

  /** Identifiers claimed by a verified person or seen with a stronger provenance: their record and provenance now. */
  async reassignIdentifiers(m: EntityManager, identifiers: KnownIdentifier[]): Promise<void> {
    if (identifiers.length === 0) return;
    await m.query(
      `UPDATE customer_identifiers ci SET customer_id = u.customer_id, provenance = u.provenance
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::varchar[]) AS u(customer_id, kind, value, provenance)
       WHERE ci.kind = u.kind AND ci.value = u.value`,
      [
        identifiers.map((i) => i.customerId),
        identifiers.map((i) => i.kind),
        identifiers.map((i) => i.value),
        identifiers.map((i) => i.provenance),
      ],
    );
  }
}
