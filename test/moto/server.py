"""moto's server with the few AWS behaviours it lacks, patched in before it starts.

Run: python3 test/moto/server.py -p PORT   (the same arguments as `python3 -m moto.server`)

Each patch closes one gap between moto 5.2.1 and what AWS documents, says which page documents
it, and has a test in test/moto/patches.test.ts that shows the patched behaviour through the AWS
SDK. A patch never makes moto more convenient than AWS; it only makes it do what AWS does.
Listed in test/README.md.
"""

import sys

import threading

import moto
from moto.cloudwatch.models import CloudWatchBackend
from moto.ec2.models import EC2Backend
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.responses.vpcs import VPCs
from moto.ec2.utils import random_private_ip
from moto.elbv2.responses import ELBV2Response
from moto.server import main

EXPECTED_MOTO = "5.2.1"


# Gap 1: DescribeVpcEndpoints has no `vpc-endpoint-id` filter (moto answers 500
# FilterNotImplementedError). AWS documents it: "vpc-endpoint-id - The ID of the endpoint."
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpoints.html
_endpoint_filter_value = VPCEndPoint.get_filter_value


def _endpoint_filter_value_with_id(self, filter_name, method_name=None):
    if filter_name == "vpc-endpoint-id":
        return self.id
    return _endpoint_filter_value(self, filter_name, method_name)


VPCEndPoint.get_filter_value = _endpoint_filter_value_with_id


# Gap 2: ModifyVpcEndpoint with AddSubnetIds/RemoveSubnetIds changes the endpoint's subnet list
# but not its network interfaces. AWS serves an interface endpoint through one endpoint network
# interface in each of its subnets ("AddSubnetId.N: The IDs of the subnets in which to serve the
# endpoint"; "RemoveSubnetId.N: The IDs of the subnets from which to remove the endpoint"), so an
# added subnet gains an ENI and a removed one loses it.
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpoint.html
# https://docs.aws.amazon.com/vpc/latest/privatelink/concepts.html (endpoint network interfaces)
_modify_vpc_endpoint = EC2Backend.modify_vpc_endpoint


def _modify_vpc_endpoint_with_enis(self, vpc_id, *args, **kwargs):
    endpoint = self.describe_vpc_endpoints(vpc_end_point_ids=[vpc_id])[0]
    before = set(endpoint.subnet_ids or [])
    _modify_vpc_endpoint(self, vpc_id, *args, **kwargs)
    remove_subnets = kwargs.get("remove_subnets") or []
    if (endpoint.vpc_endpoint_type or "").lower() != "interface":
        return
    for subnet_id in [s for s in endpoint.subnet_ids or [] if s not in before]:
        eni = self.create_network_interface(subnet_id, None, description=f"VPC Endpoint Interface {endpoint.id}")
        endpoint.network_interface_ids.append(eni.id)
        if getattr(endpoint, "ip_address_type", "ipv4") in ("dualstack", "ipv6"):
            _give_ipv6_address(eni)
    for eni_id in list(endpoint.network_interface_ids):
        eni = self.enis.get(eni_id)
        if eni is not None and eni.subnet.id in remove_subnets:
            self.enis.pop(eni_id, None)
            endpoint.network_interface_ids.remove(eni_id)


EC2Backend.modify_vpc_endpoint = _modify_vpc_endpoint_with_enis


# Gap 3: CreateVpcEndpoint ignores IpAddressType (ipv4 | dualstack | ipv6): the endpoint comes back
# without it and its network interfaces get no IPv6 address. AWS keeps the type on the endpoint
# (VpcEndpoint.IpAddressType) and, for dualstack and ipv6, gives each endpoint network interface an
# IPv6 address from its subnet's IPv6 range.
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
# https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html (IP address type)
def _give_ipv6_address(eni):
    associations = list(eni.subnet.ipv6_cidr_block_associations.values())
    if associations:
        eni.ipv6_addresses.append(random_private_ip(associations[0]["ipv6CidrBlock"], ipv6=True))


_create_vpc_endpoint = VPCs.create_vpc_endpoint


def _create_vpc_endpoint_with_ip_address_type(self):
    result = _create_vpc_endpoint(self)
    endpoint = result._result["VpcEndpoint"]
    endpoint.ip_address_type = self._get_param("IpAddressType") or "ipv4"
    if endpoint.ip_address_type in ("dualstack", "ipv6"):
        for eni_id in endpoint.network_interface_ids:
            _give_ipv6_address(self.ec2_backend.enis[eni_id])
    return result


VPCs.create_vpc_endpoint = _create_vpc_endpoint_with_ip_address_type


# Gap 4: GetMetricData with a MetricStat sums every datapoint of that metric name when the query
# names no dimensions (and matches any namespace when it names some). AWS: "CloudWatch treats each
# unique combination of dimensions as a separate metric. If a specific combination of dimensions
# was not published, you can't retrieve statistics for it." A query gets the datapoints of exactly
# its namespace, name and dimensions.
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html (Dimensions)
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
_get_metric_data = CloudWatchBackend.get_metric_data
_metric_data_lock = threading.Lock()


def _get_metric_data_exact_dimensions(self, queries, start_time, end_time, *args, **kwargs):
    if any("MetricStat" not in q for q in queries):  # metric math refers to other queries: as moto does
        return _get_metric_data(self, queries, start_time, end_time, *args, **kwargs)
    everything = self.get_all_metrics
    results = []
    with _metric_data_lock:
        try:
            for query in queries:
                metric = query["MetricStat"]["Metric"]
                wanted = sorted((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
                self.get_all_metrics = lambda m=metric, w=wanted: [
                    md
                    for md in everything()
                    if md.namespace == m["Namespace"] and sorted((d.name, d.value) for d in md.dimensions) == w
                ]
                results.extend(_get_metric_data(self, [query], start_time, end_time, *args, **kwargs))
        finally:
            self.__dict__.pop("get_all_metrics", None)
    return results


CloudWatchBackend.get_metric_data = _get_metric_data_exact_dimensions


# Gap 5: CreateRule drops the rule's Transforms (a host-header-rewrite or url-rewrite transform):
# DescribeRules returns the rule without them. AWS keeps them on the rule and returns them in
# Rule.Transforms ("Transforms.member.N: The transforms to apply to requests that match this rule.
# You can add one host header rewrite transform and one URL rewrite transform.").
# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html
# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Rule.html (Transforms)
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-transforms.html
_create_rule = ELBV2Response.create_rule


def _create_rule_with_transforms(self):
    result = _create_rule(self)
    transforms = self._get_params().get("Transforms")
    if transforms:
        result._result["Rules"][0].transforms = transforms
    return result


ELBV2Response.create_rule = _create_rule_with_transforms


if __name__ == "__main__":
    if moto.__version__ != EXPECTED_MOTO:
        sys.stderr.write(
            f"test/moto/server.py patches moto {EXPECTED_MOTO}, found {moto.__version__}: "
            f"pip install 'moto[server]=={EXPECTED_MOTO}'\n"
        )
        sys.exit(1)
    main(sys.argv[1:])
