import { AwsError } from '../aws-error.ts';
import type { Params } from '../protocols/protocol.ts';
import type { Listener, ListenerRule, RuleCondition, RuleTransform } from '../state.ts';
import { atMostOne, elbParams, intInRange, requireLoadBalancer, validation } from './elbv2-common.ts';
import { describeAction, readActions } from './elbv2-load-balancers.ts';
import type { ParamReader } from './params.ts';
import type { Operations, ServiceContext } from './service.ts';

/** CreateRule: "Priority … Valid Range: Minimum value of 1. Maximum value of 50000." */
const PRIORITY = { min: 1, max: 50000 };
/** The condition types the simulator models, with the config member each takes its values from. */
const CONDITIONS: Readonly<Record<string, string>> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'source-ip': 'SourceIpConfig',
};
/** host-header and path-pattern take `Values` or their config; the other two only their config. */
const LEGACY_VALUES = ['host-header', 'path-pattern'];
/** "Condition values per rule": 5 (the Application Load Balancer quotas). */
const MAX_CONDITION_VALUES = 5;
/** Host names: up to 128 characters of A-Z, a-z, 0-9, `-` `.` and the wildcards `*` `?`. */
const HOST_VALUE = /^[A-Za-z0-9.*?-]{1,128}$/;
const MAX_PATH_LENGTH = 128;
const TRANSFORMS: Readonly<Record<string, string>> = {
  'host-header-rewrite': 'HostHeaderRewriteConfig',
  'url-rewrite': 'UrlRewriteConfig',
};
const DESCRIBE_RULES_PAGE = { min: 1, max: 400 };

function requireListener(ctx: ServiceContext, arn: string): Listener {
  const listener = ctx.state.elbv2.listeners.get(arn);
  if (!listener) throw new AwsError('ListenerNotFound', `Listener '${arn}' not found`);
  return listener;
}

function readCondition(condition: ParamReader): RuleCondition {
  const field = condition.str('Field');
  const configName = CONDITIONS[field];
  if (!configName) {
    throw validation(
      `Condition field '${field}' must be one of ${Object.keys(CONDITIONS).join(', ')} (http-header and query-string are not simulated)`,
    );
  }
  const legacy = condition.strList('Values');
  const config = condition.optChild(configName)?.strList('Values') ?? [];
  if (legacy.length > 0 && !LEGACY_VALUES.includes(field))
    throw validation(`Condition '${field}' takes its values in ${configName}, not Values`);
  if (legacy.length > 0 && config.length > 0)
    throw validation(`Condition '${field}' cannot have both Values and ${configName}`);
  const values = legacy.length > 0 ? legacy : config;
  if (values.length === 0) throw validation(`Condition '${field}' needs at least one value`);
  for (const value of values) {
    if (field === 'host-header' && !HOST_VALUE.test(value))
      throw validation(`Host header condition value '${value}' is not valid`);
    if (field === 'path-pattern' && (value.length === 0 || value.length > MAX_PATH_LENGTH))
      throw validation(`Path pattern condition value '${value}' must be 1-${MAX_PATH_LENGTH} characters`);
  }
  return { field, values };
}

function readTransform(transform: ParamReader): RuleTransform {
  const type = transform.str('Type');
  const configName = TRANSFORMS[type];
  if (!configName) throw validation(`Transform type '${type}' must be host-header-rewrite or url-rewrite`);
  const rewrites = (transform.optChild(configName)?.list('Rewrites') ?? []).map((r) => ({
    regex: r.str('Regex'),
    replace: r.str('Replace'),
  }));
  if (rewrites.length !== 1)
    throw validation(`A ${type} transform needs exactly one rewrite in ${configName}`);
  return { type, rewrites };
}

function createRule(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const { elbv2 } = ctx.state;
  const listener = requireListener(ctx, p.str('ListenerArn'));
  const balancer = requireLoadBalancer(ctx, listener.loadBalancerArn);
  const priority = intInRange(p, 'Priority', PRIORITY.min, PRIORITY.max);
  if (priority === undefined) throw validation('A rule priority must be specified');
  const conditions = p.list('Conditions').map(readCondition);
  if (conditions.length === 0) throw validation('A rule must have at least one condition');
  for (const field of Object.keys(CONDITIONS)) {
    if (conditions.filter((c) => c.field === field).length > 1)
      throw validation(`A rule can have at most one '${field}' condition`);
  }
  if (conditions.reduce((sum, c) => sum + c.values.length, 0) > MAX_CONDITION_VALUES) {
    throw new AwsError(
      'TooManyConditionValues',
      `A rule can have at most ${MAX_CONDITION_VALUES} condition values`,
    );
  }
  const actions = readActions(p.list('Actions'), ctx, balancer, listener.protocol);
  const transforms = p.list('Transforms').map(readTransform);
  for (const type of Object.keys(TRANSFORMS)) {
    if (transforms.filter((t) => t.type === type).length > 1)
      throw validation(`A rule can have at most one '${type}' transform`);
  }
  const rules = [...elbv2.rules.values()].filter((rule) => rule.listenerArn === listener.arn);
  if (rules.some((rule) => rule.priority === priority))
    throw new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`);
  const rule: ListenerRule = {
    arn: `${listener.arn.replace(':listener/', ':listener-rule/')}/${ctx.ids.hex(16)}`,
    seq: ctx.state.nextSeq(),
    listenerArn: listener.arn,
    priority,
    conditions,
    actions,
    transforms,
    createdAt: ctx.clock.now(),
  };
  elbv2.rules.set(rule.arn, rule);
  return { Rules: [describeRule(rule)] };
}

function describeCondition(condition: RuleCondition): object {
  const configName = CONDITIONS[condition.field] ?? '';
  return {
    Field: condition.field,
    Values: LEGACY_VALUES.includes(condition.field) ? condition.values : undefined,
    [configName]: { Values: condition.values },
  };
}

function describeRule(rule: ListenerRule): object {
  return {
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    Conditions: rule.conditions.map(describeCondition),
    Actions: rule.actions.map(describeAction),
    IsDefault: false,
    Transforms: rule.transforms.map((t) => ({
      Type: t.type,
      [TRANSFORMS[t.type] ?? '']: {
        Rewrites: t.rewrites.map((r) => ({ Regex: r.regex, Replace: r.replace })),
      },
    })),
  };
}

function describeDefaultRule(listener: Listener): object {
  return {
    RuleArn: listener.defaultRuleArn,
    Priority: 'default',
    Conditions: [],
    Actions: listener.defaultActions.map(describeAction),
    IsDefault: true,
    Transforms: [],
  };
}

/**
 * DescribeRules: a listener's rules by priority, its default rule last, or the rules named by
 * ARN. Marker/PageSize paging (the marker is a position in that order).
 */
function describeRules(params: Params, ctx: ServiceContext): object {
  const p = elbParams(params);
  const { elbv2 } = ctx.state;
  const listenerArn = p.optStr('ListenerArn');
  const arns = p.strList('RuleArns');
  atMostOne({ ListenerArn: listenerArn !== undefined, RuleArns: arns.length > 0 });
  if (listenerArn === undefined && arns.length === 0)
    throw validation('You must specify either listener ARN or rule ARNs');
  const listeners = [...elbv2.listeners.values()];
  let described: object[];
  if (listenerArn !== undefined) {
    const listener = requireListener(ctx, listenerArn);
    const rules = [...elbv2.rules.values()]
      .filter((rule) => rule.listenerArn === listener.arn)
      .sort((a, b) => a.priority - b.priority);
    described = [...rules.map(describeRule), describeDefaultRule(listener)];
  } else {
    described = arns.map((arn) => {
      const rule = elbv2.rules.get(arn);
      if (rule) return describeRule(rule);
      const listener = listeners.find((l) => l.defaultRuleArn === arn);
      if (listener) return describeDefaultRule(listener);
      throw new AwsError('RuleNotFound', `One or more rules not found: '${arn}'`);
    });
  }
  const size =
    intInRange(p, 'PageSize', DESCRIBE_RULES_PAGE.min, DESCRIBE_RULES_PAGE.max) ?? described.length;
  const marker = p.optStr('Marker');
  const start = marker === undefined ? 0 : Number.parseInt(Buffer.from(marker, 'base64url').toString(), 10);
  if (!Number.isInteger(start) || start < 0 || start > described.length)
    throw validation('The marker is not valid');
  const end = start + size;
  return {
    Rules: described.slice(start, end),
    NextMarker: end < described.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}

export const ruleOperations: Operations = {
  CreateRule: createRule,
  DescribeRules: describeRules,
};
