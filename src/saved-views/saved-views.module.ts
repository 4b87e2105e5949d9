import { Module } from '@nestjs/common';
import { InstitutionsModule } from '../institutions/institutions.module';
import { TicketsModule } from '../tickets/tickets.module';
import { SavedViewsController } from './saved-views.controller';
import { SavedViewsService } from './saved-views.service';

/** Saved views of the inbox (table saved_views); their tickets and counts come from the tickets module's list. */
@Module({
  imports: [TicketsModule, InstitutionsModule],
  controllers: [SavedViewsController],
  providers: [SavedViewsService],
})
export class SavedViewsModule {}
