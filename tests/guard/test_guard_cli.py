"""``lambda-egress guard``: layout, placeholders, selection, one-line errors, and the printed commands and cost."""

from __future__ import annotations

import json
import shlex
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from guard_report import ACCOUNT, REGION, plan, report, target

from analyzer import cli
from analyzer.guard.commands import deploy_commands, generate_command, remove_commands
from analyzer.guard.cost import cost_lines, guard_costs, monthly_total
from analyzer.pricing import load_price_book, parse_price_book

OTHER = "210987654321"


def estate_report(tmp_path: Path, schema: str = "2") -> Path:
    plans = [
        plan("nat-0aaa1111", [
            target("subnet-0pub1111", ("sg-0app",), ("eipalloc-0aaa1111",), ips=("203.0.113.10",), in_window=True),
            target("<new-public-subnet-id-us-east-1b>", ("sg-0app",), ("<new-allocation-id-1>",)),
        ], reused=("eipalloc-0aaa1111",)),
        plan("nat-0bbb2222", [target("subnet-0pub3333", ("sg-0web",), ("<new-allocation-id-1>",),
                                     nat_ids=("nat-0bbb2222",), account=OTHER, region="eu-west-1")],
             account=OTHER, region="eu-west-1"),
    ]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report(*plans, schema=schema)))
    return path


def main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """The real console entry point, in process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["lambda-egress", *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


RESOLVED = ("--allocation", f"{ACCOUNT}/{REGION}/<new-allocation-id-1>=eipalloc-0ccc3333",
            "--allocation", f"{OTHER}/eu-west-1/<new-allocation-id-1>=eipalloc-0ddd4444",
            "--subnet", "<new-public-subnet-id-us-east-1b>=subnet-0pub2222")


def test_writes_one_guard_per_account_and_region_and_prints_the_commands(tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "guards"
    code, stdout, stderr = main(monkeypatch, capsys, "guard", str(estate_report(tmp_path)), "--out", str(out),
                                *RESOLVED)

    assert code == 0, stderr
    for account, region in ((ACCOUNT, REGION), (OTHER, "eu-west-1")):
        folder = out / account / region
        assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} >= {
            "mapping.json", "cloudformation.yaml", "terraform/main.tf", "terraform/policy.json",
            "handler/lambda_egress_guard/handler.py", "handler/lambda_egress_guard/mapping.json"}
    mapping = json.loads((out / ACCOUNT / REGION / "mapping.json").read_text())
    assert [(t["subnet_id"], [a["allocation_id"] for a in t["allocations"]]) for t in mapping["targets"]] == [
        ("subnet-0pub1111", ["eipalloc-0aaa1111"]), ("subnet-0pub2222", ["eipalloc-0ccc3333"])]
    other = json.loads((out / OTHER / "eu-west-1" / "mapping.json").read_text())
    assert other["targets"][0]["allocations"][0]["allocation_id"] == "eipalloc-0ddd4444"
    assert f"Wrote {out / ACCOUNT / REGION} (2 target(s), 2 allocation(s), 1 waiting for the maintenance window)" \
        in stderr
    lines = stdout.splitlines()
    for fmt in ("cloudformation", "terraform"):
        for command in (*deploy_commands(ACCOUNT, REGION, fmt, out), *remove_commands(ACCOUNT, REGION, fmt, out)):
            assert command in lines
    assert "# Guard cost per month in us-east-1: $0.53 before free tiers" in stdout


def test_unresolved_placeholders_are_one_line_exit_2_and_nothing_is_written(tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "guards"
    code, _, stderr = main(monkeypatch, capsys, "guard", str(estate_report(tmp_path)), "--out", str(out))

    assert code == 2 and len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert stderr.startswith(
        "error: unresolved placeholders: <new-allocation-id-1> (123456789012/us-east-1, 210987654321/eu-west-1); "
        "<new-public-subnet-id-us-east-1b> (123456789012/us-east-1); create them first")
    assert not out.exists()


@pytest.mark.parametrize(("args", "message"), [
    (("--allocation", "<new-allocation-id-1>=eipalloc-0ccc3333", "--subnet",
      "<new-public-subnet-id-us-east-1b>=subnet-0pub2222"),
     "error: --allocation <new-allocation-id-1> is ambiguous: it appears in 123456789012/us-east-1, "
     "210987654321/eu-west-1; write ACCOUNT/REGION/<new-allocation-id-1>=..."),
    ((*RESOLVED, "--subnet", "<new-public-subnet-id-us-east-1c>=subnet-0pub9999"),
     "error: --subnet <new-public-subnet-id-us-east-1c>: no such placeholder in the selected plans"),
    (("--allocation", "<new-allocation-id-1>=subnet-0abc"),
     "error: --allocation '<new-allocation-id-1>=subnet-0abc': expected '<placeholder>=eipalloc-...'"),
    (("--nat", "nat-0zzz9999"), "error: --nat nat-0zzz9999: no plan in the report migrates it"),
    (("--format", "cloudformation,pulumi"), "error: --format 'cloudformation,pulumi': use a comma-separated list"),
])
def test_bad_options_are_one_line_exit_2(tmp_path, monkeypatch, capsys, args, message) -> None:
    code, _, stderr = main(monkeypatch, capsys, "guard", str(estate_report(tmp_path)), "--out",
                           str(tmp_path / "o"), *args)
    assert (code, len(stderr.strip().splitlines())) == (2, 1)
    assert stderr.startswith(message), stderr


def test_a_schema_1_report_asks_for_a_new_report(tmp_path, monkeypatch, capsys) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"schema_version": "1", "plans": [{"nat_gateway_id": "nat-0aaa1111", "steps": []}]}))
    code, _, stderr = main(monkeypatch, capsys, "guard", str(old))
    assert code == 2
    assert "has no plan targets; re-run `lambda-egress report SNAPSHOT`" in stderr
    assert main(monkeypatch, capsys, "guard", str(tmp_path / "missing.json"))[0] == 2


def test_nat_selects_plans_and_format_drops_the_other_format(tmp_path, monkeypatch, capsys) -> None:
    out = tmp_path / "guards"
    path = estate_report(tmp_path)
    assert main(monkeypatch, capsys, "guard", str(path), "--out", str(out), *RESOLVED)[0] == 0
    code, stdout, stderr = main(monkeypatch, capsys, "guard", str(path), "--out", str(out), "--nat", "nat-0bbb2222",
                                "--format", "terraform", "--allocation",
                                f"{OTHER}/eu-west-1/<new-allocation-id-1>=eipalloc-0ddd4444")
    assert code == 0, stderr
    folder = out / OTHER / "eu-west-1"
    assert (folder / "terraform" / "main.tf").is_file() and not (folder / "cloudformation.yaml").exists()
    assert "cloudformation" not in stdout and f"{ACCOUNT} {REGION}" not in stdout


def test_commands_are_quoted_and_follow_the_layout() -> None:
    assert deploy_commands(ACCOUNT, REGION, "cloudformation", "my guards") == (
        "aws cloudformation package --template-file 'my guards/123456789012/us-east-1/cloudformation.yaml' "
        "--s3-bucket '<artifact-bucket-in-us-east-1>' --output-template-file "
        "'my guards/123456789012/us-east-1/cloudformation.packaged.yaml' --region us-east-1",
        "aws cloudformation deploy --template-file 'my guards/123456789012/us-east-1/cloudformation.packaged.yaml' "
        "--stack-name lambda-egress-guard --capabilities CAPABILITY_NAMED_IAM --region us-east-1",
        "aws lambda invoke --function-name lambda-egress-guard --cli-binary-format raw-in-base64-out --payload '{}' "
        "--region us-east-1 'my guards/123456789012/us-east-1/first-run.json'",
    )
    assert deploy_commands(ACCOUNT, REGION, "cloudformation", "g", artifact_bucket="b-1")[0].count("--s3-bucket b-1")
    assert deploy_commands(ACCOUNT, REGION, "terraform", "g")[:2] == (
        "terraform -chdir=g/123456789012/us-east-1/terraform init",
        "terraform -chdir=g/123456789012/us-east-1/terraform apply")
    assert remove_commands(ACCOUNT, REGION, "cloudformation", "g") == (
        "aws cloudformation delete-stack --stack-name lambda-egress-guard --region us-east-1",
        "aws cloudformation wait stack-delete-complete --stack-name lambda-egress-guard --region us-east-1")
    assert remove_commands(ACCOUNT, REGION, "terraform", "g") == (
        "terraform -chdir=g/123456789012/us-east-1/terraform destroy",)
    generate = generate_command("r.json", ["nat-0aaa1111"], allocations={"<new-allocation-id-1>": "eipalloc-0c"},
                                out_dir="g")
    assert shlex.split(generate) == ["lambda-egress", "guard", "r.json", "--nat", "nat-0aaa1111", "--allocation",
                                     "<new-allocation-id-1>=eipalloc-0c", "--out", "g"]
    with pytest.raises(ValueError, match="unknown guard format"):
        deploy_commands(ACCOUNT, REGION, "pulumi", "g")


def test_monthly_cost_from_the_unit_prices_by_hand() -> None:
    costs = {c.name: c for c in guard_costs(allocations=2, book=load_price_book(), region="us-east-1")}
    runs = 730 * 60 // 5  # 8,760 scheduled runs
    assert costs["Scheduled runs"].quantity == runs
    assert costs["Scheduled runs"].monthly_usd == Decimal("0.00")  # 8,760 x $0.0000002 = $0.0018
    assert costs["Run duration"].quantity == Decimal(runs) * Decimal("0.125")  # 1,095 GB-s
    assert costs["Run duration"].monthly_usd == Decimal("0.02")  # 1,095 x $0.0000166667 = $0.01825
    assert costs["Alarms"].monthly_usd == Decimal("0.20")  # 2 x $0.10
    assert costs["Drift metric"].monthly_usd == Decimal("0.30")
    assert costs["Log ingestion"].monthly_usd == Decimal("0.01")  # 8,760 x 6 x 350 B = 0.0171 GB x $0.50
    assert monthly_total(tuple(costs.values())) == Decimal("0.53")


def test_the_cost_reads_the_price_book_and_says_which_prices_are_unverified(tmp_path, monkeypatch, capsys) -> None:
    bundled = load_price_book()
    data = json.loads(bundled.model_dump_json(exclude={"origin"}))
    data["regions"]["us-east-1"]["alarm_month"]["usd"] = "0.25"  # a price book of the user's
    data["regions"]["eu-west-1"]["logs_ingest_gb"]["usd"] = "0.57"
    book = parse_price_book(data, "mine.json")

    alarms = {c.name: c for c in guard_costs(2, book, "us-east-1")}["Alarms"]
    assert (alarms.unit_price_usd, alarms.monthly_usd) == (Decimal("0.25"), Decimal("0.50"))  # 2 x $0.25
    eu = {c.name: c for c in guard_costs(2, book, "eu-west-1")}
    assert eu["Log ingestion"].unit_price_usd == Decimal("0.57") and not eu["Log ingestion"].verified
    first = cost_lines(2, "eu-west-1", book)[0]
    assert first.startswith("Guard cost per month in eu-west-1: $0.53 before free tiers; unverified prices: "
                            "lambda_request, lambda_gb_second, alarm_month, custom_metric_month, logs_ingest_gb")
    assert "price book: mine.json" in first

    for key in ("lambda_request", "alarm_month"):
        del data["regions"]["eu-west-1"][key]
    old = parse_price_book(data, "old.json")  # a book written before the guard's keys: the NATs still price
    assert old.price("eu-west-1", "nat_hour").usd > 0
    assert cost_lines(2, "eu-west-1", old) == [
        "Guard cost per month in eu-west-1: unpriced (price book (old.json) has no lambda_request, alarm_month "
        "price for region eu-west-1; run `lambda-egress prices refresh --region eu-west-1 --out FILE` and pass "
        "--prices FILE)"]

    (tmp_path / "r.json").write_text(json.dumps(report(plan("nat-0aaa1111", [target("subnet-0abc", ("sg-0app",),
                                                                                     ("eipalloc-0aaa1111",))]))))
    (tmp_path / "mine.json").write_text(json.dumps(data))
    code, stdout, _ = main(monkeypatch, capsys, "guard", str(tmp_path / "r.json"), "--out", str(tmp_path / "g"),
                           "--prices", str(tmp_path / "mine.json"))
    assert code == 0 and "# Guard cost per month in us-east-1: $0.83 before free tiers" in stdout  # 0.53 + 2 x 0.15
    (tmp_path / "bad.json").write_text("{")
    code, _, stderr = main(monkeypatch, capsys, "guard", str(tmp_path / "r.json"), "--out", str(tmp_path / "g2"),
                           "--prices", str(tmp_path / "bad.json"))
    assert code == 2 and len(stderr.strip().splitlines()) == 1 and not (tmp_path / "g2").exists()


def test_ids_from_the_report_are_checked_so_nothing_reaches_a_template_as_code(tmp_path, monkeypatch, capsys) -> None:
    hostile = tmp_path / "hostile.json"
    bad = target("subnet-0abc${file(\"/etc/passwd\")}", ("sg-0app",), ("eipalloc-0aaa1111",))
    hostile.write_text(json.dumps(report(plan("nat-0aaa1111", [bad]))))

    code, _, stderr = main(monkeypatch, capsys, "guard", str(hostile), "--out", str(tmp_path / "o"))

    assert code == 2 and "is not a valid subnet id" in stderr and not (tmp_path / "o").exists()
    from analyzer.guard.render import quote
    assert quote("subnet-0abc") == '"subnet-0abc"'
    for text in ("a${b}", "a%{b}", "line\nbreak", 'quote"'):
        with pytest.raises(ValueError, match="refusing to render"):
            quote(text)


def test_the_demo_report_produces_a_guard_per_plan_once_its_ids_are_known(tmp_path, monkeypatch, capsys):
    """Every candidate of the bundled demo gets a guard, written per plan as its runbook says."""
    import hashlib

    from analyzer.pipeline import demo_snapshot
    from analyzer.pricing import load_price_book
    from analyzer.result import analyze

    result = analyze(demo_snapshot(), load_price_book())
    report_path = tmp_path / "report.json"
    report_path.write_text(result.model_dump_json())
    written = []
    for migration in result.plans:
        guard = next(s for s in migration.steps if s.stage == "guard")
        argv = shlex.split(guard.commands[0])
        for i, value in enumerate(argv):  # fill in the ids the user would have by then
            if argv[i - 1] in ("--allocation", "--subnet"):
                placeholder, _ = value.split("=", 1)
                kind = "eipalloc" if argv[i - 1] == "--allocation" else "subnet"
                digest = hashlib.sha256((migration.plan_id + placeholder).encode()).hexdigest()[:16]
                argv[i] = f"{placeholder}={kind}-0{digest}"
        argv[argv.index("report.json")] = str(report_path)
        out = tmp_path / argv[argv.index("--out") + 1]
        argv[argv.index("--out") + 1] = str(out)
        code, _, stderr = main(monkeypatch, capsys, *argv[1:])
        assert code == 0, (migration.plan_id, stderr)
        mapping = json.loads((out / migration.account_id / migration.region / "mapping.json").read_text())
        written.append((migration.plan_id, len(mapping["targets"])))
    assert written == [(p.plan_id, len(p.targets)) for p in result.plans]
    assert {n for p in result.plans for n in p.nat_gateway_ids} == {s.nat_gateway_id for s in result.scenarios}
