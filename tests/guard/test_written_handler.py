"""The deployable artefact itself: the handler package `guard` wrote, run as Lambda would run it, on moto.

Lambda imports ``lambda_egress_guard.handler`` from the unzipped ``handler/``
folder and calls ``handler(event, context)``; the function finds its
``mapping.json`` beside itself and makes its own boto3 client. Lambda ENIs are
seeded into moto's backend (moto never creates them).
"""

from __future__ import annotations

import importlib
import json
import sys

import pytest
from guard_estate import CONTEXT, SCHEDULED, seed
from guard_report import ACCOUNT, REGION, plan, report, target

from analyzer.guard.build import GuardRequest, write_guards


@pytest.fixture
def written_package(tmp_path, monkeypatch):
    def load(report_path):
        write_guards(GuardRequest(report=report_path, out_dir=tmp_path / "out"))
        monkeypatch.syspath_prepend(str(tmp_path / "out" / ACCOUNT / REGION / "handler"))
        for name in [m for m in sys.modules if m.startswith("lambda_egress_guard")]:
            monkeypatch.delitem(sys.modules, name)
        return importlib.import_module("lambda_egress_guard.handler")
    return load


def test_the_written_package_associates_on_its_own_mapping(aws, tmp_path, monkeypatch, capsys,
                                                           written_package) -> None:
    monkeypatch.setenv("AWS_REGION", REGION)
    estate = seed()
    (alloc,) = estate.allocate(1)
    eni = estate.lambda_eni()
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report(plan("nat-0aaa1111", [target(estate.public, (estate.sg_app,), (alloc,))]))))

    module = written_package(path)
    result = module.handler(SCHEDULED, CONTEXT)

    assert module.__file__.startswith(str(tmp_path))  # the copy, not analyzer/guard/runtime
    assert (result["associated"], result["drift"]) == (1, 0)
    assert estate.public_ip(eni) == estate.ips[alloc]
    assert json.loads(capsys.readouterr().out.splitlines()[0])["action"] == "associate"
