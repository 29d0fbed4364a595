"""A shared NAT for traffic and billing tests: one Lambda ENI and one EC2 ENI behind nat-a (us-east-1)."""

from __future__ import annotations

from builders import daily, eni, function, nat, snapshot, subnet, table

NAT_IP, LAMBDA_IP, EC2_IP, OTHER_VPC_IP = "10.0.0.220", "10.0.1.5", "10.0.1.9", "10.1.0.7"
REMOTE = "203.0.113.5"
GIB = 2**30


def shared_nat_snapshot(window_gib: float = 100.0):
    per_day = window_gib * GIB / 30
    return snapshot(
        subnets=(subnet("subnet-a"), subnet("subnet-pub-a")),
        route_tables=(table("rtb", subnets=("subnet-a",), nat="nat-a"),),
        nat_gateways=(nat("nat-a").model_copy(update={"private_ips": (NAT_IP,)}),),
        functions=(function("fn", ("subnet-a",)),),
        network_interfaces=(
            eni("eni-l1", "subnet-a").model_copy(update={"private_ip": LAMBDA_IP}),
            eni("eni-ec2", "subnet-a", ("sg-x",), kind="interface").model_copy(update={"private_ip": EC2_IP}),
            eni("eni-nat-a", "subnet-pub-a", (), kind="nat_gateway").model_copy(update={"private_ip": NAT_IP}),
            eni("eni-far", "subnet-far", kind="interface").model_copy(
                update={"private_ip": OTHER_VPC_IP, "vpc_id": "vpc-0bbb"}),
        ),
        metrics=(daily("BytesInFromSource", "nat-a", [per_day * 0.6] * 30),
                 daily("BytesInFromDestination", "nat-a", [per_day * 0.4] * 30)),
    )
