import { Module } from '@nestjs/common';
import { KnowledgeSearchService } from './knowledge-search.service';

/**
 * The search alone, for whatever process answers customers (the API for operators, a worker for e-mail
 * suggestions, the chat assistant, IVR): import this module and inject KnowledgeSearchService.
 */
@Module({ providers: [KnowledgeSearchService], exports: [KnowledgeSearchService] })
export class KnowledgeCoreModule {}
