import { lazy, Suspense, useEffect, useState, useSyncExternalStore } from 'react';
import { ReminderNotices } from './desk/follow-ups';
import { LANGS, useI18n, type Lang } from './i18n/i18n';
import { realtime } from './lib/realtime';
import { href, navigate, onLinkClick, useRoute } from './lib/router';
import { session } from './lib/session';
import { BoardPage } from './pages/board';
import { InboxPage } from './pages/inbox';
import { SignInPage } from './pages/sign-in';
import { TicketPage } from './pages/ticket';
import { PresenceControl } from './desk/presence-control';
import { ChatsPage } from './desk/chats';
import { PhonePane } from './desk/phone';
import { AuditPage } from './desk/audit';
import { landingFor } from './lib/landing';
// Supervisor's reports and the admin screens: the reports (with the chart library) load only when opened.
import { can } from './lib/permissions';
import { SlaFeedPage } from './pages/reports/sla-feed';
const ReportsPage = lazy(() => import('./pages/reports/reports-page'));
const AdminPage = lazy(() => import('./pages/admin/admin-page'));

const subscribeSession = (cb: () => void) => session.onChange(cb);
const snapshotSession = () => session.profile;

export function App() {
  const { t } = useI18n();
  const route = useRoute();
  const profile = useSyncExternalStore(subscribeSession, snapshotSession);
  const [resuming, setResuming] = useState(true);
  // Once opened, the phone stays mounted (hidden on other pages) for whom it was opened: leaving the pane must not
  // drop a call or lose a wrap-up.
  const [phoneFor, setPhoneFor] = useState<string | null>(null);
  useEffect(() => {
    if (route.name === 'phone' && profile) setPhoneFor(profile.id);
  }, [route.name, profile]);

  useEffect(() => {
    void session.resume().finally(() => setResuming(false));
  }, []);

  // Signed in: the socket runs; signed out: it stops, and every page but sign-in sends the person there.
  useEffect(() => {
    if (resuming) return;
    if (profile) {
      realtime.start();
      if (route.name === 'sign-in') {
        // Back to the page that asked for sign-in, else where this person's work is.
        const after = sessionStorage.getItem('console.after');
        sessionStorage.removeItem('console.after');
        const deepLink = after && ![href({ name: 'sign-in' }), href({ name: 'inbox' }), '/console'].includes(after);
        navigate(deepLink ? after : landingFor(profile), true);
      }
    } else {
      realtime.stop();
      realtime.reset();
      if (route.name !== 'sign-in') {
        if (session.signedOut) sessionStorage.removeItem('console.after');
        else sessionStorage.setItem('console.after', location.pathname);
        navigate(href({ name: 'sign-in' }), true);
      }
    }
  }, [profile, resuming, route.name]);

  if (resuming)
    return (
      <p className="loading" role="status">
        {t('app.loading')}
      </p>
    );
  if (!profile || route.name === 'sign-in') {
    return (
      <>
        <header className="top">
          <span className="brand">{t('app.title')}</span>
          <LanguageSwitch />
        </header>
        <main id="main">{route.name === 'sign-in' && <SignInPage />}</main>
      </>
    );
  }
  const supervises = profile.roles.includes('supervisor') || profile.roles.includes('admin');
  // The desk's pages, for those who answer chats and calls.
  const worksChats = profile.roles.some((r) => r === 'operator' || r === 'specialist' || r === 'supervisor');
  const takesCalls = profile.roles.includes('operator') || profile.roles.includes('supervisor');
  const readsAudit = profile.roles.includes('dpo') || profile.roles.includes('admin');
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('app.nav')}>
          <a href={href({ name: 'inbox' })} onClick={onLinkClick} aria-current={route.name === 'inbox' ? 'page' : undefined}>
            {t('app.inbox')}
          </a>
          {worksChats && (
            <a href={href({ name: 'chats' })} onClick={onLinkClick} aria-current={route.name === 'chats' ? 'page' : undefined}>
              {t('app.chats')}
            </a>
          )}
          {takesCalls && (
            <a href={href({ name: 'phone' })} onClick={onLinkClick} aria-current={route.name === 'phone' ? 'page' : undefined}>
              {t('phone.heading')}
            </a>
          )}
          {readsAudit && (
            <a href={href({ name: 'audit' })} onClick={onLinkClick} aria-current={route.name === 'audit' ? 'page' : undefined}>
              {t('app.audit')}
            </a>
          )}
          {supervises && (
            <a href={href({ name: 'board' })} onClick={onLinkClick} aria-current={route.name === 'board' ? 'page' : undefined}>
              {t('app.board')}
            </a>
          )}
          {/* Supervisor's reports and the admin screens: shown only to the roles the API lets in. */}
          {can(profile, 'slaEvents') && (
            <a href={href({ name: 'sla-events' })} onClick={onLinkClick} aria-current={route.name === 'sla-events' ? 'page' : undefined}>
              {t('app.slaEvents')}
            </a>
          )}
          {can(profile, 'reports') && (
            <a href={href({ name: 'reports' })} onClick={onLinkClick} aria-current={route.name === 'reports' ? 'page' : undefined}>
              {t('app.reports')}
            </a>
          )}
          {can(profile, 'admin') && (
            <a
              href={href({ name: 'admin', section: 'agents' })}
              onClick={onLinkClick}
              aria-current={route.name === 'admin' ? 'page' : undefined}
            >
              {t('app.admin')}
            </a>
          )}
        </nav>
        <LiveStatus />
        <PresenceControl />
        <span className="who">{t('app.signedInAs', { name: profile.displayName })}</span>
        <LanguageSwitch />
        <button type="button" onClick={() => void session.signOut()}>
          {t('app.signOut')}
        </button>
      </header>
      <AssignmentNotice />
      <ReminderNotices />
      <main id="main" tabIndex={-1}>
        {route.name === 'inbox' && <InboxPage />}
        {route.name === 'board' && (supervises ? <BoardPage /> : <p>{t('app.notFound')}</p>)}
        {route.name === 'ticket' && <TicketPage key={route.reference} reference={route.reference} />}
        {/* Supervisor's reports and the admin screens */}
        {route.name === 'sla-events' && (can(profile, 'slaEvents') ? <SlaFeedPage /> : <p>{t('app.notFound')}</p>)}
        {(route.name === 'reports' || route.name === 'admin') && (
          <Suspense fallback={<p role="status">{t('app.loading')}</p>}>
            {route.name === 'reports' && (can(profile, 'reports') ? <ReportsPage /> : <p>{t('app.notFound')}</p>)}
            {route.name === 'admin' && (can(profile, 'admin') ? <AdminPage section={route.section} /> : <p>{t('app.notFound')}</p>)}
          </Suspense>
        )}
        {route.name === 'not-found' && <p>{t('app.notFound')}</p>}
        {route.name === 'chats' && (worksChats ? <ChatsPage reference={route.reference} /> : <p>{t('app.notFound')}</p>)}
        {takesCalls && (route.name === 'phone' || phoneFor === profile.id) && (
          <div hidden={route.name !== 'phone'}>
            <PhonePane me={profile} />
          </div>
        )}
        {route.name === 'phone' && !takesCalls && <PhonePane me={profile} />}
        {route.name === 'audit' && (readsAudit ? <AuditPage /> : <p>{t('app.notFound')}</p>)}
      </main>
    </>
  );
}

function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <label className="lang">
      <span>{t('app.language')}</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {l === 'lv' ? 'Latviešu' : 'English'}
          </option>
        ))}
      </select>
    </label>
  );
}

function LiveStatus() {
  const { t } = useI18n();
  const [connected, setConnected] = useState(realtime.connected);
  useEffect(() => realtime.onStatus(setConnected), []);
  return (
    <span className={`live ${connected ? 'on' : 'off'}`} role="status">
      <span aria-hidden="true">{connected ? '●' : '○'}</span> {connected ? t('app.live.connected') : t('app.live.disconnected')}
    </span>
  );
}

/** Work the router gave this person: a visible, sound-free notice with a link to the ticket. */
function AssignmentNotice() {
  const { t } = useI18n();
  const [reference, setReference] = useState<string | null>(null);
  useEffect(() => realtime.onAssignment((event) => setReference(event.reference)), []);
  return (
    <div className="assignment" role="status">
      {reference && (
        <p>
          {t('assignment.notice', { reference })}{' '}
          <a
            href={href({ name: 'ticket', reference })}
            onClick={(e) => {
              onLinkClick(e);
              setReference(null);
            }}
          >
            {t('assignment.open')}
          </a>{' '}
          <button type="button" onClick={() => setReference(null)} aria-label={t('assignment.dismiss')}>
            ×
          </button>
        </p>
      )}
    </div>
  );
}
