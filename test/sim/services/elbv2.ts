import { loadBalancerOperations } from './elbv2-load-balancers.ts';
import { ruleOperations } from './elbv2-rules.ts';
import { tagOperations } from './elbv2-tags.ts';
import { targetGroupOperations } from './elbv2-target-groups.ts';
import { targetOperations } from './elbv2-targets.ts';
import type { Operations } from './service.ts';

/** Every Elastic Load Balancing v2 operation the simulator answers. */
export const elbv2Operations: Operations = {
  ...targetGroupOperations,
  ...targetOperations,
  ...tagOperations,
  ...loadBalancerOperations,
  ...ruleOperations,
};
