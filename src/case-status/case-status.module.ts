import { Module } from '@nestjs/common';
import { CasePageController, CaseStatusController } from './case-status.controller';
import { CaseStatusService } from './case-status.service';

/** "Where does my case stand": the citizens' status lookup and page. Reads tickets through src/tickets/case-status. */
@Module({ controllers: [CaseStatusController, CasePageController], providers: [CaseStatusService], exports: [CaseStatusService] })
export class CaseStatusModule {}
