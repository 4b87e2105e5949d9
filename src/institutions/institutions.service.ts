import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Institution } from './entities/institution.entity';

/** Institutions change rarely; adapters validate against a copy that is at most a few seconds old. */
@Injectable()
export class InstitutionsService {
  private cache: { at: number; byCode: Map<string, Institution> } | null = null;
  private static readonly TTL_MS = 10_000;

  constructor(@InjectRepository(Institution) private readonly repo: Repository<Institution>) {}

  async findByCode(code: string): Promise<Institution | null> {
    return (await this.all()).get(code.toUpperCase()) ?? null;
  }

  /** Forgets the copy after a change made here. */
  invalidate(): void {
    this.cache = null;
  }

  async all(): Promise<Map<string, Institution>> {
    if (!this.cache || Date.now() - this.cache.at > InstitutionsService.TTL_MS) {
      const rows = await this.repo.find({ order: { code: 'ASC' } });
      this.cache = { at: Date.now(), byCode: new Map(rows.map((r) => [r.code, r])) };
    }
    return this.cache.byCode;
  }
}
