"""The benchmark proxy's replay: a repeated request is answered from moto's first answer, per account.

``bench_org.py --replay`` relies on it to take moto's CPU out of the simulated
AWS; if replay answered the wrong account, or asked moto again, the figures
would be wrong, so it is tested like the rest of the harness.
"""

from __future__ import annotations

import boto3
from moto_seed import client
from moto_server import MotoServer


def vpc_ids(ec2) -> set[str]:
    return {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}


def assumed_ec2(server: MotoServer, account: str):
    sts = client("sts", "us-east-1", server.url)
    keys = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/Scan", RoleSessionName="replay-test")["Credentials"]
    return boto3.client("ec2", region_name="us-east-1", endpoint_url=server.url,
                        aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
                        aws_session_token=keys["SessionToken"])


def test_a_repeated_request_is_answered_from_the_first_answer_of_its_account(moto_server: MotoServer) -> None:
    assert moto_server.layer is not None
    moto_server.layer.replay = {}
    orgs = client("organizations", "us-east-1", moto_server.moto_url)
    orgs.create_organization(FeatureSet="ALL")
    member = orgs.create_account(AccountName="prod", Email="p@example.com")["CreateAccountStatus"]["AccountId"]
    caller = client("ec2", "us-east-1", moto_server.url)
    first = vpc_ids(caller)
    member_first = vpc_ids(assumed_ec2(moto_server, member))

    client("ec2", "us-east-1", moto_server.moto_url).create_vpc(CidrBlock="10.9.0.0/16")  # behind the proxy's back

    assert vpc_ids(caller) == first  # replayed: moto was not asked again
    assert vpc_ids(client("ec2", "us-east-1", moto_server.moto_url)) != first  # moto itself has the new VPC
    again = assumed_ec2(moto_server, member)  # new keys of the same role: the same account's answer
    assert vpc_ids(again) == member_first
    assert member_first != first  # keyed by account: the member never gets the caller's answer
    assert len(moto_server.layer.key_accounts) == 2 and set(moto_server.layer.key_accounts.values()) == {member}
