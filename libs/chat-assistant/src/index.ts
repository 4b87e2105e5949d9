export { decide, asksForPerson, handOverSummary, fold, DEFAULT_POLICY } from './assistant';
export type { AssistantDecision, AssistantMatch, AssistantPolicy, HandOverReason } from './assistant';
export { say, TEXTS } from './texts';
export type { ChatLanguage, TextKey } from './texts';
export { TOKEN_BUCKET_FUNCTION_LUA, TOKEN_BUCKET_LUA } from './token-bucket';
