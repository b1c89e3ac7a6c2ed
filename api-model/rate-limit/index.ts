/** The rate-limit model: field readers and the per-answer rules every pillar applies. */
export { ANSWER_RULE_IDS, type AnswerRuleId, answerRules, headerPointer, judgeRateLimitAnswer, type RateLimitAnswer, type RateLimitJudgeEnv, type RateLimitOffence } from './answer.ts';
export * from './fields.ts';
export { RATE_LIMIT_RULES, type RateLimitRuleId } from '../rulebook/rate-limit.ts';
export * from './models.ts';
