import { endpointOperations } from './ec2-endpoints.ts';
import { networkOperations } from './ec2-network.ts';
import { securityGroupOperations } from './ec2-security-groups.ts';
import type { Operations } from './service.ts';

/** Every EC2 operation the simulator answers. */
export const ec2Operations: Operations = {
  ...networkOperations,
  ...endpointOperations,
  ...securityGroupOperations,
};
