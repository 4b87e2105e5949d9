export { PLACEHOLDERS, fillTemplate, formatAnswerDate, legalAnswerDate, templateProblems } from './answer-templates';
export type { AnswerLanguage, FilledTemplate, Placeholder, TemplateProblem } from './answer-templates';
