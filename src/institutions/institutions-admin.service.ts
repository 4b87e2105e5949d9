import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth-user';
import { ProblemException, validationProblem } from '../common/problem';
import { checkChatWidgetInput, ChatWidgetInput } from './chat-widget-rules';
import { InstitutionsService } from './institutions.service';

type ChatWidgetView = ChatWidgetInput & { institution: string };

const SELECT = `SELECT code AS institution, chat_allowed_origins AS "allowedOrigins", chat_colour AS colour, chat_centre_name AS "centreName",
                       chat_logo_url AS "logoUrl", chat_privacy_url AS "privacyUrl" FROM institutions`;

/** Admins keep each institution's chat widget settings; every change is audited with what it was before. */
@Injectable()
export class InstitutionsAdminService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly institutions: InstitutionsService,
  ) {}

  async chatWidget(code: string): Promise<ChatWidgetView> {
    const [row] = await this.dataSource.query(`${SELECT} WHERE code = $1`, [code.toUpperCase()]);
    if (!row) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No institution ${code}.`);
    return row;
  }

  async setChatWidget(user: AuthUser, code: string, body: Record<string, unknown>): Promise<ChatWidgetView> {
    const before = await this.chatWidget(code);
    const checked = checkChatWidgetInput(body);
    if ('errors' in checked) throw validationProblem(checked.errors);
    const v = checked.value;
    const view = await this.dataSource.transaction(async (m) => {
      const [[row]] = await m.query(
        `UPDATE institutions SET chat_allowed_origins = $2, chat_colour = $3, chat_centre_name = $4, chat_logo_url = $5, chat_privacy_url = $6
          WHERE code = $1
          RETURNING code AS institution, chat_allowed_origins AS "allowedOrigins", chat_colour AS colour, chat_centre_name AS "centreName",
                    chat_logo_url AS "logoUrl", chat_privacy_url AS "privacyUrl"`,
        [before.institution, v.allowedOrigins, v.colour, v.centreName, v.logoUrl, v.privacyUrl],
      );
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'institution.chat_widget_updated',
            subjectType: 'institution',
            subjectId: before.institution,
            detail: { before, after: row },
          },
        ],
        m,
      );
      return row as ChatWidgetView;
    });
    // This process sees the change at once; other instances within the institutions cache's few seconds.
    this.institutions.invalidate();
    return view;
  }

  /** What canned answers quote as {{institution.contact}}; null clears it (answers that need it are then refused). */
  async setPublicContact(
    user: AuthUser,
    code: string,
    publicContact: string | null,
  ): Promise<{ institution: string; publicContact: string | null }> {
    const view = await this.dataSource.transaction(async (m) => {
      const [before] = await m.query('SELECT code, public_contact FROM institutions WHERE code = $1 FOR UPDATE', [code.toUpperCase()]);
      if (!before) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No institution ${code}.`);
      await m.query('UPDATE institutions SET public_contact = $2 WHERE code = $1', [before.code, publicContact]);
      await this.audit.record(
        [
          {
            actorAgentId: user.id,
            action: 'institution.public_contact_updated',
            subjectType: 'institution',
            subjectId: before.code,
            detail: { before: before.public_contact, after: publicContact },
          },
        ],
        m,
      );
      return { institution: before.code as string, publicContact };
    });
    this.institutions.invalidate();
    return view;
  }
}
