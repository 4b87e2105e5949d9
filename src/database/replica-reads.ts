import { Global, Injectable, Logger, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isUnavailable } from '../common/problem.filter';

/** How long reads stay on the primary after a replica failed them, before a replica is tried again. */
export const REPLICA_BACKOFF_MS = 10_000;

/**
 * A read a replica could not serve but the primary can: the replica is away (connection refused, cut, shut down)
 * or cancelled the query because WAL replay needed its rows (a recovery conflict, 40001 on a hot standby).
 */
export function replicaCannotServe(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string } | null;
  if (isUnavailable(error)) return true;
  const code = e?.driverError?.code ?? e?.code;
  return code === '40001' && /conflict with recovery/i.test(e?.message ?? '');
}

/**
 * Reads that tolerate a second of lag — reports and their CSV exports, the supervisors' board, the knowledge
 * search — go to a streaming replica when DATABASE_REPLICA_URLS names one (TypeORM replication, `slave` mode);
 * everything else, and every read that must see its own writes, stays on the primary. A replica that cannot
 * answer is not an outage: the read is run on the primary instead, and the primary serves such reads for
 * REPLICA_BACKOFF_MS before a replica is tried again.
 */
@Injectable()
export class ReplicaReads {
  private readonly logger = new Logger(ReplicaReads.name);
  private skipReplicasUntil = 0;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Whether this process has a replica to read from (one was reachable when it started). */
  get replicated(): boolean {
    return (this.dataSource.driver as unknown as { slaves?: unknown[] }).slaves?.length ? true : false;
  }

  query<T = any>(sql: string, params: unknown[] = []): Promise<T> {
    return this.run((runner) => runner.query(sql, params));
  }

  /** A read-only transaction (for settings scoped to it, such as a search threshold), on a replica if possible. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.run(async (runner) => {
      await runner.startTransaction();
      try {
        await runner.query('SET TRANSACTION READ ONLY');
        const result = await work(runner.manager);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    });
  }

  private async run<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    if (this.replicated && Date.now() >= this.skipReplicasUntil) {
      const runner = this.dataSource.createQueryRunner('slave');
      try {
        return await work(runner);
      } catch (error) {
        if (!replicaCannotServe(error)) throw error;
        this.skipReplicasUntil = Date.now() + REPLICA_BACKOFF_MS;
        this.logger.warn({ err: error }, 'a replica could not serve a read; reading from the primary for %d s', REPLICA_BACKOFF_MS / 1000);
      } finally {
        await runner.release().catch(() => undefined);
      }
    }
    const runner = this.dataSource.createQueryRunner('master');
    try {
      return await work(runner);
    } finally {
      await runner.release();
    }
  }
}

/** Makes ReplicaReads available to every domain module that reads reports-grade data. */
@Global()
@Module({ providers: [ReplicaReads], exports: [ReplicaReads] })
export class ReplicaReadsModule {}
