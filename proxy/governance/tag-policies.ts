import { GatewayError } from '../errors.js';
import type { ResolvedModel } from '../providers/registry.js';
import type { UsageTags } from '../usage/usage-record.js';
import { globMatches } from './token-policy.js';

/** `{"when": {"tag": "data=sensitive"}, "allowedModels": ["..."]}` from the config or the team
 * store: a request that carries the tag (or comes from the team) may use only those models,
 * whatever its token allows. */
export interface TagPolicy {
  name?: string;
  when: { tag?: string; team?: string };
  /** Glob patterns over client-facing model ids, as a token's allowedModels. */
  allowedModels: string[];
}

/** What a policy is matched against: the request's tags and its token's team. */
export interface PolicySubject {
  team?: string;
  tags?: UsageTags;
}

/** What a policy matches, in words: `tag data=sensitive, team research`. */
export const describeCondition = (when: TagPolicy['when']): string => [when.tag && `tag ${when.tag}`, when.team && `team ${when.team}`].filter(Boolean).join(', ');

/** A policy's name in a refusal: its own, else its condition. */
export const policyName = (policy: TagPolicy): string => policy.name ?? describeCondition(policy.when);

const applies = (policy: TagPolicy, subject: PolicySubject): boolean => {
  const { tag, team } = policy.when;
  if (team !== undefined && subject.team !== team) return false;
  if (tag === undefined) return true;
  const equals = tag.indexOf('=');
  return subject.tags?.[tag.slice(0, equals)] === tag.slice(equals + 1);
};

const allowsModel = (policy: TagPolicy, resolved: ResolvedModel): boolean => {
  const qualified = `${resolved.provider.id}/${resolved.upstreamModel}`;
  return policy.allowedModels.some((pattern) => globMatches(pattern, resolved.requestedModel) || globMatches(pattern, qualified));
};

/** The first policy that applies to the request and does not allow the model, if any. */
export const refusingPolicy = (policies: readonly TagPolicy[], subject: PolicySubject, resolved: ResolvedModel): TagPolicy | undefined => {
  if (policies.length === 0 || (!subject.tags && !subject.team)) return undefined;
  return policies.find((policy) => applies(policy, subject) && !allowsModel(policy, resolved));
};

/** 403 naming the policy; every dialect's error exit gives it that dialect's shape. */
export const refusedByPolicy = (policy: TagPolicy, model: string): GatewayError =>
  new GatewayError(403, `The policy "${policyName(policy)}" does not allow the model '${model}' for this request; its allowed models are set in the gateway's policies.`, {
    type: 'permission_error',
    param: 'model',
    code: 'policy_model_not_allowed',
  });
