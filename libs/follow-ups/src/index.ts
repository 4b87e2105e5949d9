export { autoCloseDue, candidateBound, lastPendingDay } from './auto-close';
export { closingNotice } from './closing-notice';
export type { NoticeLanguage } from './closing-notice';
