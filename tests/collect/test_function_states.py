"""functions.py: GetFunctionConfiguration on a bounded pool, same order, errors and call counts."""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3
import pytest
from moto_seed import ACCOUNT, client, seed_estate, zip_code
from moto_server import Fault, MotoServer

from analyzer.collect import functions as functions_module
from analyzer.collect.clients import ClientFactory
from analyzer.collect.context import UnitContext
from analyzer.collect.functions import STATE_WORKERS, collect_functions
from analyzer.models import CoverageError


def add_functions(region: str, subnet: str, sg: str, names: list[str], endpoint_url: str | None = None) -> None:
    lam, iam = client("lambda", region, endpoint_url), client("iam", region, endpoint_url)
    role = iam.create_role(RoleName="many", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    for name in names:
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                            Code={"ZipFile": zip_code()}, VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [sg]})


def test_state_calls_run_on_a_bounded_pool_and_keep_list_order(ctx: UnitContext) -> None:
    estate = seed_estate("us-east-1")
    add_functions("us-east-1", estate.private_subnet, estate.sg_app, [f"worker-{i:02d}" for i in range(12)])
    lam = ctx.client("lambda")
    listed = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    in_flight, peak, lock = [0], [0], threading.Lock()

    def before(**_: Any) -> None:  # a slow call, so overlapping calls show
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.05)

    def after(**_: Any) -> None:
        with lock:
            in_flight[0] -= 1

    lam.meta.events.register("before-call.lambda.GetFunctionConfiguration", before)
    lam.meta.events.register("after-call.lambda.GetFunctionConfiguration", after)
    functions = collect_functions(ctx) or []

    assert [f.name for f in functions] == listed  # ListFunctions order, whatever finished first
    assert all(f.state == "Active" for f in functions if f.in_vpc)
    assert ctx.clients.counter.snapshot()["lambda:GetFunctionConfiguration"] == 16  # 4 seeded + 12, not "plain"
    assert peak[0] == STATE_WORKERS == 4  # overlapping, and never more than the bound
    assert ctx.errors == []


def test_a_principal_denied_everywhere_costs_one_state_call(moto_server: MotoServer) -> None:
    estate = seed_estate("us-east-1", moto_server.url)
    add_functions("us-east-1", estate.private_subnet, estate.sg_app, [f"worker-{i:02d}" for i in range(8)],
                  moto_server.url)
    assert moto_server.layer is not None
    moto_server.layer.faults.append(Fault("lambda", "us-east-1", "GetFunctionConfiguration", "deny"))
    factory = ClientFactory(boto3.Session())
    factory.add_account(ACCOUNT)
    ctx = UnitContext(account_id=ACCOUNT, region="us-east-1", clients=factory.for_unit(ACCOUNT, "us-east-1"))

    functions = collect_functions(ctx) or []

    assert len(functions) == 13 and all(f.state is None for f in functions)
    assert ctx.clients.counter.snapshot()["lambda:GetFunctionConfiguration"] == 1
    assert [(e.operation, e.error_code) for e in ctx.errors] == [("GetFunctionConfiguration", "AccessDeniedException")]


def test_a_denial_in_the_pool_starts_no_new_calls(ctx: UnitContext, monkeypatch: pytest.MonkeyPatch) -> None:
    # A resource-level deny on one function: access was proven by the first call, then one is refused.
    items = [{"FunctionName": f"f{i:02d}", "FunctionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f{i:02d}",
              "VpcConfig": {"SubnetIds": ["subnet-a"], "SecurityGroupIds": ["sg-1"]}} for i in range(20)]
    monkeypatch.setattr(ctx, "paginate", lambda _service, _op, build, *a, **k: [build(i) for i in items])
    called: list[str] = []
    denied_at = threading.Event()
    after_denial: list[str] = []

    def fake_state(_: UnitContext, arn: str):
        name = arn.rsplit(":", 1)[-1]
        called.append(name)
        if denied_at.is_set():
            after_denial.append(name)
        time.sleep(0.02)
        if name == "f05":
            denied_at.set()
            error = CoverageError(account_id=ACCOUNT, region="us-east-1", operation="GetFunctionConfiguration",
                                  error_code="AccessDeniedException", message="not authorized")
            return None, [error]
        return {"State": "Active", "ResponseMetadata": {}}, []

    monkeypatch.setattr(functions_module, "get_state", fake_state)
    functions = collect_functions(ctx) or []

    assert [f.name for f in functions] == [f"f{i:02d}" for i in range(20)]
    assert functions[0].state == "Active" and functions[5].state is None
    assert all(f.state is None for f in functions if f.name not in called)
    assert len(called) < 20 and len(after_denial) <= STATE_WORKERS - 1  # only calls already in flight
    assert [e.error_code for e in ctx.errors] == ["AccessDeniedException"]
