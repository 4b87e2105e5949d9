import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/lv';
import { ADMIN_SECTIONS, href, onLinkClick, type AdminSection } from '../../lib/router';
import { AgentsAdmin } from './agents';
import { CalendarAdmin } from './calendar';
import { CustomFieldsAdmin } from './custom-fields';
import { IvrAdmin } from './ivr';
import { KnowledgeAdmin } from './knowledge';
import { MailboxesAdmin } from './mailboxes';
import { RoutingAdmin } from './routing';
import { SlaPoliciesAdmin } from './sla-policies';
import { WebhooksAdmin } from './webhooks';

/** The admin screens (admins only; the API refuses anyone else): one address per section. */
export default function AdminPage({ section }: { section: AdminSection }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="admin-heading" className="admin">
      <h1 id="admin-heading">{t('admin.heading')}</h1>
      <nav aria-label={t('admin.sections')} className="tabs">
        {ADMIN_SECTIONS.map((s) => (
          <a key={s} href={href({ name: 'admin', section: s })} onClick={onLinkClick} aria-current={s === section ? 'page' : undefined}>
            {t(`admin.section.${s}` as MessageKey)}
          </a>
        ))}
      </nav>
      {section === 'agents' && <AgentsAdmin />}
      {section === 'routing' && <RoutingAdmin />}
      {section === 'sla' && <SlaPoliciesAdmin />}
      {section === 'calendar' && <CalendarAdmin />}
      {section === 'ivr' && <IvrAdmin />}
      {section === 'knowledge' && <KnowledgeAdmin />}
      {section === 'mailboxes' && <MailboxesAdmin />}
      {section === 'webhooks' && <WebhooksAdmin />}
      {section === 'fields' && <CustomFieldsAdmin />}
    </section>
  );
}
