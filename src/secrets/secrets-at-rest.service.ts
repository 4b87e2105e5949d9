import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SECRET_COLUMNS, SecretCipher } from './secret-cipher';

export interface ResealReport {
  table: string;
  column: string;
  sealed: number;
  unreadable: number;
}

/**
 * Brings every stored secret under the current key: plaintext ones (written before encryption existed) and, after
 * a rotation, those under the previous key. Each row is rewritten only if it still holds the value that was read,
 * so it is safe beside a running service and from several processes at once, and running it again changes
 * nothing. A value no configured key opens is left alone and counted: it needs its secret entered again.
 */
@Injectable()
export class SecretsAtRestService {
  private readonly logger = new Logger(SecretsAtRestService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  async resealAll(): Promise<ResealReport[]> {
    const reports: ResealReport[] = [];
    for (const { table, key, column, context } of SECRET_COLUMNS) {
      const rows: Array<{ id: string; value: string }> = await this.dataSource.query(
        `SELECT ${key} AS id, ${column} AS value FROM ${table}`,
      );
      let sealed = 0;
      let unreadable = 0;
      for (const row of rows) {
        if (!this.cipher.needsSealing(row.value)) continue;
        let plain: string;
        try {
          plain = this.cipher.open(row.value, context);
        } catch (error) {
          unreadable++;
          this.logger.error(
            { table, id: row.id, reason: (error as Error).message },
            'a stored secret opens under no configured key; enter it again',
          );
          continue;
        }
        const [, changed]: [unknown, number] = await this.dataSource.query(
          `UPDATE ${table} SET ${column} = $2 WHERE ${key} = $1 AND ${column} = $3`,
          [row.id, this.cipher.seal(plain, context), row.value],
        );
        sealed += changed;
      }
      reports.push({ table, column, sealed, unreadable });
    }
    return reports;
  }
}
