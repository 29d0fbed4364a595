"""A fixed, hand-built AnalysisResult for the renderer tests and the Markdown golden file.

Every number is written out with its arithmetic, so a test can assert the text
it expects without calling the analyzer. Prices: NAT $0.045/h and $0.045/GB in
us-east-1, $0.048 in eu-west-1; public IPv4 $0.005/h; 730 hours a month.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from analyzer.models import (
    Account,
    AccountSavings,
    Alternative,
    AnalysisResult,
    BreakEven,
    CostComponent,
    Coverage,
    CoverageError,
    EniGroup,
    Figures,
    Finding,
    FunctionEgress,
    MigrationPlan,
    NatReport,
    PlanStep,
    PriceBookInfo,
    Scenario,
    Summary,
    finding_id,
)

A1, A2 = "111111111111", "222222222222"
USE1, EUW1 = "us-east-1", "eu-west-1"
PIPE_NAME = "pay|ments"
SCRIPT_NAME = "<script>alert(1)</script>"


def arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


PAY = arn(A1, USE1, PIPE_NAME)
REFUNDS = arn(A1, USE1, "refunds")
LEDGER = arn(A1, EUW1, "ledger-sync")
REPORTS = arn(A2, USE1, "reports")
PUBLIC = arn(A2, USE1, "public-fn")


SHARED_ENI = finding_id("shared-eni", A1, USE1, ("eni-a1", PAY, REFUNDS))
ENI_GUARD = finding_id("eni-not-persistent", A1, USE1, ("eni-a1", "eni-a2"))
NAT_SHARED = finding_id("nat-shared", A1, EUW1, ("nat-0bbb",))
NO_ENDPOINT = finding_id("no-gateway-endpoint", A2, USE1, ("vpc-0c1",))


def comp(name, qty, unit, price, monthly, design="current", counted=True, note=None) -> CostComponent:
    return CostComponent(
        name=name, design=design, quantity=D(qty), unit=unit, unit_price_usd=D(price),
        monthly_usd=D(monthly), counted=counted, note=note,
    )  # fmt: skip


def _functions() -> tuple[FunctionEgress, ...]:
    def fn(account, region, name, egress, nats, enis, state="Active", reason=None, vpc="vpc-0a1"):
        return FunctionEgress(
            account_id=account, region=region, arn=arn(account, region, name), name=name, vpc_id=vpc,
            subnet_ids=("subnet-x",), security_group_ids=("sg-x",), state=state, state_reason_code=reason,
            egress=egress, nat_gateway_ids=nats, eni_ids=enis,
        )  # fmt: skip

    return (
        fn(A1, USE1, PIPE_NAME, "nat", ("nat-0aaa",), ("eni-a1", "eni-a2")),
        fn(A1, USE1, "refunds", "nat", ("nat-0aaa",), ("eni-a1", "eni-a2")),
        fn(A1, EUW1, "ledger-sync", "nat", ("nat-0bbb",), ("eni-b1", "eni-b2", "eni-b3"),
           state="Inactive", reason="Idle", vpc="vpc-0b1"),
        fn(A2, USE1, "reports", "nat", ("nat-0ccc",), ("eni-c1",), vpc="vpc-0c1"),
        fn(A2, USE1, "public-fn", "igw-no-public-ip", (), ("eni-p1",), vpc="vpc-0c1"),
    )  # fmt: skip


def _eni_groups() -> tuple[EniGroup, ...]:
    def grp(account, region, subnet, sgs, enis, fns, egress="nat", nat=None):
        return EniGroup(
            account_id=account, region=region, subnet_id=subnet, security_group_ids=sgs,
            eni_ids=enis, function_arns=fns, egress=egress, nat_gateway_id=nat,
        )  # fmt: skip

    return (
        grp(A1, USE1, "subnet-a1", ("sg-a",), ("eni-a1",), (PAY, REFUNDS), nat="nat-0aaa"),
        grp(A1, USE1, "subnet-a2", ("sg-a",), ("eni-a2",), (PAY, REFUNDS), nat="nat-0aaa"),
        grp(A1, EUW1, "subnet-b1", ("sg-b",), ("eni-b1", "eni-b2", "eni-b3"), (LEDGER,), nat="nat-0bbb"),
        grp(A2, USE1, "subnet-c1", ("sg-c1", "sg-c2"), ("eni-c1",), (REPORTS,), nat="nat-0ccc"),
        grp(A2, USE1, "subnet-p1", ("sg-p",), ("eni-p1",), (PUBLIC,), egress="igw-no-public-ip"),
    )


def _nats() -> tuple[NatReport, ...]:
    return (
        NatReport(account_id=A1, region=USE1, nat_gateway_id="nat-0aaa", vpc_id="vpc-0a1", az="us-east-1a",
                  name=SCRIPT_NAME, public_ips=("203.0.113.10",), function_arns=(PAY, REFUNDS),
                  monthly_gb=D("100"), lambda_share=D("1"), attribution="sole-consumer", has_metrics=True),
        NatReport(account_id=A1, region=EUW1, nat_gateway_id="nat-0bbb", vpc_id="vpc-0b1", az="eu-west-1a",
                  name="shared-egress", public_ips=("203.0.113.20",), function_arns=(LEDGER,),
                  other_consumer_eni_ids=("eni-ec2-1", "eni-ec2-2", "eni-ec2-3"), monthly_gb=D("400"),
                  lambda_share=D("0.25"), attribution="eni-share", confidence="low", has_metrics=True),
        NatReport(account_id=A2, region=USE1, nat_gateway_id="nat-0ccc", vpc_id="vpc-0c1", az=None,
                  availability_mode="regional", public_ips=("198.51.100.5", "198.51.100.6"),
                  function_arns=(REPORTS,), monthly_gb=D("20"), has_metrics=True),
    )  # fmt: skip


def _scenarios() -> tuple[Scenario, ...]:
    out_note = "internet transfer out: the same in both designs"
    removable = Scenario(
        account_id=A1, region=USE1, nat_gateway_id="nat-0aaa", vpc_id="vpc-0a1",
        # current 32.85 + 4.50 + 3.65 = 41.00; proposed 7.30; savings 41.00 - 7.30 = 33.70
        current_monthly_usd=D("41.00"), proposed_monthly_usd=D("7.30"), monthly_savings_usd=D("33.70"),
        eips_needed=2, nat_removable=True, attribution="sole-consumer", confidence="high",
        new_eips=1, plan_id="nat-0aaa", verdict="go-with-guard", verdict_reasons=(SHARED_ENI,),
        finding_ids=(SHARED_ENI, ENI_GUARD), allowlist_add=1, allowlist_remove=("203.0.113.10",),
        components=(
            comp("NAT gateway hours", "730", "hour", "0.045", "32.85"),  # 730 x 0.045
            comp("NAT data processed", "100", "GB", "0.045", "4.50"),  # 100 x 0.045
            comp("NAT public IPv4", "730", "IP-hour", "0.005", "3.65"),  # 730 x 0.005
            comp("Internet data transfer out", "100", "GB", "0.09", "9.00", counted=False, note=out_note),
            comp("Elastic IPs on Lambda ENIs", "1460", "IP-hour", "0.005", "7.30", design="proposed"),
            comp("Internet data transfer out", "100", "GB", "0.09", "9.00", design="proposed",
                 counted=False, note=out_note),
        ),
    )  # fmt: skip
    shared = Scenario(
        account_id=A1, region=EUW1, nat_gateway_id="nat-0bbb", vpc_id="vpc-0b1",
        # current 35.04 + 19.20 + 3.65 = 57.89; proposed 35.04 + 14.40 + 3.65 + 10.95 = 64.04
        # savings 57.89 - 64.04 = -6.15
        current_monthly_usd=D("57.89"), proposed_monthly_usd=D("64.04"), monthly_savings_usd=D("-6.15"),
        eips_needed=3, nat_removable=False, attribution="eni-share", confidence="low",
        new_eips=3, verdict="blocked", verdict_reasons=(NAT_SHARED, "nat-stays-and-saves-nothing"),
        finding_ids=(NAT_SHARED,), allowlist_add=3,
        components=(
            comp("NAT gateway hours", "730", "hour", "0.048", "35.04"),  # 730 x 0.048
            comp("NAT data processed", "400", "GB", "0.048", "19.20"),  # 400 x 0.048
            comp("NAT public IPv4", "730", "IP-hour", "0.005", "3.65"),
            comp("NAT gateway hours (stays)", "730", "hour", "0.048", "35.04", design="proposed"),
            comp("NAT data processed, non-Lambda", "300", "GB", "0.048", "14.40", design="proposed"),
            comp("NAT public IPv4 (stays)", "730", "IP-hour", "0.005", "3.65", design="proposed"),
            comp("Elastic IPs on Lambda ENIs", "2190", "IP-hour", "0.005", "10.95", design="proposed"),
        ),
    )  # fmt: skip
    regional = Scenario(
        account_id=A2, region=USE1, nat_gateway_id="nat-0ccc", vpc_id="vpc-0c1",
        # current 32.85 + 0.90 + 7.30 = 41.05; proposed 3.65; savings 41.05 - 3.65 = 37.40
        current_monthly_usd=D("41.05"), proposed_monthly_usd=D("3.65"), monthly_savings_usd=D("37.40"),
        eips_needed=1, nat_removable=True, attribution="sole-consumer", confidence="high",
        new_eips=1, verdict="go", finding_ids=(NO_ENDPOINT,), allowlist_add=1,
        allowlist_remove=("198.51.100.5", "198.51.100.6"),
        components=(
            comp("NAT gateway hours", "730", "hour", "0.045", "32.85"),
            comp("NAT data processed", "20", "GB", "0.045", "0.90"),  # 20 x 0.045
            comp("NAT public IPv4", "1460", "IP-hour", "0.005", "7.30"),  # 2 IPs x 730 x 0.005
            comp("Elastic IPs on Lambda ENIs", "730", "IP-hour", "0.005", "3.65", design="proposed"),
        ),
    )  # fmt: skip
    return (removable, shared, regional)


def _findings() -> tuple[Finding, ...]:
    def f(rule, sev, title, account, region, resources, message, evidence, **kw):
        return Finding(
            rule_id=rule, severity=sev, title=title, account_id=account, region=region,
            resource_ids=resources, message=message, evidence=evidence,
            remediation=kw.pop("remediation", f"Fix {rule}."), **kw,
        )  # fmt: skip

    return (
        f("eni-not-persistent", "info", "ENIs are not persistent", A1, USE1, ("eni-a1", "eni-a2"),
          "Lambda may recreate these ENIs.", {"eni_count": 2}, nat_gateway_id="nat-0aaa"),
        f("shared-eni", "high", "Shared ENI", A1, USE1, ("eni-a1", PAY, REFUNDS),
          "2 functions share ENI eni-a1.", {"eni_id": "eni-a1", "function_count": 2, "function_arns": [PAY, REFUNDS]},
          nat_gateway_id="nat-0aaa", remediation="Run `lambda-egress guard` before moving -> then verify."),
        f("public-subnet-no-eip", "critical", "No internet egress", A2, USE1, (PUBLIC,),
          "Requests *time out*.\nThe ENI has no public IP.", {"eni_ids": ["eni-p1"]},
          remediation="Associate an Elastic IP or route through a NAT gateway."),
        f("nat-shared", "medium", "NAT shared with other consumers", A1, EUW1, ("nat-0bbb",),
          "3 non-Lambda ENIs use nat-0bbb.", {"lambda_share": 0.25, "other_consumers": 3}, nat_gateway_id="nat-0bbb"),
        f("idle-reclamation", "high", "Idle function", A1, EUW1, (LEDGER,),
          "ledger-sync is Inactive (Idle).", {"idle_days": 21}, suppressed=True,
          suppression_reason="Monthly batch job; a guard re-associates the EIP", nat_gateway_id="nat-0bbb"),
        f("no-gateway-endpoint", "low", "No gateway endpoint", A2, USE1, ("vpc-0c1",),
          "vpc-0c1 has a NAT gateway but no S3 or DynamoDB gateway endpoint.", {"missing": ["s3", "dynamodb"]},
          nat_gateway_id="nat-0ccc"),
    )  # fmt: skip


def _plan() -> MigrationPlan:
    return MigrationPlan(
        account_id=A1, region=USE1, nat_gateway_id="nat-0aaa", plan_id="nat-0aaa", nat_gateway_ids=("nat-0aaa",),
        vpc_id="vpc-0a1", downtime_choice="No window: no NAT address is locked to a gateway that is deleted.",
        function_arns=(PAY, REFUNDS), reused_allocation_ids=("eipalloc-0aaa",), new_eips_needed=1,
        finding_rule_ids=("shared-eni", "allowlist-change"),
        steps=(
            PlanStep(stage="allocate", title="Allocate Elastic IPs", detail="One EIP per Lambda ENI.",
                     commands=("aws ec2 allocate-address --domain vpc --region us-east-1",),
                     rollback=("aws ec2 release-address --allocation-id eipalloc-NEW",)),
            PlanStep(stage="associate", title="Associate EIPs with the ENIs",
                     detail="Run after the functions move to public subnets.",
                     commands=("ENI=`aws ec2 describe-network-interfaces --query 'x'`",
                               "aws ec2 associate-address --allocation-id eipalloc-0aaa "
                               "--network-interface-id eni-a1"),
                     rollback=("aws ec2 disassociate-address --association-id eipassoc-0aaa",)),
        ),
        terraform='resource "aws_eip" "lambda" {\n  # fenced with ``` inside\n  domain = "vpc"\n}',
    )  # fmt: skip


def build_result() -> AnalysisResult:
    """The fixed report fixture: 2 accounts, 2 regions, 3 NATs, 6 findings (1 suppressed)."""
    return AnalysisResult(
        tool_version="0.1.0-test",
        collected_at=datetime(2026, 9, 1, 12, 0, tzinfo=UTC),
        window_days=30,
        price_book=PriceBookInfo(as_of="2026-09-01", source="AWS Price List API",
                                 unverified=("eu-central-1/nat_gb",)),
        coverage=Coverage(
            accounts=(A1, A2), regions=(USE1, EUW1),
            errors=(CoverageError(account_id=A2, region=EUW1, operation="DescribeNatGateways",
                                  error_code="AccessDenied",
                                  message="User is not authorized to perform: ec2:DescribeNatGateways"),),
            api_calls={"lambda:ListFunctions": 4, "ec2:DescribeNatGateways": 3},
        ),
        accounts=(Account(account_id=A1, name="payments-prod"), Account(account_id=A2, name=None)),
        summary=Summary(
            functions_in_vpc=5, functions_behind_nat=4, nat_gateways=3, candidate_nat_gateways=3,
            removable_nat_gateways=2, eips_needed=6, new_eips=5,  # 2 + 3 + 1 needed, 1 + 3 + 1 new
            current_monthly_usd=D("139.94"),  # 41.00 + 57.89 + 41.05
            proposed_monthly_usd=D("74.99"),  # 7.30 + 64.04 + 3.65
            monthly_savings_usd=D("64.95"),  # 139.94 - 74.99
            annual_savings_usd=D("779.40"),  # 64.95 x 12
            findings_by_severity={"critical": 1, "high": 1, "medium": 1, "low": 1, "info": 1},
            suppressed_findings=1,
        ),
        functions=_functions(),
        eni_groups=_eni_groups(),
        nat_gateways=_nats(),
        scenarios=_scenarios(),
        alternatives=(
            Alternative(account_id=A2, region=USE1, kind="gateway-endpoint", vpc_id="vpc-0c1",
                        nat_gateway_ids=("nat-0ccc",), monthly_savings_usd=None,
                        summary="Add S3 and DynamoDB gateway endpoints.", trade_offs="None; free."),
            Alternative(account_id=A1, region=USE1, kind="single-nat-per-vpc", vpc_id="vpc-0a1",
                        nat_gateway_ids=("nat-0aaa", "nat-0aab"), monthly_savings_usd=D("1234.5"),
                        summary="Keep one NAT gateway.", trade_offs="Cross-AZ cost; AZ dependency."),
        ),
        findings=_findings(),
        plans=(_plan(),),
        assumptions=("Processed bytes = BytesInFromSource + BytesInFromDestination.",),
        figures=_figures(),
    )  # fmt: skip


def _figures() -> Figures:
    return Figures(
        savings_by_account=(
            AccountSavings(account_id=A2, nat_gateways=1, monthly_savings_usd=D("37.40")),  # nat-0ccc
            AccountSavings(account_id=A1, name="payments-prod", nat_gateways=2,
                           monthly_savings_usd=D("27.55")),  # 33.70 + (-6.15)
        ),
        # nat-0ccc saves the most among removable NATs: fixed 32.85 + 7.30 = 40.15 > EIPs 3.65, so no crossing;
        # the range is 2 x 20 GB = 40 GB.
        break_even=BreakEven(nat_gateway_id="nat-0ccc", account_id=A2, region=USE1, eips=1,
                             nat_fixed_monthly_usd=D("40.15"), nat_usd_per_gb=D("0.045"), eip_monthly_usd=D("3.65"),
                             observed_gb=D("20"), break_even_gb=None, range_gb=D("40")),
    )


@pytest.fixture(scope="session")
def result() -> AnalysisResult:
    """Session-wide: the result is frozen, so sharing it cannot leak state between tests."""
    return build_result()
