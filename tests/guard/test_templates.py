"""The written guard: CloudFormation passes cfn-lint; the Terraform module is checked for structure.

Terraform itself is on no package registry this project can install from
(PyPI, Debian, npm have no terraform binary, and `terraform validate` would
also need the AWS provider from the Terraform registry). So the module is
parsed with python-hcl2 (a real HCL2 parser) and checked here instead: every
reference resolves, every file it reads exists, and it declares the same
resources with the same settings as the CloudFormation template.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
from cfnlint.api import ManualArgs, lint_file
from guard_report import ACCOUNT, REGION, plan, report, target
from test_guard_policy import load_cfn

from analyzer.guard import resources as res
from analyzer.guard.build import GuardRequest, write_guards

CFN_TO_TF = {
    "AWS::Logs::LogGroup": ["aws_cloudwatch_log_group"],
    "AWS::IAM::Role": ["aws_iam_role", "aws_iam_role_policy"],  # CloudFormation's inline policy is a resource
    "AWS::Lambda::Function": ["aws_lambda_function"],
    "AWS::Events::Rule": ["aws_cloudwatch_event_rule", "aws_cloudwatch_event_target"],  # targets are inline in CFN
    "AWS::Lambda::Permission": ["aws_lambda_permission"],
    "AWS::SNS::Topic": ["aws_sns_topic"],
    "AWS::SNS::Subscription": ["aws_sns_topic_subscription"],
    "AWS::CloudWatch::Alarm": ["aws_cloudwatch_metric_alarm"],
}


def written(tmp_path: Path) -> Path:
    targets = [target("subnet-0pub1111", ("sg-0web", "sg-0app"), ("eipalloc-0aaa1111", "eipalloc-0bbb2222"),
                      ips=("203.0.113.10", None), in_window=True),
               target("subnet-0pub2222", ("sg-0app",), ("<new-allocation-id-1>",))]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report(plan("nat-0aaa1111", targets, reused=("eipalloc-0aaa1111",)))))
    write_guards(GuardRequest(report=path, out_dir=tmp_path / "out",
                              allocations=("<new-allocation-id-1>=eipalloc-0ccc3333",)))
    return tmp_path / "out" / ACCOUNT / REGION


def unquote(value: Any) -> Any:
    return value[1:-1] if isinstance(value, str) and value.startswith('"') and value.endswith('"') else value


def tf_resources(module: Path) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for block in hcl2.load((module / "main.tf").open())["resource"]:
        for kind, named in block.items():
            for name, body in named.items():
                found[(unquote(kind), unquote(name))] = body
    return found


def test_cloudformation_passes_cfn_lint(tmp_path: Path) -> None:
    template = written(tmp_path) / "cloudformation.yaml"
    # W3002: `Code: handler` is a local path that `aws cloudformation package` replaces; the deploy packages it.
    everything = [str(m) for m in lint_file(template, config=ManualArgs(regions=[REGION, "eu-west-1"]))]
    assert len(everything) == 1 and "W3002" in everything[0], everything


def test_terraform_module_is_valid_hcl_whose_references_resolve(tmp_path: Path) -> None:
    module = written(tmp_path) / "terraform"
    text = "\n".join((module / f).read_text() for f in ("main.tf", "outputs.tf", "variables.tf", "versions.tf"))
    declared = set(tf_resources(module))
    variables = {unquote(k) for block in hcl2.load((module / "variables.tf").open())["variable"] for k in block}
    for file_name in ("versions.tf", "variables.tf", "outputs.tf"):
        hcl2.load((module / file_name).open())  # parses

    refs = set(re.findall(r"\b(aws_[a-z_]+)\.([a-z_]+)\.", text))
    assert refs and refs <= declared, refs - declared
    assert set(re.findall(r"\bvar\.([a-z_]+)", text)) == variables == {"alert_email", "reserved_concurrency"}
    for name in re.findall(r'file\("\$\{path\.module\}/([^"]+)"\)', text):
        assert (module / name).is_file(), name
    assert (module / "../handler" / res.PACKAGE / "handler.py").is_file()  # archive_file's source_dir
    provider = hcl2.load((module / "versions.tf").open())["provider"][0]
    aws = provider.get('"aws"', provider.get("aws"))
    assert [unquote(a) for a in aws["allowed_account_ids"]] == [ACCOUNT]


def test_both_formats_declare_the_same_resources_and_settings(tmp_path: Path) -> None:
    folder = written(tmp_path)
    cfn = load_cfn((folder / "cloudformation.yaml").read_text())["Resources"]
    tf = tf_resources(folder / "terraform")
    cfn_counts: dict[str, int] = {}
    for body in cfn.values():
        for kind in CFN_TO_TF[body["Type"]]:
            cfn_counts[kind] = cfn_counts.get(kind, 0) + 1
    tf_counts: dict[str, int] = {}
    for kind, _ in tf:
        tf_counts[kind] = tf_counts.get(kind, 0) + 1
    assert tf_counts == cfn_counts

    fn, tf_fn = cfn["GuardFunction"]["Properties"], tf[("aws_lambda_function", "guard")]
    assert (fn["Runtime"], fn["Handler"], fn["MemorySize"], fn["Timeout"], fn["FunctionName"]) == (
        unquote(tf_fn["runtime"]), unquote(tf_fn["handler"]), tf_fn["memory_size"], tf_fn["timeout"],
        unquote(tf_fn["function_name"])) == (res.RUNTIME, res.HANDLER, 128, 60, "lambda-egress-guard")
    assert json.loads((folder / "terraform/event_pattern.json").read_text()) == \
        cfn["EniCreatedRule"]["Properties"]["EventPattern"]
    assert cfn["EniCreatedRule"]["Properties"]["EventPattern"]["detail"]["requestParameters"] == {
        "subnetId": ["subnet-0pub1111", "subnet-0pub2222"]}
    assert cfn["ScheduleRule"]["Properties"]["ScheduleExpression"] == \
        unquote(tf[("aws_cloudwatch_event_rule", "schedule")]["schedule_expression"]) == "rate(5 minutes)"
    drift, tf_drift = cfn["DriftAlarm"]["Properties"], tf[("aws_cloudwatch_metric_alarm", "drift")]
    assert (drift["Period"], drift["TreatMissingData"], drift["MetricName"]) == (
        tf_drift["period"], unquote(tf_drift["treat_missing_data"]), unquote(tf_drift["metric_name"])) == (
        900, "breaching", "Drift")


def test_the_handler_package_holds_the_runtime_code_and_the_same_mapping(tmp_path: Path) -> None:
    folder = written(tmp_path)
    package = folder / "handler" / res.PACKAGE
    assert sorted(p.name for p in package.iterdir()) == ["__init__.py", "handler.py", "mapping.json", "reconcile.py"]
    assert (package / "mapping.json").read_bytes() == (folder / "mapping.json").read_bytes()
    runtime = Path(__file__).resolve().parents[2] / "analyzer" / "guard" / "runtime"
    assert (package / "handler.py").read_bytes() == (runtime / "handler.py").read_bytes()
    mapping = json.loads((folder / "mapping.json").read_text())
    assert [(t["subnet_id"], t["security_group_ids"], [a["allocation_id"] for a in t["allocations"]])
            for t in mapping["targets"]] == [
        ("subnet-0pub1111", ["sg-0app", "sg-0web"], ["eipalloc-0aaa1111", "eipalloc-0bbb2222"]),
        ("subnet-0pub2222", ["sg-0app"], ["eipalloc-0ccc3333"])]
    held = {a["allocation_id"]: a["held_by_nat_gateway_ids"] for t in mapping["targets"] for a in t["allocations"]}
    assert held == {"eipalloc-0aaa1111": ["nat-0aaa1111"], "eipalloc-0bbb2222": ["nat-0aaa1111"],
                    "eipalloc-0ccc3333": []}
    assert mapping["allowed_ips"] == ["203.0.113.10"]


def test_the_runtime_imports_only_the_standard_library_and_boto3(tmp_path: Path) -> None:
    package = written(tmp_path) / "handler"
    probe = (
        "import sys; before = set(sys.modules); sys.path.insert(0, sys.argv[1]); "
        "import lambda_egress_guard.reconcile as r; "
        "loaded = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(loaded - set(sys.stdlib_module_names) - {'lambda_egress_guard', '__mp_main__'}))"
    )
    # -S: no site-packages at all, so reconcile can only import the standard library
    alone = subprocess.run([sys.executable, "-I", "-S", "-c", probe, str(package)], capture_output=True, text=True,
                           check=False, timeout=60)
    assert (alone.returncode, alone.stdout.strip()) == (0, "[]"), alone.stderr
    handler_probe = probe.replace("lambda_egress_guard.reconcile as r", "lambda_egress_guard.handler as h")
    full = subprocess.run([sys.executable, "-I", "-c", handler_probe, str(package)], capture_output=True, text=True,
                          check=False, timeout=60)
    assert full.returncode == 0, full.stderr
    extra = set(json.loads(full.stdout.replace("'", '"')))
    assert extra <= {"boto3", "botocore", "dateutil", "jmespath", "urllib3", "s3transfer", "six", "_cffi_backend",
                     "certifi", "charset_normalizer", "idna"}, extra
    assert "analyzer" not in extra and "pydantic" not in extra
