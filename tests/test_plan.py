"""Migration plans from hand-made snapshots, through the real topology, design and costs.

The VPC: private subnets in us-east-1a/b/c route to nat-1; public subnets
exist in 1a (explicit association, and the NAT's own subnet) and 1b (through
the main route table), none in 1c. nat-1 has one Elastic IP, eipalloc-nat1
(203.0.113.10); some tests give it per-address detail (a secondary address,
or regional mode). Each function sits in its private subnet with one Lambda
ENI. The plans are built by ``build_plans`` over ``build_topology``'s output,
so a topology or design bug shows here.
"""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime

import pytest

from analyzer.costs import build_scenarios
from analyzer.models import (
    Finding,
    InternetGateway,
    LambdaFunction,
    NatAddress,
    NatGateway,
    NetworkInterface,
    Route,
    RouteTable,
    Settings,
    Snapshot,
    Subnet,
)
from analyzer.plan import build_plans
from analyzer.pricing import load_price_book
from analyzer.topology import build_topology
from analyzer.usage import build_usage

ACCT, REGION, VPC = "111122223333", "us-east-1", "vpc-1"
LOC = {"account_id": ACCT, "region": REGION}
DEFAULT = "0.0.0.0/0"
SUBNET_AZ = {
    "subnet-priv-a": "us-east-1a",
    "subnet-priv-b": "us-east-1b",
    "subnet-priv-c": "us-east-1c",
    "subnet-pub-a": "us-east-1a",
    "subnet-pub-b": "us-east-1b",
    "subnet-nat": "us-east-1a",
}
# The NAT's own subnet is public too, but has fewer free addresses than subnet-pub-a.
FREE_IPS = {"subnet-pub-a": 250, "subnet-nat": 10}
# name -> (subnets, security groups, ENIs)
FUNCS = {
    "orders": ("subnet-priv-a", ("sg-1",), ("eni-a",)),
    "billing": ("subnet-priv-b", ("sg-2", "sg-3"), ("eni-b",)),
    "reports": ("subnet-priv-c", ("sg-1",), ("eni-c",)),
}
TWO = {k: FUNCS[k] for k in ("orders", "billing")}
REUSE = Settings(reuse_nat_addresses=True)
RECREATE = "aws ec2 create-nat-gateway --subnet-id subnet-nat --allocation-id eipalloc-nat1 --region us-east-1"


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCT}:function:{name}"


def tables() -> tuple[RouteTable, ...]:
    return (
        RouteTable(route_table_id="rtb-main", vpc_id=VPC, is_main=True, **LOC,
                   routes=(Route(destination_cidr_block=DEFAULT, gateway_id="igw-1"),)),
        RouteTable(route_table_id="rtb-public", vpc_id=VPC, subnet_ids=("subnet-pub-a", "subnet-nat"), **LOC,
                   routes=(Route(destination_cidr_block=DEFAULT, gateway_id="igw-1"),)),
        RouteTable(route_table_id="rtb-private", vpc_id=VPC, **LOC,
                   subnet_ids=("subnet-priv-a", "subnet-priv-b", "subnet-priv-c"),
                   routes=(Route(destination_cidr_block="10.0.0.0/16", gateway_id="local"),
                           Route(destination_cidr_block=DEFAULT, nat_gateway_id="nat-1"),
                           Route(destination_prefix_list_id="pl-s3", gateway_id="vpce-s3"))),
    )  # fmt: skip


def snapshot(funcs: dict, nat_allocs: tuple[str, ...] = ("eipalloc-nat1",), ips=("203.0.113.10",),
             gateway: dict | None = None, others: tuple[str, ...] = (), extra: dict | None = None) -> Snapshot:
    """``funcs``: name -> (subnet or subnets, SGs, ENIs); ``others``: EC2 ENIs in subnet-priv-a."""
    functions, enis = [], []
    for name, (subnets, sgs, eni_ids) in funcs.items():
        subnets = (subnets,) if isinstance(subnets, str) else subnets
        functions.append(LambdaFunction(arn=arn(name), name=name, vpc_id=VPC, subnet_ids=subnets,
                                        security_group_ids=sgs, **LOC))
        enis += [NetworkInterface(network_interface_id=e, vpc_id=VPC, subnet_id=s, interface_type="lambda",
                                  security_group_ids=tuple(sorted(sgs)), **LOC)
                 for e, s in zip(eni_ids, subnets, strict=False)]  # fmt: skip
    enis += [NetworkInterface(network_interface_id=e, vpc_id=VPC, subnet_id="subnet-priv-a", **LOC) for e in others]
    record = {"nat_gateway_id": "nat-1", "vpc_id": VPC, "subnet_id": "subnet-nat", "availability_zone": "us-east-1a",
              "allocation_ids": nat_allocs, "public_ips": ips, "network_interface_ids": ("eni-nat",),
              **LOC, **(gateway or {})}  # fmt: skip
    return Snapshot(
        collected_at=datetime(2026, 9, 1, tzinfo=UTC),
        functions=tuple(functions),
        network_interfaces=tuple(enis),
        subnets=tuple(
            Subnet(subnet_id=s, vpc_id=VPC, availability_zone=az, available_ip_address_count=FREE_IPS.get(s), **LOC)
            for s, az in SUBNET_AZ.items()
        ),
        route_tables=tables(),
        nat_gateways=(NatGateway(**record),),
        internet_gateways=(InternetGateway(internet_gateway_id="igw-1", vpc_ids=(VPC,), **LOC),),
        **(extra or {}),
    )


def plans_of(snap: Snapshot, settings: Settings | None = None, findings=()) -> tuple:
    settings = settings or Settings()
    topo = build_topology(snap, settings)
    scenarios = build_scenarios(topo, build_usage(snap, topo, settings), load_price_book(), settings)
    return build_plans(snap, topo, scenarios, findings, settings)


def plan_for(funcs: dict, findings=(), settings: Settings | None = None, **snap):
    [plan] = plans_of(snapshot(funcs, **snap), settings, findings)
    return plan


def commands(plan, stage: str | None = None) -> list[str]:
    return [c for s in plan.steps if stage in (None, s.stage) for c in s.commands]


def index(plan, predicate) -> int:
    return next(i for i, s in enumerate(plan.steps) if predicate(s))


def vpc_config_keys(value: str) -> list[tuple[str, tuple[str, ...]]]:
    """(subnet, sorted SGs) per subnet of a --vpc-config value."""
    subnets, sgs = value.removeprefix("SubnetIds=").split(",SecurityGroupIds=")
    return [(sub, tuple(sorted(sgs.split(",Ipv6")[0].split(",")))) for sub in subnets.split(",")]


def arg(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def assert_address_before_any_function(plan) -> None:
    """Each (subnet, SG set) is warmed, then has its Elastic IP associated, and the guard is deployed, before a
    real function lands on it; every function moves exactly once."""
    warmed: dict = {}
    associated: dict = {}
    guard = index(plan, lambda s: s.stage == "guard")
    moved: list[str] = []
    for i, step in enumerate(plan.steps):
        for line in step.commands:
            argv = shlex.split(line) if line.startswith("aws ") else []
            if argv[1:3] == ["lambda", "create-function"]:
                [key] = vpc_config_keys(arg(argv, "--vpc-config"))
                warmed.setdefault(key, i)
            if argv[1:3] == ["ec2", "describe-network-interfaces"] and step.stage == "associate":
                assert any(c.split()[2] == "associate-address" for c in step.commands)
                filters = dict(f.split(",Values=") for f in argv[argv.index("--filters") + 1:][:3])
                key = (filters["Name=subnet-id"], tuple(sorted(filters["Name=group-id"].split(","))))
                associated.setdefault(key, i)
            if argv[1:3] == ["lambda", "update-function-configuration"]:
                assert step.stage == "move"
                assert guard < i, "the guard is installed before the first production move"
                moved.append(arg(argv, "--function-name"))
                for key in vpc_config_keys(arg(argv, "--vpc-config")):
                    assert warmed[key] < associated[key] < i, (key, step.title)
    assert sorted(moved) == sorted(a.rsplit(":", 1)[-1] for a in plan.function_arns)  # once each


# --------------------------------------------------------------------------- the default: no window


def test_default_allocates_new_addresses_ahead_and_has_no_window():
    plan = plan_for(TWO)
    assert plan.reused_allocation_ids == () and plan.new_eips_needed == 2
    assert plan.window_minutes == 0
    assert not any(s.title.startswith("Maintenance window") for s in plan.steps)
    allocs = [c for c in commands(plan) if " allocate-address " in c]
    assert allocs == [
        "aws ec2 allocate-address --domain vpc --tag-specifications "
        f"'ResourceType=elastic-ip,Tags=[{{Key=Name,Value=lambda-egress-nat-1-{n}}}]' --region us-east-1"
        for n in (1, 2)
    ]
    # The NAT's primary address is released at the very end, after the partner was told.
    last = plan.steps[-1]
    assert last.commands == ("aws ec2 release-address --allocation-id eipalloc-nat1 --region us-east-1",)
    assert last.rollback == ("aws ec2 allocate-address --domain vpc --address 203.0.113.10 --region us-east-1",)
    # Both options are stated, with their cost, and which one is laid out.
    assert plan.downtime_choice.startswith("Laid out: new addresses allow-listed ahead, no window")
    assert "window of about 10 minutes" in plan.downtime_choice and "--reuse-nat-addresses" in plan.downtime_choice
    announce = next(s for s in plan.steps if s.stage == "partner")
    assert "Remove 203.0.113.10 (eipalloc-nat1) from the allow-list only after the plan's last step" in announce.detail
    assert_address_before_any_function(plan)


def test_reusing_the_primary_lays_out_the_window_in_order():
    plan = plan_for(TWO, settings=REUSE)
    assert plan.reused_allocation_ids == ("eipalloc-nat1",) and plan.new_eips_needed == 1
    assert plan.window_minutes == 10 and plan.downtime_choice.startswith("Laid out: reuse")
    allocate = index(plan, lambda s: s.stage == "allocate")
    announce = index(plan, lambda s: s.stage == "partner")
    first_warm = index(plan, lambda s: s.stage == "warm")
    guard = index(plan, lambda s: s.stage == "guard")
    first_move = index(plan, lambda s: s.stage == "move")
    delete = index(plan, lambda s: any("delete-nat-gateway" in c for c in s.commands))
    reuse = index(plan, lambda s: any("--allocation-id eipalloc-nat1 " in c for c in s.commands))
    window_move = index(plan, lambda s: s.title.startswith("Maintenance window"))
    window_warm = index(plan, lambda s: s.stage == "warm" and "subnet-pub-a" in s.title)
    new_assoc = index(plan, lambda s: any("<new-allocation-id-1>' --network" in c for c in s.commands))
    assert allocate < announce < first_warm < new_assoc < guard < first_move < window_warm < delete < reuse
    assert reuse < window_move
    assert "billing" in plan.steps[first_move].title and "orders" in plan.steps[window_move].title
    assert "maintenance window of about 10 minutes for orders" in plan.steps[announce].detail
    assert "203.0.113.10 (eipalloc-nat1)" in plan.steps[announce].detail
    step = plan.steps[new_assoc].commands
    assert [c.split()[2] for c in step] == ["describe-network-interfaces", "associate-address", "describe-addresses"]
    assert_address_before_any_function(plan)


@pytest.mark.parametrize("settings", [Settings(), REUSE], ids=["no-window", "window"])
@pytest.mark.parametrize("others", [(), ("eni-ec2",)])
@pytest.mark.parametrize("funcs", [TWO, FUNCS, {"orders": FUNCS["orders"]}])
def test_no_function_lands_on_an_eni_before_its_address(funcs, others, settings):
    assert_address_before_any_function(plan_for(funcs, others=others, settings=settings))


def test_warmer_is_created_waited_for_and_deleted():
    plan = plan_for(TWO)
    [warm] = [s for s in plan.steps if s.stage == "warm" and "subnet-pub-b" in s.title]
    name = re.search(r"lambda-egress-warmer-[0-9a-f]{10}", warm.title).group(0)
    assert warm.commands[:2] == (
        f"aws lambda create-function --function-name {name} --runtime python3.12 --handler index.handler "
        "--role '<warmer-role-arn>' --zip-file 'fileb://<warmer-code.zip>' "
        "--vpc-config SubnetIds=subnet-pub-b,SecurityGroupIds=sg-2,sg-3 --description 'lambda-egress ENI warmer' "
        "--region us-east-1",
        f"aws lambda wait function-active-v2 --function-name {name} --region us-east-1",
    )
    assert warm.commands[2].startswith(
        "aws ec2 describe-network-interfaces --filters Name=interface-type,Values=lambda "
        "Name=subnet-id,Values=subnet-pub-b Name=group-id,Values=sg-2,sg-3"
    )
    delete = f"aws lambda delete-function --function-name {name} --region us-east-1"
    assert warm.rollback == (delete,)
    cleanup = [i for i, s in enumerate(plan.steps) if s.stage == "cleanup" and delete in s.commands]
    moves = [i for i, s in enumerate(plan.steps) if s.stage == "move"]
    assert cleanup and cleanup[0] > moves[0]  # the warmer goes once the real functions hold the ENI
    warmers = [s.title.split()[-1] for s in plan.steps if s.stage == "warm"]
    assert len(set(warmers)) == 2 and warmers == [s.title.split()[-1] for s in plan_for(TWO).steps if s.stage == "warm"]


def test_cutover_deletes_routes_and_nat_after_every_move_with_rollback_to_the_same_allocation():
    plan = plan_for(TWO)
    cutover = commands(plan, "cutover")
    delete = "aws ec2 delete-route --route-table-id rtb-private --destination-cidr-block 0.0.0.0/0 --region us-east-1"
    assert delete in cutover
    route = next(s for s in plan.steps if delete in s.commands)
    assert "0.0.0.0/0 in rtb-private (used by subnet-priv-a, subnet-priv-b, subnet-priv-c)" in route.detail
    assert "Subnets subnet-priv-c held no other ENI" in route.detail  # it loses the route too: said so
    assert "aws ec2 delete-nat-gateway --nat-gateway-id nat-1 --region us-east-1" in cutover
    assert "aws ec2 wait nat-gateway-deleted --nat-gateway-ids nat-1 --region us-east-1" in cutover
    assert index(plan, lambda s: delete in s.commands) > max(i for i, s in enumerate(plan.steps) if s.stage == "move")
    rollback = [c for s in plan.steps for c in s.rollback]
    assert RECREATE in rollback
    assert any(c.startswith("aws ec2 create-route --route-table-id rtb-private") for c in rollback)
    assert "aws ec2 release-address --allocation-id '<new-allocation-id-1>' --region us-east-1" in rollback


def test_shared_nat_reuses_nothing_and_stays():
    plan = plan_for(TWO, others=("eni-ec2",), settings=REUSE)
    assert plan.reused_allocation_ids == ()
    assert plan.new_eips_needed == 2
    assert not any("delete-nat-gateway" in c or "delete-route" in c for c in commands(plan))
    assert not any("eipalloc-nat1" in c for c in commands(plan, "associate"))
    assert not any(s.title.startswith("Maintenance window") for s in plan.steps)
    keep = next(s for s in plan.steps if s.title.startswith("Keep nat-1"))
    assert keep.title == "Keep nat-1: 1 other consumer(s) still use it" and "eni-ec2" in keep.detail
    assert 'data "aws_eip"' not in plan.terraform and plan.terraform.count('resource "aws_eip" ') == 2


def test_commands_carry_real_names_subnets_sgs_and_region():
    plan = plan_for(TWO)
    moves = commands(plan, "move")
    assert (
        "aws lambda update-function-configuration --function-name billing "
        "--vpc-config SubnetIds=subnet-pub-b,SecurityGroupIds=sg-2,sg-3 --region us-east-1"
    ) in moves
    assert (
        "aws lambda update-function-configuration --function-name orders "
        "--vpc-config SubnetIds=subnet-pub-a,SecurityGroupIds=sg-1 --region us-east-1"
    ) in moves
    describe = [c for c in commands(plan, "associate") if "describe-network-interfaces" in c]
    assert any("Name=subnet-id,Values=subnet-pub-b Name=group-id,Values=sg-2,sg-3" in c for c in describe)
    assert all("--region us-east-1" in c for c in commands(plan) if c.startswith("aws "))
    rollback = next(s for s in plan.steps if s.stage == "move").rollback
    assert (
        "aws lambda update-function-configuration --function-name billing "
        "--vpc-config SubnetIds=subnet-priv-b,SecurityGroupIds=sg-2,sg-3 --region us-east-1"
    ) in rollback
    assert (
        "aws lambda update-alias --function-name billing --name '<alias-name>' "
        "--function-version '<alias-version-saved-in-the-prerequisites>' --region us-east-1"
    ) in rollback


def test_missing_public_subnet_becomes_a_create_subnet_prerequisite():
    plan = plan_for({"reports": FUNCS["reports"]})
    placeholder = "<new-public-subnet-vpc-1-us-east-1c>"
    [create] = [s for s in plan.steps if s.title == "Create a public subnet in us-east-1c"]
    assert create.stage == "prerequisites"
    assert any(c.startswith("aws ec2 create-subnet --vpc-id vpc-1 --availability-zone us-east-1c")
               for c in create.commands)  # fmt: skip
    assert (
        f"aws ec2 associate-route-table --route-table-id rtb-main --subnet-id '{placeholder}' --region us-east-1"
    ) in create.commands
    assert any(f"SubnetIds={placeholder}" in c for c in commands(plan, "move"))
    assert "var.nat_1_new_public_subnet_vpc_1_us_east_1c" in plan.terraform
    [target] = plan.targets
    assert target.subnet_id == placeholder


def test_every_stage_but_verification_has_a_rollback():
    for plan in (plan_for(TWO), plan_for(TWO, others=("eni-ec2",)), plan_for(FUNCS, settings=REUSE)):
        stages = {s.stage for s in plan.steps}
        assert {"prerequisites", "partner", "warm", "move", "associate", "verify", "cleanup", "guard",
                "cutover"} <= stages
        for step in plan.steps:
            assert bool(step.rollback) == (step.stage != "verify"), step.title


def test_unused_nat_addresses_are_released_and_no_allocation_when_the_nat_has_enough():
    two = {"nat_allocs": ("eipalloc-nat1", "eipalloc-nat2"), "ips": ("203.0.113.10", "203.0.113.11")}
    plan = plan_for({"orders": FUNCS["orders"]}, settings=REUSE, **two)
    assert plan.reused_allocation_ids == ("eipalloc-nat1",) and plan.new_eips_needed == 0
    assert not any(s.stage == "allocate" for s in plan.steps)
    last = plan.steps[-1]
    assert last.commands == ("aws ec2 release-address --allocation-id eipalloc-nat2 --region us-east-1",)
    assert last.rollback == ("aws ec2 allocate-address --domain vpc --address 203.0.113.11 --region us-east-1",)
    assert (
        "aws ec2 create-nat-gateway --subnet-id subnet-nat --allocation-id eipalloc-nat1 "
        "--secondary-allocation-ids eipalloc-nat2 --region us-east-1"
    ) in [c for s in plan.steps for c in s.rollback]


def test_route_gaps_are_named_in_the_prerequisites():
    plan = plan_for(TWO)
    assert "pl-s3 -> vpce-s3 (in rtb-private, not in rtb-public)" in plan.steps[0].detail


def finding(rule: str, resources: tuple[str, ...], suppressed: bool = False, account: str = ACCT) -> Finding:
    return Finding(rule_id=rule, severity="medium", title=rule, resource_ids=resources, message="m",
                   remediation="r", suppressed=suppressed, account_id=account, region=REGION)  # fmt: skip


def test_finding_rule_ids_by_resource_intersection_without_suppressed():
    findings = [
        finding("shared-eni", ("subnet-priv-a", "eni-a")),
        finding("eip-quota", ("nat-1",)),
        finding("idle-reclamation", (arn("billing"),)),
        finding("connection-limit", ("eni-b",), suppressed=True),
        finding("cross-az-nat", ("subnet-elsewhere",)),
        finding("idle-nat", ("nat-1",), account="999999999999"),
        finding("eni-not-persistent", ("eni-a",)),
        finding("shared-eni", ("eni-b",)),
    ]
    plan = plan_for(TWO, findings=findings)
    assert plan.finding_rule_ids == ("eip-quota", "eni-not-persistent", "idle-reclamation", "shared-eni")


def test_terraform_keeps_reused_nat_addresses_and_never_destroys_them():
    tf = plan_for(TWO, settings=REUSE).terraform
    assert 'data "aws_eip"' not in tf
    assert 'import {\n  to = aws_eip.nat_1_reused_1\n  id = "eipalloc-nat1"\n}' in tf
    reused = tf[tf.index('resource "aws_eip" "nat_1_reused_1"'):]
    assert reused.index("prevent_destroy = true") < reused.index("}\n}")
    assert "removed { from = <its address> lifecycle { destroy = false } }" in tf  # why, for NAT code beside it
    assert tf.count('resource "aws_eip" ') == 2
    assert tf.count('resource "aws_eip_association" ') == 2
    assert "allocation_id        = aws_eip.nat_1_reused_1.id" in tf
    assert "allocation_id        = aws_eip.nat_1_new_1.id" in tf
    assert "network_interface_id = var.nat_1_eni_1" in tf
    assert 'subnet_ids         = ["subnet-pub-b"]' in tf and 'security_group_ids = ["sg-2", "sg-3"]' in tf
    assert 'resource "aws_lambda_function" "billing"' in tf and "Merge into your existing resource" in tf


def test_hostile_function_name_is_quoted_everywhere():
    name = "pay; rm -rf ~ $(id)\n${x}"
    plan = plan_for({name: FUNCS["orders"]})
    updates = [c for c in commands(plan) if "update-function-configuration" in c]
    assert updates
    for line in updates:
        argv = shlex.split(line)
        assert argv[argv.index("--function-name") + 1] == name
    assert 'resource "aws_lambda_function" "pay__rm__rf_____id____x_"' in plan.terraform
    assert "\n${x}" not in plan.terraform
    [save] = [c for c in commands(plan, "prerequisites") if "get-function-configuration" in c]
    argv = shlex.split(save)
    assert argv[argv.index("--function-name") + 1] == name
    assert re.fullmatch(r"vpc-config-[A-Za-z0-9_.+-]+\.json", argv[-1]) and argv[-2] == ">"


def test_hostile_subnet_ids_stay_quoted_strings_in_terraform():
    """A tampered snapshot cannot turn a subnet id into an HCL expression (``var.`` or otherwise)."""
    snap = snapshot(TWO)
    evil = "var.x } resource \"null_resource\" \"pwn\" { provisioner \"local-exec\" { command = \"id\" }"
    subnets = tuple(s.model_copy(update={"subnet_id": evil}) if s.subnet_id == "subnet-pub-b" else s
                    for s in snap.subnets)  # fmt: skip
    main = snap.route_tables[0]
    snap = snap.model_copy(update={"subnets": subnets})
    [plan] = plans_of(snap.model_copy(update={"route_tables": (main, *snap.route_tables[1:])}))
    assert "subnet_ids         = [" + '"' + evil.replace('"', '\\"') + '"]' in plan.terraform
    assert "\nresource \"null_resource\"" not in plan.terraform


def test_guard_is_deployed_and_tested_before_the_first_move():
    plan = plan_for(TWO)
    guard = next(s for s in plan.steps if s.stage == "guard")
    argv = shlex.split(guard.commands[0])
    assert argv[:5] == ["lambda-egress", "guard", "report.json", "--name", "lambda-egress-guard-nat-1"]
    assert arg(argv, "--nat") == "nat-1" and arg(argv, "--out") == "guard/nat-1"
    assert [a for i, a in enumerate(argv) if argv[i - 1] == "--allocation"] == [
        "<new-allocation-id-1>=<eipalloc-id-of-new-allocation-id-1>",
        "<new-allocation-id-2>=<eipalloc-id-of-new-allocation-id-2>"]
    deploy = [c for c in guard.commands if c.startswith("aws cloudformation deploy ")]
    assert deploy == ["aws cloudformation deploy --template-file guard/nat-1/111122223333/us-east-1/"
                      "cloudformation.packaged.yaml --stack-name lambda-egress-guard-nat-1 --capabilities "
                      "CAPABILITY_NAMED_IAM --region us-east-1"]
    # Tested on a warmed ENI before anything real runs there: disassociate, run the guard, expect it back.
    test = guard.commands.index(next(c for c in guard.commands if "disassociate-address" in c))
    assert [c.split()[2] for c in guard.commands[test:test + 3]] == ["disassociate-address", "invoke",
                                                                      "describe-addresses"]
    assert "lambda-egress verify --region us-east-1 --allowed-ips allowed-ips-nat-1.txt" in guard.commands
    assert guard.rollback[:2] == (
        "aws cloudformation delete-stack --stack-name lambda-egress-guard-nat-1 --region us-east-1",
        "aws cloudformation wait stack-delete-complete --stack-name lambda-egress-guard-nat-1 --region us-east-1")
    assert index(plan, lambda s: s.stage == "guard") < index(plan, lambda s: s.stage == "move")
    announce = next(s for s in plan.steps if s.stage == "partner")
    assert announce.commands[-1].endswith("> allowed-ips-nat-1.txt")


def test_the_runbook_s_guard_command_writes_the_guard_once_ids_are_filled_in(tmp_path):
    """The generate line of the guard stage, with the placeholders filled, runs against the real `guard`."""
    from typer.testing import CliRunner

    from analyzer.cli import app
    from analyzer.pricing import load_price_book
    from analyzer.result import analyze

    result = analyze(snapshot(TWO), load_price_book())
    report = tmp_path / "report.json"
    report.write_text(result.model_dump_json())
    [plan] = result.plans
    guard = next(s for s in plan.steps if s.stage == "guard")
    line = guard.commands[0].replace("<eipalloc-id-of-new-allocation-id-1>", "eipalloc-0aaa1111")
    line = line.replace("<eipalloc-id-of-new-allocation-id-2>", "eipalloc-0bbb2222")
    argv = shlex.split(line)
    argv[argv.index("report.json")] = str(report)
    argv[argv.index("--out") + 1] = str(tmp_path / "guard" / "nat-1")
    run = CliRunner().invoke(app, argv[1:])
    assert run.exit_code == 0, run.output
    mapping = (tmp_path / "guard" / "nat-1" / ACCT / REGION / "mapping.json").read_text()
    assert "eipalloc-0aaa1111" in mapping and "subnet-pub-b" in mapping
    template = (tmp_path / "guard" / "nat-1" / ACCT / REGION / "cloudformation.yaml").read_text()
    assert '"lambda-egress-guard-nat-1"' in template


def test_function_in_two_subnets_of_one_nat_moves_once():
    plan = plan_for({"orders": (("subnet-priv-a", "subnet-priv-b"), ("sg-1",), ("eni-a", "eni-b"))})
    [move] = [s for s in plan.steps if s.stage == "move"]
    assert move.commands[0].endswith("SubnetIds=subnet-pub-a,subnet-pub-b,SecurityGroupIds=sg-1 --region us-east-1")
    assert [(t.subnet_id, t.allocation_ids) for t in plan.targets] == [
        ("subnet-pub-a", ("<new-allocation-id-1>",)), ("subnet-pub-b", ("<new-allocation-id-2>",))]


def relocate(model, account: str, region: str):
    """The same record in another account and region (ids, ARNs and AZ names follow)."""
    text = model.model_dump_json().replace(ACCT, account).replace(REGION, region)
    return type(model).model_validate_json(text)


def test_plans_built_together_equal_plans_built_alone():
    """Identical estates in several accounts and regions: indexing them together changes no plan."""
    findings = [finding("shared-eni", ("eni-a",)), finding("idle-nat", ("nat-1",)), finding("eip-quota", ("x",))]
    places = [(f"{n:012d}", region) for n in (1, 2, 3) for region in ("us-east-1", "eu-west-1")]
    alone, snaps, found = [], [], []
    for k, (account, region) in enumerate(places):
        funcs = FUNCS if k % 2 else TWO
        snap = relocate(snapshot(funcs, others=("eni-ec2",) if k == 3 else ()), account, region)
        mine = [relocate(f, account, region) for f in findings[: k % 3 + 1]]
        [plan] = plans_of(snap, REUSE, mine)
        alone.append(plan)
        snaps.append(snap), found.extend(mine)
    fields = ("functions", "network_interfaces", "subnets", "route_tables", "nat_gateways", "internet_gateways")
    merged = snaps[0].model_copy(update={f: tuple(r for s in snaps for r in getattr(s, f)) for f in fields})
    together = plans_of(merged, REUSE, found)
    assert sorted(together, key=lambda p: (p.account_id, p.region)) == sorted(
        alone, key=lambda p: (p.account_id, p.region))
    assert {p.reused_allocation_ids for p in together} == {(), ("eipalloc-nat1",)}


# --------------------------------------------------------------------------- the NAT's own addresses


def nat_address(alloc: str, ip: str, primary: bool, az: str | None = None, status: str = "succeeded") -> NatAddress:
    return NatAddress(
        allocation_id=alloc, public_ip=ip, association_id=alloc.replace("eipalloc", "eipassoc"), is_primary=primary,
        availability_zone=az, status=status, network_interface_id="eni-nat",
    )  # fmt: skip


def zonal(*addresses: NatAddress) -> dict:
    live = [a for a in addresses if a.status == "succeeded"]
    return {"addresses": addresses, "allocation_ids": tuple(a.allocation_id for a in live),
            "public_ips": tuple(a.public_ip for a in live)}  # fmt: skip


PRIMARY = nat_address("eipalloc-nat1", "203.0.113.10", True)
SECONDARY = nat_address("eipalloc-nat2", "203.0.113.11", False)


@pytest.mark.parametrize("settings", [Settings(), REUSE], ids=["no-window", "window"])
def test_secondary_address_is_released_and_reused_before_anything_moves(settings):
    plan = plan_for(TWO, gateway=zonal(PRIMARY, SECONDARY), settings=settings)
    reused = ("eipalloc-nat2", "eipalloc-nat1") if settings.reuse_nat_addresses else ("eipalloc-nat2",)
    assert plan.reused_allocation_ids == reused and plan.new_eips_needed == 2 - len(reused)
    release = index(plan, lambda s: s.stage == "release")
    step = plan.steps[release]
    assert step.commands[0] == (
        "aws ec2 disassociate-nat-gateway-address --nat-gateway-id nat-1 --association-ids eipassoc-nat2 "
        "--region us-east-1"
    )
    assert step.commands[1] == (
        """until test "$(aws ec2 describe-addresses --allocation-ids eipalloc-nat2 --query """
        """'length(Addresses[?AssociationId])' --output text --region us-east-1)" = 0; do sleep 15; done"""
    )
    assert (
        "aws ec2 associate-nat-gateway-address --nat-gateway-id nat-1 --allocation-ids eipalloc-nat2 "
        "--region us-east-1"
    ) in step.rollback
    # The secondary goes to orders before anything moves.
    reuse = index(plan, lambda s: any("--allocation-id eipalloc-nat2 " in c for c in s.commands))
    early_move = index(plan, lambda s: s.stage == "move" and "orders" in s.title)
    delete = index(plan, lambda s: any("delete-nat-gateway" in c for c in s.commands))
    assert index(plan, lambda s: s.stage == "partner") < release < reuse < early_move < delete
    windows = [s.title for s in plan.steps if s.title.startswith("Maintenance window")]
    assert windows == (["Maintenance window: move billing"] if settings.reuse_nat_addresses else [])
    rollback = [c for s in plan.steps for c in s.rollback]
    assert RECREATE in rollback
    assert_address_before_any_function(plan)


def test_secondary_alone_covers_the_need_so_there_is_no_window():
    plan = plan_for({"orders": FUNCS["orders"]}, gateway=zonal(SECONDARY, PRIMARY), settings=REUSE)
    assert plan.reused_allocation_ids == ("eipalloc-nat2",)
    assert not any(s.title.startswith("Maintenance window") for s in plan.steps)
    assert "maintenance window" not in " ".join(s.detail for s in plan.steps if s.stage == "partner")
    assert plan.steps[-1].commands == ("aws ec2 release-address --allocation-id eipalloc-nat1 --region us-east-1",)


@pytest.mark.parametrize(
    ("gateway", "window", "new"),
    [
        (None, "billing, orders", 0),  # an older snapshot: no per-address detail
        (zonal(nat_address("eipalloc-nat1", "203.0.113.10", False),
               nat_address("eipalloc-nat2", "203.0.113.11", False)), "billing, orders", 0),
        # An address in flux is neither released nor reused: billing gets a new one.
        (zonal(PRIMARY, nat_address("eipalloc-nat2", "203.0.113.11", False, status="disassociating")), "orders", 1),
    ],
    ids=["no-detail", "no-primary-flag", "secondary-in-flux"],
)  # fmt: skip
def test_without_a_known_secondary_every_reused_address_waits_for_the_window(gateway, window, new):
    snap = {"gateway": gateway} if gateway else {"nat_allocs": ("eipalloc-nat1", "eipalloc-nat2"),
                                                 "ips": ("203.0.113.10", "203.0.113.11")}  # fmt: skip
    plan = plan_for(TWO, settings=REUSE, **snap)
    assert not any(s.stage == "release" for s in plan.steps)
    assert not any("disassociate-nat-gateway-address" in c for c in commands(plan))
    assert [s.title for s in plan.steps if s.title.startswith("Maintenance window")] == [
        f"Maintenance window: move {window}"
    ]
    assert plan.new_eips_needed == new
    assert_address_before_any_function(plan)
    # Without --reuse-nat-addresses the same NAT lends nothing and nothing waits.
    default = plan_for(TWO, **snap)
    assert default.new_eips_needed == 2 and default.window_minutes == 0


REGIONAL = {"subnet_id": None, "availability_zone": None, "availability_mode": "regional"}


def test_regional_rollback_pins_each_az_to_its_original_allocations():
    gateway = REGIONAL | zonal(
        nat_address("eipalloc-ra", "198.51.100.1", True, "us-east-1a"),
        nat_address("eipalloc-ra2", "198.51.100.2", False, "us-east-1a"),
        nat_address("eipalloc-rb", "198.51.100.3", True, "us-east-1b"),
    )
    plan = plan_for(FUNCS, gateway=gateway, settings=REUSE)  # three ENIs: all three addresses are reused
    assert sorted(plan.reused_allocation_ids) == ["eipalloc-ra", "eipalloc-ra2", "eipalloc-rb"]
    [release] = [s for s in plan.steps if s.stage == "release"]
    assert (
        "aws ec2 associate-nat-gateway-address --nat-gateway-id nat-1 --allocation-ids eipalloc-ra2 "
        "--availability-zone us-east-1a --region us-east-1"
    ) in release.rollback
    [delete] = [s for s in plan.steps if any("delete-nat-gateway" in c for c in s.commands)]
    create = next(c for c in delete.rollback if "create-nat-gateway" in c)
    assert create == (
        "aws ec2 create-nat-gateway --availability-mode regional --vpc-id vpc-1 --availability-zone-addresses "
        "'AvailabilityZone=us-east-1a,AllocationIds=[eipalloc-ra]' "
        "'AvailabilityZone=us-east-1b,AllocationIds=[eipalloc-rb]' "
        "--region us-east-1"
    )
    old = plan_for(TWO, nat_allocs=("eipalloc-ra", "eipalloc-rb"), ips=("198.51.100.1", "198.51.100.3"),
                   gateway=REGIONAL, settings=REUSE)  # fmt: skip
    argv = shlex.split(next(c for s in old.steps for c in s.rollback if "create-nat-gateway" in c))
    zones = argv[argv.index("--availability-zone-addresses") + 1 : argv.index("--region")]
    assert zones == ["AvailabilityZone=<availability-zone-of-eipalloc-ra>,AllocationIds=[eipalloc-ra]",
                     "AvailabilityZone=<availability-zone-of-eipalloc-rb>,AllocationIds=[eipalloc-rb]"]  # fmt: skip
    assert_address_before_any_function(plan)


def test_regional_az_with_two_allocations_lists_both():
    gateway = REGIONAL | zonal(
        nat_address("eipalloc-ra", "198.51.100.1", True, "us-east-1a"),
        nat_address("eipalloc-ra2", "198.51.100.2", False, "us-east-1a").model_copy(update={"association_id": None}),
    )
    plan = plan_for({"orders": FUNCS["orders"]}, gateway=gateway)  # ra2 has no association id: it stays locked
    create = next(c for s in plan.steps for c in s.rollback if "create-nat-gateway" in c)
    assert "'AvailabilityZone=us-east-1a,AllocationIds=[eipalloc-ra,eipalloc-ra2]'" in create


@pytest.mark.parametrize("mode", [{"auto_provision_zones": "enabled"}, {"auto_scaling_ips": "enabled"}])
def test_auto_managed_regional_nat_lends_no_address(mode):
    gateway = REGIONAL | mode | zonal(
        nat_address("eipalloc-ra", "198.51.100.1", True, "us-east-1a"),
        nat_address("eipalloc-ra2", "198.51.100.2", False, "us-east-1a"),
    )
    plan = plan_for(TWO, gateway=gateway, settings=REUSE)
    assert plan.reused_allocation_ids == () and plan.new_eips_needed == 2
    assert not any(s.stage == "release" or s.title.startswith("Maintenance window") for s in plan.steps)
    assert not any("eipalloc-ra" in c for c in commands(plan, "associate"))
    assert "AWS manages its addresses and may change them, so the plan reuses none" in plan.steps[0].detail
    rollback = [c for s in plan.steps for c in s.rollback]
    assert "aws ec2 create-nat-gateway --availability-mode regional --vpc-id vpc-1 --region us-east-1" in rollback
    assert_address_before_any_function(plan)


# --------------------------------------------------------------------------- versions and aliases


def test_aliases_and_versions_are_listed_then_follow_the_move():
    plan = plan_for(TWO)
    prereq = commands(plan, "prerequisites")
    [move] = [s for s in plan.steps if s.stage == "move"]
    for name in ("orders", "billing"):
        assert (
            f"aws lambda list-aliases --function-name {name} --query "
            "'Aliases[].{Name:Name,FunctionVersion:FunctionVersion}' --output json --region us-east-1 "
            f"> aliases-{name}.json"
        ) in prereq
        assert any(c.startswith(f"aws lambda list-versions-by-function --function-name {name} ") for c in prereq)
        mine = [c for c in move.commands if f"--function-name {name} " in c]
        ops = [c.split()[2] if c.split()[2] != "wait" else c.split()[3] for c in mine]
        assert ops == ["update-function-configuration", "function-updated-v2", "publish-version",
                       "published-version-active", "update-alias"]  # fmt: skip
        assert mine[-1] == (
            f"aws lambda update-alias --function-name {name} --name '<alias-name>' "
            "--function-version '<version-from-publish-version>' --region us-east-1"
        )
        assert any(c.startswith(f"aws lambda update-alias --function-name {name} ") for c in move.rollback)
    assert "changes only $LATEST" in plan.steps[0].detail
